// The server (PAC) side of a PPTP control connection, RFC 2637 section 3.1.3 and 3.2: it waits
// for Start-Control-Connection-Request, answers Outgoing-Call-Requests with a Call ID from the
// shared call table after asking the admission hook (the licence limit), clears calls on
// Call-Clear-Request with Call-Disconnect-Notify, and refuses Incoming-Call-Requests (a PPTP
// server here only takes outgoing calls from its clients). A connection carries one call at a
// time, as Linux's pptpd allows, and one that carries none for a while is closed: a peer that
// has not authenticated gets nothing to hold on to.

import {
  Bearer,
  ControlMessageType,
  DisconnectResult,
  Framing,
  GeneralError,
  OutgoingCallResult,
  PPTP_PROTOCOL_VERSION,
  StartControlResult,
} from '../wire/pptp-codes.js';
import { controlMessageName, type ControlMessage, type OutgoingCallRequest } from '../wire/pptp-control.js';
import { ControlConnection, type CallRecord, type ControlOptions } from './control-connection.js';
import { admitAll, type AdmissionHook, type ControlEvent } from './control-types.js';

export interface ServerControlOptions extends ControlOptions {
  readonly admit?: AdmissionHook;
  /** Connect Speed reported in Outgoing-Call-Reply (bits/s); default 100 Mbit/s. */
  readonly connectSpeed?: number;
}

export class ServerControlConnection extends ControlConnection {
  private readonly admit: AdmissionHook;

  constructor(private readonly serverOptions: ServerControlOptions) {
    super(serverOptions);
    this.admit = serverOptions.admit ?? admitAll;
  }

  protected onStart(): void {
    if (this.currentState !== 'idle') return;
    this.currentState = 'wait-start';
    this.startTimer('setup', this.timers.setupMs);
    // Counted from the TCP connection, not from Start-Control-Connection: a peer that says
    // nothing at all is gone as soon as one that never places a call.
    this.startTimer('no-call', this.timers.noCallMs);
  }

  protected onSetupMessage(message: ControlMessage): void {
    if (message.type !== ControlMessageType.StartControlConnectionRequest) {
      this.log('warning', `${controlMessageName(message.type)} from ${this.peerName()} before Start-Control-Connection-Request, closing`);
      this.close(`${controlMessageName(message.type)} before Start-Control-Connection-Request`, true);
      return;
    }
    // RFC 2637 section 2.2: the version is 1.0; a peer speaking another one gets result 5.
    if (message.protocolVersion >> 8 !== PPTP_PROTOCOL_VERSION >> 8) {
      this.send(this.startReply(StartControlResult.ProtocolVersionNotSupported));
      const v = `${message.protocolVersion >> 8}.${message.protocolVersion & 0xff}`;
      this.log('warning', `${this.peerName()} speaks PPTP version ${v}, closing`);
      this.close(`protocol version ${v} not supported`, true);
      return;
    }
    this.send(this.startReply(StartControlResult.Success));
    this.log('info', `control connection from ${this.peerName()} (host "${message.hostName}", vendor "${message.vendorString}")`);
    this.established(message.hostName, message.vendorString);
  }

  protected override onNoCallTimer(): void {
    if (this.records.size > 0) return;
    const s = this.timers.noCallMs / 1000;
    this.log('warning', `${this.peerName()} placed no call within ${s} s, closing control connection`);
    this.close(`no call within ${s} s`, true);
  }

  protected override dropCall(record: CallRecord, reason: string): void {
    super.dropCall(record, reason);
    if (this.currentState === 'established' && this.records.size === 0) this.startTimer('no-call', this.timers.noCallMs);
  }

  private startReply(resultCode: StartControlResult): ControlMessage {
    return {
      type: ControlMessageType.StartControlConnectionReply,
      protocolVersion: PPTP_PROTOCOL_VERSION,
      resultCode,
      errorCode: GeneralError.None,
      framingCapabilities: Framing.Either,
      bearerCapabilities: Bearer.Either,
      maximumChannels: 0,
      firmwareRevision: 1,
      hostName: this.hostName,
      vendorString: this.vendor,
    };
  }

