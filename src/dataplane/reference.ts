// The reference data plane: every packet passes through TypeScript. It is the oracle the native
// data plane will be compared against, so it favours being obviously right over being fast: parse
// with the src/wire codecs, one small step per function, counters for every drop.
//
// Receive: GRE socket batch -> demultiplex (call ID, peer) -> receive window (order, duplicates)
//   -> PPP frame -> MPPE decrypt when CCP is up -> IPv4 to the TUN device, the rest to the PPP engine.
// Send: TUN batch -> PPP frame (PFC/ACFC) -> MPPE encrypt -> GRE header with sequence number and a
//   piggy-backed acknowledgement -> one sendmmsg per batch.
import { performance } from 'node:perf_hooks';
import type { MppeDecrypter, MppeEncrypter } from '../crypto/mppe.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { WireError } from '../wire/error.js';
import { emitGreHeader, greHeaderLength, parseGreHeader, type GreHeader } from '../wire/gre.js';
import { emitPppFrame, parsePppFrame, PPP_PROTOCOL, type PppFraming } from '../wire/ppp-frame.js';
import { newEndpointCounters, newSessionCounters, type EndpointCounters, type SessionCounters, type SessionDropReason } from './counters.js';
import type { DataPlane, DataPlaneOptions, DataPlaneSession, MppeSetup, MultilinkSetup, SessionParams } from './dataplane.js';
import { MultilinkLink } from './multilink.js';
import { clampTcpMss } from './tcp-mss.js';
import { ControlBudget } from './control-budget.js';
import { greSourceNumber, ipv4ToNumber, openGreSocket, openTun, type NativeGreSocket, type NativeTunDevice } from './native-io.js';
import { ReceiveWindow } from './receive-window.js';

const FULL_FRAMING: PppFraming = { acfc: false, pfc: false };

interface Outgoing {
  readonly packets: Buffer[];
  readonly addresses: number[];
}

class ReferenceSession implements DataPlaneSession {
  readonly peerNumber: number;
  /** GRE leaves from this address (0: the kernel picks). */
  readonly sourceNumber: number;
  readonly tunName: string;
  private readonly tun: NativeTunDevice;
  private readonly window: ReceiveWindow<Buffer>;
  private readonly stats: SessionCounters = newSessionCounters();
  private readonly log: Logger;
  private framing: PppFraming = FULL_FRAMING;
  private encrypter: MppeEncrypter | null = null;
  private decrypter: MppeDecrypter | null = null;
  private ipEnabled = false;
  private maxMss: number | undefined;
  private resetReported = false;
  private readonly controlBudget = new ControlBudget();
  private txSequence = 0;
  private lastAckSent: number | undefined;
  private peerCall: number | undefined;
  private ackTimer: NodeJS.Timeout | undefined;
  private reorderTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private errorLogged = false;
  /** Multilink hook (issue 14 section 2): set while MP is negotiated. */
  private mp: MultilinkLink | null = null;

  constructor(
    private readonly endpoint: ReferenceDataPlane,
    private readonly params: SessionParams,
    private readonly options: Required<Pick<DataPlaneOptions, 'reorderWindow' | 'reorderTimeoutMs' | 'ackDelayMs'>>,
  ) {
    this.peerNumber = ipv4ToNumber(params.peerAddress);
    this.sourceNumber = greSourceNumber(params.localAddress);
    this.peerCall = params.peerCallId;
    this.log = params.log ?? silentLogger;
    this.window = new ReceiveWindow<Buffer>(options.reorderWindow, options.reorderTimeoutMs);
    this.tun = openTun(params.tunName, (packets) => this.contained('TUN batch', () => this.onTunBatch(packets)));
    this.tunName = this.tun.name;
  }

  get localCallId(): number {
    return this.params.localCallId;
  }
  get peerCallId(): number | undefined {
    return this.peerCall;
  }
  get peerAddress(): string {
    return this.params.peerAddress;
  }

  // ---- control side -------------------------------------------------------------------------

  setPeerCallId(peerCallId: number): void {
    this.peerCall ??= peerCallId;
    this.armAckTimer();
  }

  sendControlFrame(protocol: number, information: Buffer): void {
    if (this.closed || this.peerCall === undefined) return;
    // RFC 1661 sections 6.5/6.6: LCP packets always carry Address/Control and a 2-octet protocol.
    const framing = protocol === PPP_PROTOCOL.LCP ? FULL_FRAMING : this.framing;
    const frame = emitPppFrame({ protocol, information }, framing);
    this.stats.controlTx++;
    const out: Outgoing = { packets: [], addresses: [] };
    this.queueData(out, frame);
    this.endpoint.sendBatch(out, this);
  }

