// The part of a PPTP control connection (RFC 2637 section 3.1) both roles share: Echo keepalive
// (section 2.4/2.5), Stop-Control-Connection in both directions (2.3/2.4), hostile bytes and a
// lost TCP connection, and the bookkeeping that makes every call that came up go down exactly
// once. server-control.ts (PAC side) and client-control.ts (PNS side) add the call handling.

import { ControlMessageType, OkResult, GeneralError, IncomingCallResult, StopReason, RESULT_TEXT } from '../wire/pptp-codes.js';
import { controlMessageName, type ControlMessage } from '../wire/pptp-control.js';
import type { LogLevel } from '../log.js';
import type { CallTable } from './call-table.js';
import {
  DEFAULT_TIMERS,
  type CallInfo,
  type ControlAction,
  type ControlEvent,
  type ControlMachine,
  type ControlState,
  type ControlTimers,
  type PeerEndpoint,
  type TimerId,
} from './control-types.js';

export interface CallRecord {
  callId: number;
  peerCallId: number;
  state: 'wait-reply' | 'up' | 'clearing';
  info?: CallInfo;
  release?: (() => void) | undefined;
}

export interface ControlOptions {
  readonly peer: PeerEndpoint;
  readonly local: PeerEndpoint;
  readonly calls: CallTable;
  readonly hostName?: string;
  readonly vendor?: string;
  readonly timers?: Partial<ControlTimers>;
  /** Our Packet Recv. Window Size for GRE (RFC 2637 section 2.7). */
  readonly receiveWindow?: number;
}

export const DEFAULT_HOST_NAME = 'router';
export const DEFAULT_VENDOR = 'pptp-router';

export const callTimer = (callId: number): TimerId => `call-${callId}`;

export abstract class ControlConnection implements ControlMachine {
  protected currentState: ControlState = 'idle';
  protected readonly records = new Map<number, CallRecord>();
  protected readonly timers: ControlTimers;
  protected readonly hostName: string;
  protected readonly vendor: string;
  protected readonly receiveWindow: number;
  protected peerHostName = '';
  private echoIdentifier = 0;
  private echoOutstanding: number | undefined;
  protected out: ControlAction[] = [];

  constructor(protected readonly options: ControlOptions) {
    this.timers = { ...DEFAULT_TIMERS, ...options.timers };
    this.hostName = options.hostName ?? DEFAULT_HOST_NAME;
    this.vendor = options.vendor ?? DEFAULT_VENDOR;
    this.receiveWindow = options.receiveWindow ?? 64;
  }

  get state(): ControlState {
    return this.currentState;
  }

  get activeCalls(): ReadonlyMap<number, CallInfo> {
    const m = new Map<number, CallInfo>();
    for (const r of this.records.values()) if (r.state !== 'wait-reply' && r.info) m.set(r.callId, r.info);
    return m;
  }

  handle(event: ControlEvent): ControlAction[] {
    this.out = [];
    if (this.currentState === 'closed') return this.out;
    switch (event.kind) {
      case 'message':
        this.onMessage(event.message);
        break;
      case 'wire-error':
        this.log('warning', `closing control connection with ${this.peerName()}: ${event.error.toString()}`);
        this.close(`bad control message: ${event.error.toString()}`, true);
        break;
      case 'timer':
        this.onTimer(event.timer);
        break;
      case 'peer-closed':
        this.close(event.reason ?? 'control connection closed by peer', this.currentState !== 'stopping');
        break;
      case 'stop':
        this.stop(event.reason ?? StopReason.None);
        break;
      default:
        this.onLocal(event);
    }
    return this.out;
  }

  // ---- for the roles ----