  protected onCallMessage(message: ControlMessage): void {
    switch (message.type) {
      case ControlMessageType.StartControlConnectionRequest:
        this.log('warning', `second Start-Control-Connection-Request from ${this.peerName()} refused`);
        this.send(this.startReply(StartControlResult.CommandChannelExists));
        return;
      case ControlMessageType.OutgoingCallRequest:
        this.onOutgoingCall(message);
        return;
      case ControlMessageType.CallClearRequest: {
        // The Call ID of a Call-Clear-Request is the PNS's own (RFC 2637 section 2.12).
        const record = this.findByPeerCallId(message.callId);
        if (!record) {
          this.log('warning', `Call-Clear-Request for unknown call ${message.callId} from ${this.peerName()} ignored`);
          return;
        }
        this.sendDisconnect(record.callId, DisconnectResult.Request);
        this.dropCall(record, 'cleared by peer (Call-Clear-Request)');
        return;
      }
      case ControlMessageType.IncomingCallRequest:
        this.refuseIncomingCall(message.callId, 'this server only takes outgoing calls');
        return;
      case ControlMessageType.SetLinkInfo:
        // RFC 2637 section 2.15: ACCMs mean nothing over GRE; accepted silently.
        return;
      default:
        this.log('debug', `${controlMessageName(message.type)} from ${this.peerName()} ignored (not for a PAC)`);
    }
  }

  private onOutgoingCall(message: OutgoingCallRequest): void {
    const refuse = (resultCode: OutgoingCallResult, errorCode: GeneralError, reason: string) => {
      this.log('warning', `call from ${this.peerName()} (peer call ${message.callId}) refused: ${reason}`);
      this.send(this.outgoingReply(0, message.callId, resultCode, errorCode));
      this.out.push({ kind: 'call-failed', callId: 0, peerCallId: message.callId, reason });
    };
    if (this.records.size > 0) {
      refuse(OutgoingCallResult.DoNotAccept, GeneralError.None, 'this control connection already carries a call (one call per connection)');
      return;
    }
    const callId = this.options.calls.allocate();
    if (callId === undefined) {
      refuse(OutgoingCallResult.GeneralError, GeneralError.NoResource, 'no free call ID');
      return;
    }
    const admission = this.admit({ peer: this.options.peer, peerHostName: this.peerHostName, peerCallId: message.callId, callId });
    if (!admission.ok) {
      this.options.calls.free(callId);
      refuse(admission.resultCode, admission.errorCode ?? GeneralError.None, admission.reason);
      return;
    }
    const record = { callId, peerCallId: message.callId, state: 'wait-reply' as const, release: admission.release };
    this.records.set(callId, record);
    this.stopTimer('no-call');
    this.log('info', `call ${callId} up with ${this.peerName()} (peer call ${message.callId})`);
    // call-up first: its owner opens the GRE session before the reply lets the peer send, or the
    // peer's first LCP packets (on the native data plane's own thread) would find no session.
    this.callUp(record, {
      callId,
      peerCallId: message.callId,
      peer: this.options.peer,
      local: this.options.local,
      peerReceiveWindow: message.packetReceiveWindowSize,
      peerProcessingDelay: message.packetProcessingDelay,
      connectSpeed: this.connectSpeed(message),
    });
    this.send(this.outgoingReply(callId, message.callId, OutgoingCallResult.Connected, GeneralError.None));
  }

  private connectSpeed(message: OutgoingCallRequest): number {
    return this.serverOptions.connectSpeed ?? (message.maximumBps > 0 ? message.maximumBps : 100_000_000);
  }

  private outgoingReply(callId: number, peerCallId: number, resultCode: OutgoingCallResult, errorCode: GeneralError): ControlMessage {
    return {
      type: ControlMessageType.OutgoingCallReply,
      callId,
      peerCallId,
      resultCode,
      errorCode,
      causeCode: 0,
      connectSpeed: this.serverOptions.connectSpeed ?? 100_000_000,
      packetReceiveWindowSize: this.receiveWindow,
      packetProcessingDelay: 0,
      physicalChannelId: 0,
    };
  }

  private sendDisconnect(callId: number, resultCode: DisconnectResult): void {
    this.send({
      type: ControlMessageType.CallDisconnectNotify,
      callId,
      resultCode,
      errorCode: GeneralError.None,
      causeCode: 0,
      callStatistics: '',
    });
  }

  protected onCallTimer(): void {}

  protected onOpenCall(): void {
    this.log('debug', 'open-call ignored: a PAC does not place outgoing calls');
  }

  protected onClearCall(callId: number, event: Extract<ControlEvent, { kind: 'clear-call' }>): void {
    const record = this.records.get(callId);
    if (!record || this.currentState !== 'established') return;
    this.sendDisconnect(callId, event.result ?? DisconnectResult.AdminShutdown);
    this.log('info', `call ${callId} with ${this.peerName()} cleared locally`);
    this.dropCall(record, 'cleared locally');
  }

  protected clearAllForStop(): void {
    for (const r of this.records.values()) this.sendDisconnect(r.callId, DisconnectResult.AdminShutdown);
  }
}
