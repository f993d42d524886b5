// What goes in and out of the PPTP control-connection machines (RFC 2637 section 3): events
// (a parsed message, a codec error, a timer, the TCP connection ending, a local request) and
// actions (send a message, (re)start or stop a timer, a call came up or went down, close the
// connection). The machines hold no sockets and read no clock; control-socket.ts does that.

import type { WireError } from '../wire/error.js';
import type { ControlMessage } from '../wire/pptp-control.js';
import type { GeneralError, OutgoingCallResult, StopReason, DisconnectResult } from '../wire/pptp-codes.js';
import type { LogLevel } from '../log.js';

export type TimerId = 'setup' | 'no-call' | 'echo-idle' | 'echo-reply' | 'stop-reply' | `call-${number}`;

/** Timer lengths in milliseconds. */
export interface ControlTimers {
  /** Server: wait for Start-Control-Connection-Request after accept; client: for the Reply. */
  readonly setupMs: number;
  /** RFC 2637 section 2.4: an Echo-Request is sent after this long without any control message. */
  readonly echoIdleMs: number;
  /** How long an Echo-Request may stay unanswered before the connection is closed. */
  readonly echoReplyMs: number;
  /** How long to wait for Stop-Control-Connection-Reply before closing anyway. */
  readonly stopReplyMs: number;
  /** Client: wait for Outgoing-Call-Reply, and for Call-Disconnect-Notify after a Call-Clear-Request. */
  readonly callReplyMs: number;
  /** Server: how long an established control connection may go without a call before it is closed. */
  readonly noCallMs: number;
}

export const DEFAULT_TIMERS: ControlTimers = {
  setupMs: 60_000,
  echoIdleMs: 60_000,
  echoReplyMs: 60_000,
  stopReplyMs: 10_000,
  callReplyMs: 60_000,
  // A client places its call right after the Start-Control-Connection exchange (pptp-linux,
  // Windows and RouterOS all do); a connection idle this long only holds a place on the server.
  noCallMs: 15_000,
};

export interface PeerEndpoint {
  readonly address: string;
  readonly port: number;
}

/** One PPTP call (a tunnel): what the data plane needs to carry its GRE packets. */
export interface CallInfo {
  /** Our Call ID: the peer puts it in the key of every GRE packet it sends us. */
  readonly callId: number;
  /** The peer's Call ID: we put it in the key of every GRE packet we send. */
  readonly peerCallId: number;
  /** The remote end of the control connection (GRE goes to the same address). */
  readonly peer: PeerEndpoint;
  /** Our address on the control connection (GRE should leave from it). */
  readonly local: PeerEndpoint;
  /** The peer's Packet Recv. Window Size: how many unacknowledged GRE packets it accepts. */
  readonly peerReceiveWindow: number;
  /** The peer's Packet Processing Delay (1/10 s units), RFC 2637 section 2.7. */
  readonly peerProcessingDelay: number;
  /** Connect Speed (client: from Outgoing-Call-Reply; server: Maximum BPS asked for). */
  readonly connectSpeed: number;
}

/** What the licence check answers when a peer asks for a call (server, at Outgoing-Call). */
export type Admission =
  | {
      readonly ok: true;
      /** Called exactly once when the admitted call goes down (or could not come up). */
      readonly release?: () => void;
    }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly resultCode: OutgoingCallResult;
      readonly errorCode?: GeneralError;
    };

export interface AdmissionRequest {
  readonly peer: PeerEndpoint;
  /** Host Name from the peer's Start-Control-Connection-Request. */
  readonly peerHostName: string;
  readonly peerCallId: number;
  /** The Call ID we will answer with if admitted (already reserved in the call table). */
  readonly callId: number;
}

/**
 * Synchronous on purpose: a "yes" reserves the slot before the next Outgoing-Call-Request is
 * looked at, so a burst of requests can never admit one more than the limit.
 */
export type AdmissionHook = (request: AdmissionRequest) => Admission;

export const admitAll: AdmissionHook = () => ({ ok: true });

export type ControlEvent =
  | { readonly kind: 'start' }
  | { readonly kind: 'message'; readonly message: ControlMessage }
  | { readonly kind: 'wire-error'; readonly error: WireError }
  | { readonly kind: 'timer'; readonly timer: TimerId }
  | { readonly kind: 'peer-closed'; readonly reason?: string }
  /** Client only: ask the server for a new call. */
  | { readonly kind: 'open-call' }
  /** Clear one of our calls (client: Call-Clear-Request; server: Call-Disconnect-Notify). */
  | { readonly kind: 'clear-call'; readonly callId: number; readonly result?: DisconnectResult }
  /** Close the control connection properly (Stop-Control-Connection-Request). */
  | { readonly kind: 'stop'; readonly reason?: StopReason };

export type ControlAction =
  | { readonly kind: 'send'; readonly message: ControlMessage }
  | { readonly kind: 'start-timer'; readonly timer: TimerId; readonly ms: number }
  | { readonly kind: 'stop-timer'; readonly timer: TimerId }
  | { readonly kind: 'log'; readonly level: LogLevel; readonly message: string }
  /** The control connection is established (after the Start-Control-Connection exchange). */
  | { readonly kind: 'connected'; readonly peerHostName: string; readonly peerVendor: string }
  /** Client: an Outgoing-Call-Request went out for this call ID. */
  | { readonly kind: 'call-pending'; readonly callId: number }
  | { readonly kind: 'call-up'; readonly call: CallInfo }
  /** A call that never came up: refused by the peer, by admission, or timed out. */
  | { readonly kind: 'call-failed'; readonly callId: number; readonly peerCallId: number; readonly reason: string }
  | { readonly kind: 'call-down'; readonly call: CallInfo; readonly reason: string }
  /** Close the TCP connection (after sending what came before). */
  | { readonly kind: 'close'; readonly reason: string; readonly error: boolean };

export type ControlState = 'idle' | 'wait-start' | 'established' | 'stopping' | 'closed';

export interface ControlMachine {
  readonly state: ControlState;
  handle(event: ControlEvent): ControlAction[];
  /** Calls that are up, by our call ID. */
  readonly activeCalls: ReadonlyMap<number, CallInfo>;
}
