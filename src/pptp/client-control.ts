// The client (PNS) side of a PPTP control connection, RFC 2637 section 3.1.2 and 3.2: it sends
// Start-Control-Connection-Request and checks the Reply, places calls with
// Outgoing-Call-Request (our Call ID from the shared call table) and reads the Reply's result,
// clears them with Call-Clear-Request and waits for Call-Disconnect-Notify, refuses incoming
// calls, and accepts Set-Link-Info and WAN-Error-Notify.

import {
  Bearer,
  ControlMessageType,
  Framing,
  GeneralError,
  OutgoingCallResult,
  PPTP_PROTOCOL_VERSION,
  RESULT_TEXT,
  StartControlResult,
} from '../wire/pptp-codes.js';
import { controlMessageName, type ControlMessage, type OutgoingCallReply } from '../wire/pptp-control.js';
import { ControlConnection, callTimer, type CallRecord, type ControlOptions } from './control-connection.js';
import type { ControlEvent } from './control-types.js';

function errorText(resultIsGeneralError: boolean, errorCode: GeneralError): string {
  return resultIsGeneralError && errorCode !== GeneralError.None ? ` (error: ${RESULT_TEXT.generalError[errorCode]})` : '';
}

export class ClientControlConnection extends ControlConnection {
  private serial = 0;
  private readonly queued: CallRecord[] = [];

  constructor(options: ControlOptions) {
    super(options);
  }

  protected onStart(): void {
    if (this.currentState !== 'idle') return;
    this.currentState = 'wait-start';
    this.send({
      type: ControlMessageType.StartControlConnectionRequest,
      protocolVersion: PPTP_PROTOCOL_VERSION,
      framingCapabilities: Framing.Either,
      bearerCapabilities: Bearer.Either,
      maximumChannels: 0,
      firmwareRevision: 1,
      hostName: this.hostName,
      vendorString: this.vendor,
    });
    this.startTimer('setup', this.timers.setupMs);
  }

  protected onSetupMessage(message: ControlMessage): void {
    if (message.type !== ControlMessageType.StartControlConnectionReply) {
      this.log('debug', `${controlMessageName(message.type)} from ${this.peerName()} before Start-Control-Connection-Reply ignored`);
      return;
    }
    if (message.resultCode !== StartControlResult.Success) {
      const why = RESULT_TEXT.startControl[message.resultCode] + errorText(message.resultCode === StartControlResult.GeneralError, message.errorCode);
      this.log('warning', `${this.peerName()} refused the control connection: ${why}`);
      this.close(`server refused the control connection: ${why}`, true);
      return;
    }
    if (message.protocolVersion >> 8 !== PPTP_PROTOCOL_VERSION >> 8) {
      const v = `${message.protocolVersion >> 8}.${message.protocolVersion & 0xff}`;
      this.log('warning', `${this.peerName()} answered with PPTP version ${v}`);
      this.close(`server speaks PPTP version ${v}`, true);
      return;
    }
    this.log('info', `control connection to ${this.peerName()} up (host "${message.hostName}", vendor "${message.vendorString}")`);
    this.established(message.hostName, message.vendorString);
    for (const record of this.queued.splice(0)) this.sendOutgoingCall(record);
  }

  protected onOpenCall(): void {
    if (this.currentState !== 'idle' && this.currentState !== 'wait-start' && this.currentState !== 'established') {
      this.out.push({ kind: 'call-failed', callId: 0, peerCallId: 0, reason: 'control connection is closing' });
      return;
    }
    const callId = this.options.calls.allocate();
    if (callId === undefined) {
      this.out.push({ kind: 'call-failed', callId: 0, peerCallId: 0, reason: 'no free call ID' });
      return;
    }
    const record: CallRecord = { callId, peerCallId: 0, state: 'wait-reply' };
    this.records.set(callId, record);
    this.out.push({ kind: 'call-pending', callId });
    if (this.currentState === 'established') this.sendOutgoingCall(record);
    else this.queued.push(record);
  }

  private sendOutgoingCall(record: CallRecord): void {
    this.serial = (this.serial + 1) & 0xffff;
    this.send({
      type: ControlMessageType.OutgoingCallRequest,
      callId: record.callId,
      callSerialNumber: this.serial,
      minimumBps: 300,
      maximumBps: 100_000_000,
      bearerType: Bearer.Either,
      framingType: Framing.Either,
      packetReceiveWindowSize: this.receiveWindow,
      packetProcessingDelay: 0,
      phoneNumberLength: 0,
      phoneNumber: '',
      subaddress: '',
    });
    this.startTimer(callTimer(record.callId), this.timers.callReplyMs);
  }