  protected abstract onStart(): void;
  /** A message in wait-start state. */
  protected abstract onSetupMessage(message: ControlMessage): void;
  /** A message in established state that the shared part does not handle. */
  protected abstract onCallMessage(message: ControlMessage): void;
  protected abstract onCallTimer(callId: number): void;
  /** The connection carried no call for `noCallMs` (only the server starts that timer). */
  protected onNoCallTimer(): void {}
  protected abstract onOpenCall(): void;
  protected abstract onClearCall(callId: number, event: Extract<ControlEvent, { kind: 'clear-call' }>): void;
  /** Clear every call before a Stop-Control-Connection-Request we send. */
  protected abstract clearAllForStop(): void;

  protected send(message: ControlMessage): void {
    this.out.push({ kind: 'send', message });
  }

  /** Both roles answer Incoming-Call-Request "do not accept": only outgoing calls are carried. */
  protected refuseIncomingCall(peerCallId: number, why: string): void {
    this.log('info', `Incoming-Call-Request from ${this.peerName()} refused: ${why}`);
    this.send({
      type: ControlMessageType.IncomingCallReply,
      callId: 0,
      peerCallId,
      resultCode: IncomingCallResult.DoNotAccept,
      errorCode: GeneralError.None,
      packetReceiveWindowSize: this.receiveWindow,
      packetTransmitDelay: 0,
    });
  }

  protected startTimer(timer: TimerId, ms: number): void {
    this.out.push({ kind: 'start-timer', timer, ms });
  }

  protected stopTimer(timer: TimerId): void {
    this.out.push({ kind: 'stop-timer', timer });
  }

  protected log(level: LogLevel, message: string): void {
    this.out.push({ kind: 'log', level, message });
  }

  protected peerName(): string {
    return `${this.options.peer.address}:${this.options.peer.port}`;
  }

  /** The control connection is up: Echo keepalive starts. */
  protected established(peerHostName: string, peerVendor: string): void {
    this.currentState = 'established';
    this.peerHostName = peerHostName;
    this.stopTimer('setup');
    this.startTimer('echo-idle', this.timers.echoIdleMs);
    this.out.push({ kind: 'connected', peerHostName, peerVendor });
  }

  protected callUp(record: CallRecord, info: CallInfo): void {
    record.state = 'up';
    record.info = info;
    this.out.push({ kind: 'call-up', call: info });
  }

  /** Forget a call: release its admission slot and ID, say it went down or failed. */
  protected dropCall(record: CallRecord, reason: string): void {
    if (!this.records.delete(record.callId)) return;
    this.stopTimer(callTimer(record.callId));
    this.options.calls.free(record.callId);
    record.release?.();
    record.release = undefined;
    if (record.info && record.state !== 'wait-reply') {
      this.out.push({ kind: 'call-down', call: record.info, reason });
    } else {
      this.out.push({ kind: 'call-failed', callId: record.callId, peerCallId: record.peerCallId, reason });
    }
  }

  protected findByPeerCallId(peerCallId: number): CallRecord | undefined {
    for (const r of this.records.values()) if (r.peerCallId === peerCallId && r.state !== 'wait-reply') return r;
    return undefined;
  }

  /** Every call down, every timer off, the TCP connection closed. */
  protected close(reason: string, error: boolean): void {
    if (this.currentState === 'closed') return;
    for (const r of [...this.records.values()]) this.dropCall(r, reason);
    for (const t of ['setup', 'echo-idle', 'echo-reply', 'stop-reply'] as const) this.stopTimer(t);
    this.currentState = 'closed';
    this.out.push({ kind: 'close', reason, error });
  }

  private stop(reason: StopReason): void {
    if (this.currentState === 'established') {
      this.clearAllForStop();
      // RFC 2637 section 2.3: calls are cleared before the control connection is stopped.
      for (const r of [...this.records.values()]) this.dropCall(r, 'control connection stopped locally');
      this.send({ type: ControlMessageType.StopControlConnectionRequest, reason });
      this.currentState = 'stopping';
      this.stopTimer('echo-idle');
      this.stopTimer('echo-reply');
      this.startTimer('stop-reply', this.timers.stopReplyMs);
    } else if (this.currentState !== 'stopping') {
      this.close('control connection stopped locally', false);
    }
  }