  setFraming(framing: PppFraming): void {
    this.framing = { acfc: framing.acfc, pfc: framing.pfc };
  }

  setMppe(setup: MppeSetup | null): void {
    this.encrypter = setup === null ? null : setup.implementation.encrypter(setup.send);
    this.decrypter = setup === null ? null : setup.implementation.decrypter(setup.receive);
    this.resetReported = false;
  }

  resetMppeSend(): void {
    this.encrypter?.reset();
  }

  setIpEnabled(enabled: boolean): void {
    this.ipEnabled = enabled;
  }

  setMssClamp(maxMss: number | undefined): void {
    this.maxMss = maxMss;
  }

  // ---- Multilink hook (issue 14 section 2) --------------------------------------------------
  setMultilink(setup: MultilinkSetup | null): void {
    this.mp?.stop();
    this.mp = setup === null ? null : new MultilinkLink(setup, (packet) => this.contained('MP reassembly', () => this.receivePpp(packet, true)));
  }
  // ---- end of the Multilink hook ------------------------------------------------------------

  counters(): SessionCounters {
    const c: SessionCounters = { ...this.stats, reordered: this.window.reordered, lost: this.window.lost, drops: { ...this.stats.drops } };
    if (this.mp) c.multilink = this.mp.counters();
    return c;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.mp?.stop();
    clearTimeout(this.ackTimer);
    clearTimeout(this.reorderTimer);
    this.tun.close();
    this.endpoint.forget(this);
    return Promise.resolve();
  }

  // ---- receive --------------------------------------------------------------------------------

  private drop(reason: SessionDropReason): void {
    this.stats.drops[reason]++;
  }