  protected onCallMessage(message: ControlMessage): void {
    switch (message.type) {
      case ControlMessageType.OutgoingCallReply:
        this.onOutgoingReply(message);
        return;
      case ControlMessageType.CallDisconnectNotify: {
        // The Call ID of a Call-Disconnect-Notify is the PAC's (RFC 2637 section 2.13).
        const record = this.findByPeerCallId(message.callId);
        if (!record) {
          this.log('debug', `Call-Disconnect-Notify for unknown call ${message.callId} from ${this.peerName()} ignored`);
          return;
        }
        const why = RESULT_TEXT.disconnect[message.resultCode] + errorText(true, message.errorCode);
        const stats = message.callStatistics ? `, statistics: ${message.callStatistics}` : '';
        const reason = record.state === 'clearing' ? 'cleared' : `server disconnected the call: ${why}`;
        this.log('info', `call ${record.callId} with ${this.peerName()} down: ${why}${stats}`);
        this.dropCall(record, reason);
        return;
      }
      case ControlMessageType.IncomingCallRequest:
        this.refuseIncomingCall(message.callId, 'this client takes no incoming calls');
        return;
      case ControlMessageType.SetLinkInfo:
        return; // RFC 2637 section 2.15: nothing to do over GRE
      case ControlMessageType.WanErrorNotify:
        this.log(
          'info',
          `WAN-Error-Notify from ${this.peerName()} for call ${message.peerCallId}: CRC ${message.crcErrors}, framing ${message.framingErrors}, ` +
            `hardware overruns ${message.hardwareOverruns}, buffer overruns ${message.bufferOverruns}, time-outs ${message.timeoutErrors}, alignment ${message.alignmentErrors}`,
        );
        return;
      default:
        this.log('debug', `${controlMessageName(message.type)} from ${this.peerName()} ignored (not for a PNS)`);
    }
  }

  private onOutgoingReply(message: OutgoingCallReply): void {
    const record = this.records.get(message.peerCallId);
    if (!record || record.state !== 'wait-reply') {
      this.log('debug', `Outgoing-Call-Reply for unknown call ${message.peerCallId} from ${this.peerName()} ignored`);
      return;
    }
    this.stopTimer(callTimer(record.callId));
    record.peerCallId = message.callId;
    if (message.resultCode !== OutgoingCallResult.Connected) {
      const why = `${RESULT_TEXT.outgoingCall[message.resultCode]} (result ${message.resultCode})` + errorText(true, message.errorCode);
      this.log('warning', `${this.peerName()} refused call ${record.callId}: ${why}`);
      this.dropCall(record, `server refused the call: ${why}`);
      return;
    }
    this.log('info', `call ${record.callId} up with ${this.peerName()} (peer call ${message.callId})`);
    this.callUp(record, {
      callId: record.callId,
      peerCallId: message.callId,
      peer: this.options.peer,
      local: this.options.local,
      peerReceiveWindow: message.packetReceiveWindowSize,
      peerProcessingDelay: message.packetProcessingDelay,
      connectSpeed: message.connectSpeed,
    });
  }

  protected onCallTimer(callId: number): void {
    const record = this.records.get(callId);
    if (!record) return;
    if (record.state === 'wait-reply') {
      // Tell the server to forget the call in case its reply is merely late.
      this.send({ type: ControlMessageType.CallClearRequest, callId });
      this.log('warning', `no Outgoing-Call-Reply from ${this.peerName()} for call ${callId} within ${this.timers.callReplyMs / 1000} s`);
      this.dropCall(record, `no Outgoing-Call-Reply within ${this.timers.callReplyMs / 1000} s`);
    } else if (record.state === 'clearing') {
      this.log('warning', `no Call-Disconnect-Notify from ${this.peerName()} for call ${callId}, dropped anyway`);
      this.dropCall(record, 'cleared (no Call-Disconnect-Notify)');
    }
  }

  protected onClearCall(callId: number, _event: Extract<ControlEvent, { kind: 'clear-call' }>): void {
    const record = this.records.get(callId);
    if (!record || record.state === 'clearing') return;
    const queuedAt = this.queued.indexOf(record);
    if (queuedAt >= 0) {
      this.queued.splice(queuedAt, 1);
      this.dropCall(record, 'cancelled before it was placed');
      return;
    }
    // RFC 2637 section 2.12: the PNS clears with its own Call ID and waits for the PAC's
    // Call-Disconnect-Notify.
    this.send({ type: ControlMessageType.CallClearRequest, callId });
    if (record.state === 'wait-reply') {
      this.dropCall(record, 'cancelled before the server answered');
      return;
    }
    record.state = 'clearing';
    this.startTimer(callTimer(callId), this.timers.callReplyMs);
  }

  protected clearAllForStop(): void {
    for (const r of this.records.values()) {
      if (!this.queued.includes(r) && r.state !== 'clearing') this.send({ type: ControlMessageType.CallClearRequest, callId: r.callId });
    }
    this.queued.length = 0;
  }
}
