// The native data plane (native/src/dataplane): packets never enter JavaScript once a session is
// open. A packet thread in the addon owns GRE receive, the receive window, PPP framing, MPPE,
// change-tcp-mss and the TUN devices; this wrapper only hands it what negotiation decided and
// passes control frames and MPPE resync requests between it and the PPP engine.
//
// MPPE runs in C (native/src/crypto/mppe.c) whatever MppeSetup.implementation names: only the
// keys and modes cross the boundary, once per CCP negotiation.
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { requireNativeExport } from '../native.js';
import type { MpDropReason } from '../wire/multilink.js';
import type { PppFraming } from '../wire/ppp-frame.js';
import {
  newEndpointCounters,
  newSessionCounters,
  type EndpointCounters,
  type SessionCounters,
  type SessionDropReason,
} from './counters.js';
import type { DataPlane, DataPlaneOptions, DataPlaneSession, MppeSetup, MultilinkSetup, SessionParams } from './dataplane.js';
import { greSourceNumber, ipv4ToNumber } from './native-io.js';

/** An opaque, type-tagged session handle from the addon. */
interface NativeHandle {
  readonly __nativeSession: unique symbol;
}

interface NativeEngine {
  open(localCallId: number, peerCallId: number | null, peerAddress: number, localAddress: number, tunName: string): [NativeHandle, number, string];
  closeSession(h: NativeHandle): Promise<void>;
  setPeerCallId(h: NativeHandle, peerCallId: number): void;
  setFraming(h: NativeHandle, acfc: boolean, pfc: boolean): void;
  setMppe(h: NativeHandle, ...args: [null] | [Uint8Array, number, boolean, Uint8Array, number, boolean]): void;
  resetMppeSend(h: NativeHandle): void;
  setIpEnabled(h: NativeHandle, enabled: boolean): void;
  setMssClamp(h: NativeHandle, maxMss: number): void;
  setMultilink(h: NativeHandle, ...args: [null] | [mtu: number, sendShort: boolean, receiveShort: boolean, receiveMrru: number]): void;
  sessionMultilink(h: NativeHandle): Float64Array | null;
  sendControl(h: NativeHandle, protocol: number, information: Uint8Array): boolean;
  sendData(h: NativeHandle, protocol: number, information: Uint8Array): boolean;
  sessionCounters(h: NativeHandle): Float64Array;
  sessionOffload(h: NativeHandle): Float64Array;
  counters(): Float64Array;
  workers(): number;
  close(): void;
}

type EventCallback = (sessionId: number, kind: number, protocol: number, information: Buffer | undefined, coherencyCount: number) => void;
type EngineCtor = new (
  onEvent: EventCallback,
  bindAddress: number,
  reorderWindow: number,
  reorderTimeoutMs: number,
  ackDelayMs: number,
  workers: number,
  tunOffload: boolean,
) => NativeEngine;

/** How a native session's TUN device moves packets (engine.h OffloadCounter). */
export interface TunOffloadStats {
  /** The device speaks virtio_net_hdr with TSO and checksum offload; false: plain TUN. */
  readonly offload: boolean;
  /** Large TCP segments read from the device, and the packets they were split into. */
  readonly gsoReads: number;
  readonly segments: number;
  /** Writes that carried several received packets coalesced, and how many packets they carried. */
  readonly coalescedWrites: number;
  readonly coalescedPackets: number;
}

const EVENT_CONTROL = 0;
const EVENT_MPPE_RESET = 1;

// The Float64Array layouts of native/src/dataplane/counters.h, in order.
const SESSION_FIELDS = [
  'rxPackets', 'rxBytes', 'txPackets', 'txBytes', 'greRxPackets', 'greTxPackets', 'ackOnlyRx', 'ackOnlyTx',
  'controlRx', 'controlTx', 'reordered', 'lost',
] as const;
const MULTILINK_DROPS: readonly MpDropReason[] = ['lost-fragment', 'too-long', 'timeout', 'malformed'];
const SESSION_DROPS: readonly SessionDropReason[] = [
  'duplicate', 'late', 'malformed-ppp', 'unencrypted', 'mppe-not-negotiated', 'mppe-needs-reset', 'mppe-error',
  'ip-down', 'not-ipv4', 'tun-write', 'gre-send', 'internal-error', 'control-rate',
];

/** Whether this build has the native data plane (an addon built before it does not). */
export function nativeDataPlaneAvailable(): boolean {
  try {
    requireNativeExport<EngineCtor>('DataPlaneEngine');
    return true;
  } catch {
    return false;
  }
}

export class NativeSession implements DataPlaneSession {
  readonly tunName: string;
  readonly id: number;
  private closed = false;
  private peerCall: number | undefined;