  /**
   * Runs packet or timer work for this session. A throw there comes back through the addon's
   * poll callback or a timer, where it would end the daemon and every tunnel with it (issue 19
   * finding 8); here it costs the packet, is counted, and is logged once per session.
   */
  contained(what: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      this.drop('internal-error');
      if (this.errorLogged) return;
      this.errorLogged = true;
      this.log.error(`call ${this.params.localCallId}: ${what} failed, packet dropped (later failures only counted): ${(e as Error).message}`);
    }
  }

  /** One GRE packet for this session (already demultiplexed); payload is the PPP frame. */
  receiveGre(header: GreHeader, payload: Buffer): void {
    if (header.sequence === undefined) {
      // Ack-only (RFC 2637 section 4.2: S clear, no payload). We keep no send window, so the
      // acknowledgement itself needs no action; it is counted for the operator.
      this.stats.ackOnlyRx++;
      return;
    }
    this.stats.greRxPackets++;
    const now = performance.now();
    const result = this.window.receive(header.sequence, payload, now);
    if (result.drop) this.drop(result.drop);
    for (const frame of result.deliver) this.receivePpp(frame);
    this.armReorderTimer(now);
    this.armAckTimer();
  }

  private armReorderTimer(now: number): void {
    if (this.reorderTimer !== undefined || this.closed) return;
    const deadline = this.window.nextDeadline();
    if (deadline === undefined) return;
    const expire = (): void => {
      this.reorderTimer = undefined;
      const t = performance.now();
      for (const frame of this.window.expire(t)) this.receivePpp(frame);
      this.armReorderTimer(t);
      this.armAckTimer();
    };
    this.reorderTimer = setTimeout(() => this.contained('reorder timer', expire), Math.max(1, Math.ceil(deadline - now)));
  }

  private owesAck(): boolean {
    const last = this.window.lastDelivered;
    return last !== undefined && last !== this.lastAckSent;
  }

  /** If no data goes out to carry the acknowledgement within ackDelayMs, send it alone. */
  private armAckTimer(): void {
    if (this.ackTimer !== undefined || this.closed || this.peerCall === undefined || !this.owesAck()) return;
    const sendAck = (): void => {
      this.ackTimer = undefined;
      if (this.closed || !this.owesAck()) return;
      const ack = this.window.lastDelivered as number;
      const buf = Buffer.allocUnsafe(greHeaderLength({ ack }));
      emitGreHeader({ callId: this.peerCall as number, ack, payloadLength: 0 }, buf, 0);
      this.lastAckSent = ack;
      this.stats.ackOnlyTx++;
      this.endpoint.sendBatch({ packets: [buf], addresses: [this.peerNumber] }, this);
    };
    this.ackTimer = setTimeout(() => this.contained('acknowledgement timer', sendAck), this.options.ackDelayMs);
  }

  private receivePpp(frameBytes: Buffer, reassembled = false): void {
    const frame = parsePppFrame(frameBytes);
    if (frame instanceof WireError) return this.drop('malformed-ppp');
    // Multilink hook: fragments are reassembled first, MPPE comes after (RFC 1990 over RFC 3078).
    if (frame.protocol === PPP_PROTOCOL.MP && this.mp !== null) {
      if (reassembled) return this.drop('malformed-ppp'); // MP inside MP
      return this.mp.receive(frame.information);
    }
    switch (frame.protocol) {
      case PPP_PROTOCOL.IPV4:
        if (this.decrypter !== null) return this.drop('unencrypted');
        return this.deliverIp(frame.information);
      case PPP_PROTOCOL.BRIDGED:
        // Bridged LAN frames are data too: in clear only while MPPE is off (RFC 3078 section 1).
        if (this.decrypter !== null) return this.drop('unencrypted');
        this.stats.rxPackets++;
        this.stats.rxBytes += frame.information.length;
        this.params.onControlFrame(frame.protocol, frame.information);
        return;
      case PPP_PROTOCOL.COMPRESSED:
        return this.receiveMppe(frame.information);
      default:
        this.controlUp(frame.protocol, frame.information);
    }
  }

  private controlUp(protocol: number, information: Buffer): void {
    if (!this.controlBudget.take(performance.now())) return this.drop('control-rate');
    this.stats.controlRx++;
    this.params.onControlFrame(protocol, information);
  }

  private receiveMppe(packet: Buffer): void {
    if (this.decrypter === null) return this.drop('mppe-not-negotiated');
    const plain = this.decrypter.decrypt(packet);
    if (!Buffer.isBuffer(plain)) {
      if (plain.kind === 'needs-reset') {
        this.drop('mppe-needs-reset');
        if (!this.resetReported) {
          this.resetReported = true;
          this.log.debug(`call ${this.params.localCallId}: MPPE lost sync at coherency count ${plain.coherencyCount}`);
          this.params.onMppeResetNeeded?.(plain.coherencyCount);
        }
        return;
      }
      return this.drop('mppe-error');
    }
    this.resetReported = false;
    // The decrypted data starts with the (possibly PFC-compressed) protocol field (RFC 3078 section 3).
    const inner = parsePppFrame(plain);
    if (inner instanceof WireError) return this.drop('malformed-ppp');
    if (inner.protocol === PPP_PROTOCOL.IPV4) return this.deliverIp(inner.information);
    if (inner.protocol !== PPP_PROTOCOL.BRIDGED) return this.controlUp(inner.protocol, inner.information);
    this.stats.rxPackets++;
    this.stats.rxBytes += inner.information.length;
    this.params.onControlFrame(inner.protocol, inner.information);
  }

  private deliverIp(packet: Buffer): void {
    if (!this.ipEnabled) return this.drop('ip-down');
    if (this.maxMss !== undefined) clampTcpMss(packet, this.maxMss);
    if (!this.tun.write(packet)) return this.drop('tun-write');
    this.stats.rxPackets++;
    this.stats.rxBytes += packet.length;
  }

  // ---- send -----------------------------------------------------------------------------------

  private onTunBatch(packets: Buffer[]): void {
    if (this.closed) return;
    const out: Outgoing = { packets: [], addresses: [] };
    for (const packet of packets) this.contained('sending a packet', () => this.sendIp(out, packet));
    if (out.packets.length > 0) this.endpoint.sendBatch(out, this);
  }

  private sendIp(out: Outgoing, packet: Buffer): void {
    if (packet.length < 20 || packet[0]! >> 4 !== 4) return this.drop('not-ipv4');
    if (!this.ipEnabled) return this.drop('ip-down');
    if (this.maxMss !== undefined) clampTcpMss(packet, this.maxMss);
    this.queueDatagram(out, PPP_PROTOCOL.IPV4, packet);
  }

  sendDataFrame(protocol: number, information: Buffer): void {
    if (this.closed) return;
    const out: Outgoing = { packets: [], addresses: [] };
    this.contained('sending a data frame', () => this.queueDatagram(out, protocol, information));
    if (out.packets.length > 0) this.endpoint.sendBatch(out, this);
  }

  /** A network-layer datagram: framed, encrypted while MPPE is on, MP-fragmented when too large. */
  private queueDatagram(out: Outgoing, protocol: number, packet: Buffer): void {
    let frame: Buffer;
    if (this.encrypter !== null) {
      // Protocol field (PFC applies inside too) + datagram, encrypted as one (RFC 3078 section 3).
      const plain = emitPppFrame({ protocol, information: packet }, { acfc: true, pfc: this.framing.pfc });
      frame = emitPppFrame({ protocol: PPP_PROTOCOL.COMPRESSED, information: this.encrypter.encrypt(plain) }, this.framing);
    } else {
      frame = emitPppFrame({ protocol, information: packet }, this.framing);
    }
    // Multilink hook: a packet larger than the link MTU goes out as MP fragments.
    const fragments = this.mp?.fragment(frame, this.framing);
    if (fragments) for (const f of fragments) this.queueData(out, f);
    else this.queueData(out, frame);
    this.stats.txPackets++;
    this.stats.txBytes += packet.length;
  }

  /** Wraps one PPP frame in GRE with the next sequence number and any acknowledgement we owe. */
  private queueData(out: Outgoing, frame: Buffer): void {
    const sequence = this.txSequence;
    this.txSequence = (this.txSequence + 1) >>> 0;
    const ack = this.owesAck() ? this.window.lastDelivered : undefined;
    if (ack !== undefined) this.lastAckSent = ack;
    const header: GreHeader = { callId: this.peerCall ?? 0, sequence, ack, payloadLength: frame.length };
    const hlen = greHeaderLength(header);
    const buf = Buffer.allocUnsafe(hlen + frame.length);
    emitGreHeader(header, buf, 0);
    frame.copy(buf, hlen);
    out.packets.push(buf);
    out.addresses.push(this.peerNumber);
    this.stats.greTxPackets++;
  }

  countSendFailures(n: number): void {
    this.stats.drops['gre-send'] += n;
  }
}

