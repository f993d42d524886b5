// One RFC 1661 automaton bound to a protocol number and to its session: it sends what the
// automaton emits, runs its restart timer and reports layer events. Shared by LCP, IPCP and CCP.
import { WireError } from '../../wire/error.js';
import { parsePppPacket } from '../../wire/ppp-packet.js';
import type { ClockTimer } from '../clock.js';
import { Fsm, type FsmOutput, type OptionHandler } from '../fsm.js';
import type { PppHost } from './entry.js';

export interface LayerEvents {
  up(): void;
  down(): void;
  finished(reason: string): void;
  /** After every batch of outputs, when the automaton has settled in its new state. */
  settled?(): void;
  /** An Echo-Request was accepted (LCP in Opened): answer it. */
  echoReplyDue?(identifier: number, data: Buffer): void;
}

export class FsmLayer {
  readonly fsm: Fsm;
  private timer: ClockTimer | undefined;
  private applying = false;
  private readonly deferred: FsmOutput[][] = [];

  constructor(
    readonly protocol: number,
    name: string,
    handler: OptionHandler,
    private readonly host: PppHost,
    private readonly events: LayerEvents,
  ) {
    this.fsm = new Fsm(name, handler, host.fsmConfig);
  }

  get name(): string { return this.fsm.name; }
  get opened(): boolean { return this.fsm.state === 'opened'; }

  up(): void { this.apply(this.fsm.up()); }
  down(): void { this.apply(this.fsm.down()); }
  open(): void { this.apply(this.fsm.open()); }
  close(reason: string): void { this.apply(this.fsm.close(reason)); }
  rejected(fatal: boolean, reason: string): void { this.apply(this.fsm.rejected(fatal, reason)); }

  /** Stops the restart timer without telling the automaton: the layer is being thrown away. */
  discard(): void {
    this.host.cancel(this.timer);
    this.timer = undefined;
  }

  /**
   * Codes 1..7 go to the automaton; `extra` may claim the protocol's other codes (LCP echo,
   * CCP Reset); the rest is Code-Rejected.
   */
  input(information: Buffer, extra?: (code: number, identifier: number, data: Buffer) => boolean): void {
    const p = parsePppPacket(information, `${this.name} packet`);
    if (p instanceof WireError) {
      this.host.log.debug(`${this.name}: ${p.toString()}`);
      return;
    }
    if (p.code >= 1 && p.code <= 7) return this.apply(this.fsm.receive(p.code, p.identifier, p.data));
    if (extra?.(p.code, p.identifier, p.data)) return;
    this.apply(this.fsm.unknownCode(information.subarray(0, p.data.length + 4)));
  }

  /** Echo-Request (`echo`), Echo-Reply or Discard-Request: the automaton decides if it counts. */
  receivedEcho(identifier: number, data: Buffer, echo: boolean): void {
    this.apply(this.fsm.receivedEcho(identifier, data, echo));
  }

  // An event handled while a batch is being applied may drive this automaton again (LCP's
  // this-layer-up closing LCP). Those outputs wait for the current batch: applied in between,
  // the batch's own timer stop (Opened is untimed) would cancel the Terminate restart timer and
  // leave the layer in Closing forever.
  apply(outputs: FsmOutput[]): void {
    if (this.applying) {
      this.deferred.push(outputs);
      return;
    }
    this.applying = true;
    try {
      this.applyNow(outputs);
      for (let later = this.deferred.shift(); later; later = this.deferred.shift()) this.applyNow(later);
    } finally {
      this.applying = false;
    }
    if (this.host.alive) this.events.settled?.();
  }

  private applyNow(outputs: FsmOutput[]): void {
    for (const o of outputs) {
      if (!this.host.alive) return;
      switch (o.kind) {
        case 'send':
          this.host.sendPacket(this.protocol, o.code, o.identifier, o.data);
          break;
        case 'timer':
          this.host.cancel(this.timer);
          this.timer = o.ms === null ? undefined : this.host.schedule(o.ms, () => {
            this.timer = undefined;
            this.apply(this.fsm.timeout());
          });
          break;
        case 'echo-reply-due':
          this.events.echoReplyDue?.(o.identifier, o.data);
          break;
        case 'discarded':
          this.host.log.debug(`${this.name}: discarded: ${o.why}`);
          break;
        case 'this-layer-up':
          this.events.up();
          break;
        case 'this-layer-down':
          this.events.down();
          break;
        case 'this-layer-started':
          break;
        case 'this-layer-finished':
          this.events.finished(o.reason);
          break;
      }
    }
  }
}
