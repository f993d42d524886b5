// LCP's entry (RFC 1661): the automaton with LcpHandler's options, the codes beyond 7
// (Protocol-Reject, Echo, Discard, Identification, Time-Remaining) and the keepalive, which
// is LCP's Echo-Request on a timer.
import { PPP_PROTOCOL } from '../../wire/ppp-frame.js';
import type { ClockTimer } from '../clock.js';
import { LCP_CODE, LcpHandler, type LcpSettings } from '../lcp.js';
import type { PppHost, ProtocolEntry } from './entry.js';
import { FsmLayer, type LayerEvents } from './fsm-layer.js';

const TERMINATE_REQUEST = 5;

export interface LcpEvents extends LayerEvents {
  /** The peer Protocol-Rejected `protocol`. */
  protocolRejected(protocol: number): void;
  /** Keepalive gave up on a silent peer: the link is over. */
  dead(reason: string): void;
}

export class LcpProtocol implements ProtocolEntry {
  readonly protocol = PPP_PROTOCOL.LCP;
  readonly name = 'LCP';
  readonly handler: LcpHandler;
  readonly layer: FsmLayer;
  private lastReceived: number;
  private keepalive: ClockTimer | undefined;
  private echoId = 0;
  private nextId = 0x80;

  constructor(private readonly host: PppHost, settings: LcpSettings, private readonly events: LcpEvents) {
    this.handler = new LcpHandler(settings);
    this.layer = new FsmLayer(this.protocol, this.name, this.handler, host, {
      ...events,
      echoReplyDue: (identifier, data) => {
        const reply = Buffer.from(data);
        if (reply.length >= 4) reply.writeUInt32BE(this.handler.localMagic, 0);
        this.host.sendPacket(this.protocol, LCP_CODE.ECHO_REPLY, identifier, reply);
      },
    });
    this.lastReceived = host.clock.now();
  }

  get opened(): boolean { return this.layer.opened; }

  input(information: Buffer): void {
    this.layer.input(information, (code, identifier, data) => this.extraCode(code, identifier, data));
  }

  protocolReject(): void {
    // LCP cannot be rejected (RFC 1661 5.7): a peer that does so is broken, the automaton ignores it.
  }

  lowerDown(): void {
    this.stopKeepalive();
    this.layer.down();
  }

  /** Anything arrived from the peer: it is alive. */
  noteActivity(): void {
    this.lastReceived = this.host.clock.now();
  }

  /** RFC 1661 5.7: Rejected-Protocol then as much of the information as fits in the peer's MRU. */
  sendProtocolReject(protocol: number, information: Buffer): void {
    const room = Math.max(0, (this.handler.result().mtu || 1500) - 6);
    const head = Buffer.alloc(2);
    head.writeUInt16BE(protocol);
    this.host.sendPacket(this.protocol, LCP_CODE.PROTOCOL_REJECT, this.id(), Buffer.concat([head, information.subarray(0, room)]));
    this.host.log.debug(`protocol-rejected 0x${protocol.toString(16).padStart(4, '0')}`);
  }

  /** One Terminate-Request as a courtesy when the link ends without waiting for the peer. */
  sendTerminate(reason: string): void {
    this.host.sendPacket(this.protocol, TERMINATE_REQUEST, this.id(), Buffer.from(reason));
  }

  // Keepalive (SPEC.md, server keepalive-timeout): after T seconds of silence, one LCP
  // Echo-Request a second; silence for 2T since the last packet ends the link.
  startKeepalive(timeoutSeconds: number | undefined): void {
    if (timeoutSeconds === undefined || timeoutSeconds <= 0) return;
    const t = timeoutSeconds * 1000;
    const tick = (): void => {
      this.keepalive = undefined;
      if (!this.layer.opened) return;
      const idle = this.host.clock.now() - this.lastReceived;
      if (idle >= 2 * t) {
        this.host.log.info(`no answer for ${2 * timeoutSeconds}s: keepalive timeout`);
        this.events.dead('keepalive timeout');
        return;
      }
      if (idle < t) {
        // Nothing to do until T seconds of silence: wake up then, not every second (a thousand
        // idle tunnels otherwise make a thousand timers a second, all garbage for V8).
        this.keepalive = this.host.schedule(t - idle, tick);
        return;
      }
      this.echoId = (this.echoId + 1) & 0xff;
      const magic = Buffer.alloc(4);
      magic.writeUInt32BE(this.handler.localMagic);
      this.host.sendPacket(this.protocol, LCP_CODE.ECHO_REQUEST, this.echoId, magic);
      this.keepalive = this.host.schedule(1000, tick);
    };
    this.stopKeepalive();
    this.keepalive = this.host.schedule(Math.max(1000, t - (this.host.clock.now() - this.lastReceived)), tick);
  }

  stopKeepalive(): void {
    this.host.cancel(this.keepalive);
    this.keepalive = undefined;
  }

  private id(): number {
    this.nextId = (this.nextId + 1) & 0xff;
    return this.nextId;
  }

  private extraCode(code: number, identifier: number, data: Buffer): boolean {
    switch (code) {
      case LCP_CODE.PROTOCOL_REJECT:
        if (this.layer.opened && data.length >= 2) this.events.protocolRejected(data.readUInt16BE(0));
        return true;
      case LCP_CODE.ECHO_REQUEST:
      case LCP_CODE.ECHO_REPLY:
      case LCP_CODE.DISCARD_REQUEST:
        if (data.length >= 4 && this.layer.opened) {
          const ours = this.handler.localMagic;
          if (ours !== 0 && data.readUInt32BE(0) === ours) this.host.log.warning('LCP echo carries our own magic number: link looped back?');
        }
        this.layer.receivedEcho(identifier, data, code === LCP_CODE.ECHO_REQUEST);
        return true;
      case LCP_CODE.IDENTIFICATION:
      case LCP_CODE.TIME_REMAINING:
        return true; // RFC 1570: informational, silently discarded by a receiver that does not use them
      default:
        return false;
    }
  }
}
