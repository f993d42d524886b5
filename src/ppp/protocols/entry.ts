// One protocol's entry in the session's dispatch table (pppd's `struct protent`): the session
// looks a received frame's protocol up here instead of switching on it, and drives every entry
// the same way when the lower layer or the administrator changes something.
import type { Logger } from '../../log.js';
import type { Clock, ClockTimer } from '../clock.js';
import type { FsmConfig } from '../fsm.js';

export interface ProtocolEntry {
  readonly protocol: number;
  readonly name: string;
  /** A frame of this protocol arrived while LCP is Opened (LCP itself: always). */
  input(information: Buffer): void;
  /** The peer Protocol-Rejected this protocol (RFC 1661 section 5.7). */
  protocolReject(): void;
  /** LCP left Opened: what this protocol negotiated is void. */
  lowerDown(): void;
}

/** What a protocol entry may use of its session. */
export interface PppHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly fsmConfig: FsmConfig;
  /** False once the session is over: nothing may be sent or scheduled any more. */
  readonly alive: boolean;
  /** A control packet (Code, Identifier, Data) of `protocol`. */
  sendPacket(protocol: number, code: number, identifier: number, data: Buffer): void;
  /** One-shot timer the session cancels when it ends; `fn` runs guarded. */
  schedule(ms: number, fn: () => void): ClockTimer;
  cancel(timer: ClockTimer | undefined): void;
}