  private onTimer(timer: TimerId): void {
    if (timer === 'setup') {
      if (this.currentState === 'wait-start' || this.currentState === 'idle') {
        this.log('warning', `no Start-Control-Connection exchange with ${this.peerName()} within ${this.timers.setupMs / 1000} s`);
        this.close(`control connection not established within ${this.timers.setupMs / 1000} s`, true);
      }
    } else if (timer === 'no-call') {
      if (this.currentState === 'established' || this.currentState === 'wait-start') this.onNoCallTimer();
    } else if (timer === 'echo-idle') {
      if (this.currentState === 'established' && this.echoOutstanding === undefined) {
        this.echoIdentifier = (this.echoIdentifier + 1) >>> 0;
        this.echoOutstanding = this.echoIdentifier;
        this.send({ type: ControlMessageType.EchoRequest, identifier: this.echoIdentifier });
        this.startTimer('echo-reply', this.timers.echoReplyMs);
      }
    } else if (timer === 'echo-reply') {
      if (this.echoOutstanding !== undefined) {
        this.log('warning', `no Echo-Reply from ${this.peerName()} within ${this.timers.echoReplyMs / 1000} s, closing control connection`);
        this.close(`peer did not answer Echo-Request within ${this.timers.echoReplyMs / 1000} s`, true);
      }
    } else if (timer === 'stop-reply') {
      if (this.currentState === 'stopping') this.close('no Stop-Control-Connection-Reply, closed anyway', false);
    } else {
      const id = Number(timer.slice('call-'.length));
      this.onCallTimer(id);
    }
  }

  private onLocal(event: ControlEvent): void {
    if (event.kind === 'start') this.onStart();
    else if (event.kind === 'open-call') this.onOpenCall();
    else if (event.kind === 'clear-call') this.onClearCall(event.callId, event);
  }

  private onMessage(message: ControlMessage): void {
    if (this.currentState === 'established') this.startTimer('echo-idle', this.timers.echoIdleMs);
    switch (message.type) {
      case ControlMessageType.EchoRequest:
        // Nothing is answered before the Start-Control-Connection exchange: an Echo-Request
        // there is a setup message out of order (the server closes, the client ignores it).
        if (this.currentState !== 'established' && this.currentState !== 'stopping') break;
        this.send({
          type: ControlMessageType.EchoReply,
          identifier: message.identifier,
          resultCode: OkResult.Ok,
          errorCode: GeneralError.None,
        });
        return;
      case ControlMessageType.EchoReply:
        if (message.identifier === this.echoOutstanding) {
          this.echoOutstanding = undefined;
          this.stopTimer('echo-reply');
        } else {
          this.log('debug', `Echo-Reply ${message.identifier} from ${this.peerName()} answers no request, ignored`);
        }
        return;
      case ControlMessageType.StopControlConnectionRequest:
        this.send({ type: ControlMessageType.StopControlConnectionReply, resultCode: OkResult.Ok, errorCode: GeneralError.None });
        this.log('info', `${this.peerName()} stopped the control connection (reason: ${RESULT_TEXT.stopReason[message.reason]})`);
        this.close(`stopped by peer (${RESULT_TEXT.stopReason[message.reason]})`, false);
        return;
      case ControlMessageType.StopControlConnectionReply:
        if (this.currentState === 'stopping') this.close('control connection stopped', false);
        else this.log('debug', `unsolicited Stop-Control-Connection-Reply from ${this.peerName()} ignored`);
        return;
    }
    if (this.currentState === 'wait-start' || this.currentState === 'idle') this.onSetupMessage(message);
    else if (this.currentState === 'established') this.onCallMessage(message);
    else this.log('debug', `${controlMessageName(message.type)} from ${this.peerName()} while stopping, ignored`);
  }
}