export class ReferenceDataPlane implements DataPlane {
  readonly name = 'reference';
  readonly multilink = true;
  private readonly socket: NativeGreSocket;
  /** Sessions by our call ID; more than one only when different peers share a call ID. */
  private readonly sessions = new Map<number, ReferenceSession[]>();
  private readonly stats: EndpointCounters = newEndpointCounters();
  private readonly options: Required<Pick<DataPlaneOptions, 'reorderWindow' | 'reorderTimeoutMs' | 'ackDelayMs'>>;
  private readonly log: Logger;

  constructor(options: DataPlaneOptions = {}) {
    this.options = {
      reorderWindow: options.reorderWindow ?? 16,
      reorderTimeoutMs: options.reorderTimeoutMs ?? 30,
      ackDelayMs: options.ackDelayMs ?? 10,
    };
    this.log = options.log ?? silentLogger;
    const socketOptions = options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress };
    this.socket = openGreSocket((packets, sources) => this.onGreBatch(packets, sources), socketOptions);
  }

  openSession(params: SessionParams): DataPlaneSession {
    const peer = ipv4ToNumber(params.peerAddress);
    const list = this.sessions.get(params.localCallId) ?? [];
    if (list.some((s) => s.peerNumber === peer)) {
      throw new Error(`data plane: call ID ${params.localCallId} is already open for peer ${params.peerAddress}`);
    }
    const session = new ReferenceSession(this, params, this.options);
    list.push(session);
    this.sessions.set(params.localCallId, list);
    this.log.debug(`session call ${params.localCallId}/${params.peerCallId} peer ${params.peerAddress} on ${session.tunName}`);
    return session;
  }

  counters(): EndpointCounters {
    return { rxPackets: this.stats.rxPackets, drops: { ...this.stats.drops } };
  }

  close(): void {
    for (const list of [...this.sessions.values()]) for (const s of [...list]) s.close();
    this.socket.close();
  }

  /** Called by a session when it closes. */
  forget(session: ReferenceSession): void {
    const list = this.sessions.get(session.localCallId);
    if (!list) return;
    const rest = list.filter((s) => s !== session);
    if (rest.length === 0) this.sessions.delete(session.localCallId);
    else this.sessions.set(session.localCallId, rest);
  }

  sendBatch(out: Outgoing, session: ReferenceSession): void {
    const sent =
      out.packets.length === 1
        ? Number(this.socket.send(out.packets[0]!, out.addresses[0]!, session.sourceNumber))
        : this.socket.sendBatch(out.packets, Uint32Array.from(out.addresses), session.sourceNumber);
    if (sent < out.packets.length) session.countSendFailures(out.packets.length - sent);
  }

  private onGreBatch(packets: Buffer[], sources: Uint32Array): void {
    for (let i = 0; i < packets.length; i++) {
      const packet = packets[i]!;
      this.stats.rxPackets++;
      const header = parseGreHeader(packet);
      if (header instanceof WireError) {
        this.stats.drops['malformed-gre']++;
        continue;
      }
      const list = this.sessions.get(header.callId);
      if (list === undefined) {
        this.stats.drops['unknown-call-id']++;
        continue;
      }
      const session = list.find((s) => s.peerNumber === sources[i]);
      if (session === undefined) {
        this.stats.drops['wrong-peer']++;
        continue;
      }
      const start = greHeaderLength(header);
      session.contained('receiving a packet', () => session.receiveGre(header, packet.subarray(start, start + header.payloadLength)));
    }
  }
}