  constructor(
    private readonly plane: NativeDataPlane,
    private readonly engine: NativeEngine,
    private readonly handle: NativeHandle,
    readonly params: SessionParams,
    id: number,
    tunName: string,
  ) {
    this.id = id;
    this.tunName = tunName;
    this.peerCall = params.peerCallId;
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

  setPeerCallId(peerCallId: number): void {
    if (this.closed || this.peerCall !== undefined) return;
    this.peerCall = peerCallId;
    this.engine.setPeerCallId(this.handle, peerCallId);
  }

  sendControlFrame(protocol: number, information: Buffer): void {
    if (this.closed) return;
    this.engine.sendControl(this.handle, protocol, information);
  }

  sendDataFrame(protocol: number, information: Buffer): void {
    if (this.closed) return;
    this.engine.sendData(this.handle, protocol, information);
  }

  setFraming(framing: PppFraming): void {
    if (!this.closed) this.engine.setFraming(this.handle, framing.acfc, framing.pfc);
  }

  setMppe(setup: MppeSetup | null): void {
    if (this.closed) return;
    if (setup === null) return this.engine.setMppe(this.handle, null);
    const { send, receive } = setup;
    this.engine.setMppe(this.handle, send.startKey, send.bits, send.stateless, receive.startKey, receive.bits, receive.stateless);
  }

  resetMppeSend(): void {
    if (!this.closed) this.engine.resetMppeSend(this.handle);
  }

  setIpEnabled(enabled: boolean): void {
    if (!this.closed) this.engine.setIpEnabled(this.handle, enabled);
  }

  setMssClamp(maxMss: number | undefined): void {
    if (this.closed) return;
    if (maxMss !== undefined && (!Number.isInteger(maxMss) || maxMss < 1 || maxMss > 0xffff)) {
      throw new RangeError(`change-tcp-mss: ${maxMss} is not an MSS`);
    }
    this.engine.setMssClamp(this.handle, maxMss ?? 0);
  }

  setMultilink(setup: MultilinkSetup | null): void {
    if (this.closed) return;
    if (setup === null) return this.engine.setMultilink(this.handle, null);
    this.engine.setMultilink(this.handle, setup.mtu, setup.sendShortSequence, setup.receiveShortSequence, setup.receiveMrru);
  }

  counters(): SessionCounters {
    const raw = this.engine.sessionCounters(this.handle);
    const c = newSessionCounters();
    SESSION_FIELDS.forEach((name, i) => (c[name] = raw[i]!));
    SESSION_DROPS.forEach((name, i) => (c.drops[name] = raw[SESSION_FIELDS.length + i]!));
    const mp = this.engine.sessionMultilink(this.handle);
    if (mp !== null) {
      const drops = Object.fromEntries(MULTILINK_DROPS.map((name, i) => [name, mp[3 + i]!])) as Record<MpDropReason, number>;
      c.multilink = { fragmentsTx: mp[0]!, fragmentsRx: mp[1]!, reassembled: mp[2]!, drops };
    }
    return c;
  }

  /** The TUN offload mode and what it did (native sessions only). */
  offloadStats(): TunOffloadStats {
    const r = this.engine.sessionOffload(this.handle);
    return { offload: r[0] === 1, gsoReads: r[1]!, segments: r[2]!, coalescedWrites: r[3]!, coalescedPackets: r[4]! };
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    const gone = this.engine.closeSession(this.handle);
    this.plane.forget(this);
    return gone;
  }
}

export class NativeDataPlane implements DataPlane {
  readonly name = 'native';
  readonly multilink = true;
  private readonly engine: NativeEngine;
  private readonly sessions = new Map<number, NativeSession>();
  private readonly log: Logger;
  private closed = false;

  constructor(options: DataPlaneOptions = {}) {
    this.log = options.log ?? silentLogger;
    const Ctor = requireNativeExport<EngineCtor>('DataPlaneEngine');
    this.engine = new Ctor(
      (id, kind, protocol, information, cc) => this.onEvent(id, kind, protocol, information, cc),
      options.bindAddress === undefined ? 0 : ipv4ToNumber(options.bindAddress),
      options.reorderWindow ?? 16,
      options.reorderTimeoutMs ?? 30,
      options.ackDelayMs ?? 10,
      options.workers ?? 0,
      options.tunOffload ?? true,
    );
  }

  /** Packet threads running (tunnels are sharded across them by call ID). */
  get workers(): number {
    return this.engine.workers();
  }

  openSession(params: SessionParams): DataPlaneSession {
    const [handle, id, tunName] = this.engine.open(
      params.localCallId,
      params.peerCallId ?? null,
      ipv4ToNumber(params.peerAddress),
      greSourceNumber(params.localAddress),
      params.tunName,
    );
    const session = new NativeSession(this, this.engine, handle, params, id, tunName);
    this.sessions.set(id, session);
    this.log.debug(`session call ${params.localCallId}/${params.peerCallId} peer ${params.peerAddress} on ${tunName}`);
    return session;
  }

  counters(): EndpointCounters {
    const raw = this.engine.counters();
    const c = newEndpointCounters();
    c.rxPackets = raw[0]!;
    c.drops['unknown-call-id'] = raw[1]!;
    c.drops['wrong-peer'] = raw[2]!;
    c.drops['malformed-gre'] = raw[3]!;
    return c;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sessions.values()]) s.close();
    this.engine.close();
  }

  /** Called by a session when it closes. */
  forget(session: NativeSession): void {
    this.sessions.delete(session.id);
  }

  private onEvent(id: number, kind: number, protocol: number, information: Buffer | undefined, cc: number): void {
    const session = this.sessions.get(id);
    if (session === undefined) return; // closed while the event was queued
    const { params } = session;
    // A throw from the PPP engine must not escape into the addon's callback (it would end the daemon).
    try {
      if (kind === EVENT_CONTROL && information !== undefined) params.onControlFrame(protocol, information);
      else if (kind === EVENT_MPPE_RESET) {
        (params.log ?? this.log).debug(`call ${params.localCallId}: MPPE lost sync at coherency count ${cc}`);
        params.onMppeResetNeeded?.(cc);
      }
    } catch (e) {
      (params.log ?? this.log).error(`call ${params.localCallId}: control frame handling failed: ${(e as Error).message}`);
    }
  }
}
