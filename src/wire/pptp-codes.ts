// Numbers of PPTP control messages (RFC 2637 section 2): message types, result and error codes,
// capability bits, each as a typed enum (a const object plus its union type) with the RFC's
// wording for logs.

/** RFC 2637 section 1.4 / 2: the only PPTP Message Type ever defined is 1 (control). */
export const PPTP_MESSAGE_TYPE_CONTROL = 1;
/** RFC 2637 section 1.4: every control message carries this cookie. */
export const PPTP_MAGIC_COOKIE = 0x1a2b3c4d;
/** RFC 2637 section 2.1: version 1, revision 0. */
export const PPTP_PROTOCOL_VERSION = 0x0100;
export const PPTP_TCP_PORT = 1723;

export const ControlMessageType = {
  StartControlConnectionRequest: 1,
  StartControlConnectionReply: 2,
  StopControlConnectionRequest: 3,
  StopControlConnectionReply: 4,
  EchoRequest: 5,
  EchoReply: 6,
  OutgoingCallRequest: 7,
  OutgoingCallReply: 8,
  IncomingCallRequest: 9,
  IncomingCallReply: 10,
  IncomingCallConnected: 11,
  CallClearRequest: 12,
  CallDisconnectNotify: 13,
  WanErrorNotify: 14,
  SetLinkInfo: 15,
} as const;
export type ControlMessageType = (typeof ControlMessageType)[keyof typeof ControlMessageType];

export const CONTROL_MESSAGE_NAMES: Readonly<Record<ControlMessageType, string>> = {
  1: 'Start-Control-Connection-Request',
  2: 'Start-Control-Connection-Reply',
  3: 'Stop-Control-Connection-Request',
  4: 'Stop-Control-Connection-Reply',
  5: 'Echo-Request',
  6: 'Echo-Reply',
  7: 'Outgoing-Call-Request',
  8: 'Outgoing-Call-Reply',
  9: 'Incoming-Call-Request',
  10: 'Incoming-Call-Reply',
  11: 'Incoming-Call-Connected',
  12: 'Call-Clear-Request',
  13: 'Call-Disconnect-Notify',
  14: 'WAN-Error-Notify',
  15: 'Set-Link-Info',
};

/** Result Code of Start-Control-Connection-Reply (RFC 2637 section 2.2). */
export const StartControlResult = {
  Success: 1,
  GeneralError: 2,
  CommandChannelExists: 3,
  NotAuthorized: 4,
  ProtocolVersionNotSupported: 5,
} as const;
export type StartControlResult = (typeof StartControlResult)[keyof typeof StartControlResult];

/** General Error Codes (RFC 2637 section 2.16). */
export const GeneralError = {
  None: 0,
  NotConnected: 1,
  BadFormat: 2,
  BadValue: 3,
  NoResource: 4,
  BadCallId: 5,
  PacError: 6,
} as const;
export type GeneralError = (typeof GeneralError)[keyof typeof GeneralError];

/** Reason of Stop-Control-Connection-Request (RFC 2637 section 2.3). */
export const StopReason = { None: 1, StopProtocol: 2, StopLocalShutdown: 3 } as const;
export type StopReason = (typeof StopReason)[keyof typeof StopReason];

/** Result Code of Stop-Control-Connection-Reply (2.4) and Echo-Reply (2.6). */
export const OkResult = { Ok: 1, GeneralError: 2 } as const;
export type OkResult = (typeof OkResult)[keyof typeof OkResult];

/** Result Code of Outgoing-Call-Reply (RFC 2637 section 2.8). */
export const OutgoingCallResult = {
  Connected: 1,
  GeneralError: 2,
  NoCarrier: 3,
  Busy: 4,
  NoDialTone: 5,
  TimeOut: 6,
  DoNotAccept: 7,
} as const;
export type OutgoingCallResult = (typeof OutgoingCallResult)[keyof typeof OutgoingCallResult];

/** Result Code of Incoming-Call-Reply (RFC 2637 section 2.10). */
export const IncomingCallResult = { Connect: 1, GeneralError: 2, DoNotAccept: 3 } as const;
export type IncomingCallResult = (typeof IncomingCallResult)[keyof typeof IncomingCallResult];

/** Result Code of Call-Disconnect-Notify (RFC 2637 section 2.13). */
export const DisconnectResult = { LostCarrier: 1, GeneralError: 2, AdminShutdown: 3, Request: 4 } as const;
export type DisconnectResult = (typeof DisconnectResult)[keyof typeof DisconnectResult];

/** Framing Capabilities / Framing Type bits (RFC 2637 sections 2.1, 2.7). */
export const Framing = { Asynchronous: 1, Synchronous: 2, Either: 3 } as const;
/** Bearer Capabilities / Bearer Type bits (RFC 2637 sections 2.1, 2.7). */
export const Bearer = { Analog: 1, Digital: 2, Either: 3 } as const;

export const RESULT_TEXT = {
  startControl: {
    1: 'successful channel establishment',
    2: 'general error',
    3: 'command channel already exists',
    4: 'requester is not authorized',
    5: 'protocol version not supported',
  } as Readonly<Record<StartControlResult, string>>,
  generalError: {
    0: 'none',
    1: 'not connected',
    2: 'bad format',
    3: 'bad value',
    4: 'no resource',
    5: 'bad call ID',
    6: 'PAC error',
  } as Readonly<Record<GeneralError, string>>,
  stopReason: { 1: 'none', 2: 'stop-protocol', 3: 'stop-local-shutdown' } as Readonly<Record<StopReason, string>>,
  ok: { 1: 'OK', 2: 'general error' } as Readonly<Record<OkResult, string>>,
  outgoingCall: {
    1: 'connected',
    2: 'general error',
    3: 'no carrier',
    4: 'busy',
    5: 'no dial tone',
    6: 'time-out',
    7: 'do not accept',
  } as Readonly<Record<OutgoingCallResult, string>>,
  incomingCall: { 1: 'connect', 2: 'general error', 3: 'do not accept' } as Readonly<Record<IncomingCallResult, string>>,
  disconnect: { 1: 'lost carrier', 2: 'general error', 3: 'admin shutdown', 4: 'request' } as Readonly<Record<DisconnectResult, string>>,
};
