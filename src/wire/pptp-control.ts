// PPTP control messages (RFC 2637 section 2), carried on TCP port 1723. Pure codec: each message
// is a typed value; parseControlMessage checks the header, the exact length of the message type,
// reserved fields and code values and returns a WireError naming the field otherwise;
// emitControlMessage writes the bytes. readControlMessage (pptp-stream.ts) cuts messages out of
// a growing TCP buffer.
//
// Every message starts with the same 12-byte header (RFC 2637 section 1.4):
//   Length(2) | PPTP Message Type(2) = 1 | Magic Cookie(4) = 0x1A2B3C4D |
//   Control Message Type(2) | Reserved0(2) = 0
// The body layouts are the FIELDS table below, in RFC order; offsets are computed from it and
// the resulting lengths are checked against MESSAGE_LENGTH (the RFC's stated lengths) at load.

import { WireError } from './error.js';
import {
  CONTROL_MESSAGE_NAMES,
  ControlMessageType,
  DisconnectResult,
  GeneralError,
  IncomingCallResult,
  OkResult,
  OutgoingCallResult,
  PPTP_MAGIC_COOKIE,
  PPTP_MESSAGE_TYPE_CONTROL,
  StartControlResult,
  StopReason,
} from './pptp-codes.js';

// Header offsets (RFC 2637 section 1.4).
export const PPTP_OFFSET_LENGTH = 0;
export const PPTP_OFFSET_MESSAGE_TYPE = 2;
export const PPTP_OFFSET_MAGIC_COOKIE = 4;
export const PPTP_OFFSET_CONTROL_TYPE = 8;
export const PPTP_OFFSET_RESERVED0 = 10;
export const PPTP_HEADER_LENGTH = 12;
/** Host Name, Vendor String, Phone Number, Subaddress, Dialed/Dialing Number (RFC 2637 section 2). */
export const PPTP_STRING_LENGTH = 64;
/** Call Statistics of Call-Disconnect-Notify (RFC 2637 section 2.13). */
export const PPTP_CALL_STATISTICS_LENGTH = 128;

/** Total length of each message, as stated in RFC 2637 sections 2.1-2.15. */
export const MESSAGE_LENGTH: Readonly<Record<ControlMessageType, number>> = {
  1: 156,
  2: 156,
  3: 16,
  4: 16,
  5: 16,
  6: 20,
  7: 168,
  8: 32,
  9: 220,
  10: 24,
  11: 28,
  12: 16,
  13: 148,
  14: 40,
  15: 24,
};
export const PPTP_MAX_MESSAGE_LENGTH = 220;

export interface StartControlConnectionRequest {
  readonly type: typeof ControlMessageType.StartControlConnectionRequest;
  readonly protocolVersion: number;
  readonly framingCapabilities: number;
  readonly bearerCapabilities: number;
  readonly maximumChannels: number;
  readonly firmwareRevision: number;
  readonly hostName: string;
  readonly vendorString: string;
}
export interface StartControlConnectionReply {
  readonly type: typeof ControlMessageType.StartControlConnectionReply;
  readonly protocolVersion: number;
  readonly resultCode: StartControlResult;
  readonly errorCode: GeneralError;
  readonly framingCapabilities: number;
  readonly bearerCapabilities: number;
  readonly maximumChannels: number;
  readonly firmwareRevision: number;
  readonly hostName: string;
  readonly vendorString: string;
}
export interface StopControlConnectionRequest {
  readonly type: typeof ControlMessageType.StopControlConnectionRequest;
  readonly reason: StopReason;
}
export interface StopControlConnectionReply {
  readonly type: typeof ControlMessageType.StopControlConnectionReply;
  readonly resultCode: OkResult;
  readonly errorCode: GeneralError;
}
export interface EchoRequest {
  readonly type: typeof ControlMessageType.EchoRequest;
  readonly identifier: number;
}
export interface EchoReply {
  readonly type: typeof ControlMessageType.EchoReply;
  readonly identifier: number;
  readonly resultCode: OkResult;
  readonly errorCode: GeneralError;
}
export interface OutgoingCallRequest {
  readonly type: typeof ControlMessageType.OutgoingCallRequest;
  readonly callId: number;
  readonly callSerialNumber: number;
  readonly minimumBps: number;
  readonly maximumBps: number;
  readonly bearerType: number;
  readonly framingType: number;
  readonly packetReceiveWindowSize: number;
  readonly packetProcessingDelay: number;
  readonly phoneNumberLength: number;
  readonly phoneNumber: string;
  readonly subaddress: string;
}
export interface OutgoingCallReply {
  readonly type: typeof ControlMessageType.OutgoingCallReply;
  readonly callId: number;
  readonly peerCallId: number;
  readonly resultCode: OutgoingCallResult;
  readonly errorCode: GeneralError;
  readonly causeCode: number;
  readonly connectSpeed: number;
  readonly packetReceiveWindowSize: number;
  readonly packetProcessingDelay: number;
  readonly physicalChannelId: number;
}
export interface IncomingCallRequest {
  readonly type: typeof ControlMessageType.IncomingCallRequest;
  readonly callId: number;
  readonly callSerialNumber: number;
  readonly callBearerType: number;
  readonly physicalChannelId: number;
  readonly dialedNumberLength: number;
  readonly dialingNumberLength: number;
  readonly dialedNumber: string;
  readonly dialingNumber: string;
  readonly subaddress: string;
}
export interface IncomingCallReply {
  readonly type: typeof ControlMessageType.IncomingCallReply;
  readonly callId: number;
  readonly peerCallId: number;
  readonly resultCode: IncomingCallResult;
  readonly errorCode: GeneralError;
  readonly packetReceiveWindowSize: number;
  readonly packetTransmitDelay: number;
}
export interface IncomingCallConnected {
  readonly type: typeof ControlMessageType.IncomingCallConnected;
  readonly peerCallId: number;
  readonly connectSpeed: number;
  readonly packetReceiveWindowSize: number;
  readonly packetTransmitDelay: number;
  readonly framingType: number;
}
export interface CallClearRequest {
  readonly type: typeof ControlMessageType.CallClearRequest;
  readonly callId: number;
}
export interface CallDisconnectNotify {
  readonly type: typeof ControlMessageType.CallDisconnectNotify;
  readonly callId: number;
  readonly resultCode: DisconnectResult;
  readonly errorCode: GeneralError;
  readonly causeCode: number;
  readonly callStatistics: string;
}
export interface WanErrorNotify {
  readonly type: typeof ControlMessageType.WanErrorNotify;
  readonly peerCallId: number;
  readonly crcErrors: number;
  readonly framingErrors: number;
  readonly hardwareOverruns: number;
  readonly bufferOverruns: number;
  readonly timeoutErrors: number;
  readonly alignmentErrors: number;
}
export interface SetLinkInfo {
  readonly type: typeof ControlMessageType.SetLinkInfo;
  readonly peerCallId: number;
  readonly sendAccm: number;
  readonly receiveAccm: number;
}

export type ControlMessage =
  | StartControlConnectionRequest
  | StartControlConnectionReply
  | StopControlConnectionRequest
  | StopControlConnectionReply
  | EchoRequest
  | EchoReply
  | OutgoingCallRequest
  | OutgoingCallReply
  | IncomingCallRequest
  | IncomingCallReply
  | IncomingCallConnected
  | CallClearRequest
  | CallDisconnectNotify
  | WanErrorNotify
  | SetLinkInfo;

/** One field of a message body: key in the typed value, the RFC's name, the wire shape. */
export type FieldSpec =
  | { readonly key: string; readonly label: string; readonly kind: 'u8' | 'u16' | 'u32' }
  | { readonly key: string; readonly label: string; readonly kind: 'code'; readonly values: Readonly<Record<string, number>> }
  | { readonly key: string; readonly label: string; readonly kind: 'reserved'; readonly size: 1 | 2 }
  | { readonly key: string; readonly label: string; readonly kind: 'string'; readonly size: number };

const u16 = (key: string, label: string): FieldSpec => ({ key, label, kind: 'u16' });
const u32 = (key: string, label: string): FieldSpec => ({ key, label, kind: 'u32' });
const code = (key: string, label: string, values: Readonly<Record<string, number>>): FieldSpec => ({ key, label, kind: 'code', values });
const reserved = (label: string, size: 1 | 2): FieldSpec => ({ key: '', label, kind: 'reserved', size });
const str = (key: string, label: string, size = PPTP_STRING_LENGTH): FieldSpec => ({ key, label, kind: 'string', size });

const resultError = (results: Readonly<Record<string, number>>) => [
  code('resultCode', 'Result Code', results),
  code('errorCode', 'Error Code', GeneralError),
];

/** Body layouts (after the 12-byte header), RFC 2637 sections 2.1-2.15. */
export const FIELDS: Readonly<Record<ControlMessageType, readonly FieldSpec[]>> = {
  1: [
    u16('protocolVersion', 'Protocol Version'),
    reserved('Reserved1', 2),
    u32('framingCapabilities', 'Framing Capabilities'),
    u32('bearerCapabilities', 'Bearer Capabilities'),
    u16('maximumChannels', 'Maximum Channels'),
    u16('firmwareRevision', 'Firmware Revision'),
    str('hostName', 'Host Name'),
    str('vendorString', 'Vendor String'),
  ],
  2: [
    u16('protocolVersion', 'Protocol Version'),
    ...resultError(StartControlResult),
    u32('framingCapabilities', 'Framing Capabilities'),
    u32('bearerCapabilities', 'Bearer Capabilities'),
    u16('maximumChannels', 'Maximum Channels'),
    u16('firmwareRevision', 'Firmware Revision'),
    str('hostName', 'Host Name'),
    str('vendorString', 'Vendor String'),
  ],
  3: [code('reason', 'Reason', StopReason), reserved('Reserved1', 1), reserved('Reserved2', 2)],
  4: [...resultError(OkResult), reserved('Reserved1', 2)],
  5: [u32('identifier', 'Identifier')],
  6: [u32('identifier', 'Identifier'), ...resultError(OkResult), reserved('Reserved1', 2)],
  7: [
    u16('callId', 'Call ID'),
    u16('callSerialNumber', 'Call Serial Number'),
    u32('minimumBps', 'Minimum BPS'),
    u32('maximumBps', 'Maximum BPS'),
    u32('bearerType', 'Bearer Type'),
    u32('framingType', 'Framing Type'),
    u16('packetReceiveWindowSize', 'Packet Recv. Window Size'),
    u16('packetProcessingDelay', 'Packet Processing Delay'),
    u16('phoneNumberLength', 'Phone Number Length'),
    reserved('Reserved1', 2),
    str('phoneNumber', 'Phone Number'),
    str('subaddress', 'Subaddress'),
  ],
  8: [
    u16('callId', 'Call ID'),
    u16('peerCallId', "Peer's Call ID"),
    ...resultError(OutgoingCallResult),
    u16('causeCode', 'Cause Code'),
    u32('connectSpeed', 'Connect Speed'),
    u16('packetReceiveWindowSize', 'Packet Recv. Window Size'),
    u16('packetProcessingDelay', 'Packet Processing Delay'),
    u32('physicalChannelId', 'Physical Channel ID'),
  ],
  9: [
    u16('callId', 'Call ID'),
    u16('callSerialNumber', 'Call Serial Number'),
    u32('callBearerType', 'Call Bearer Type'),
    u32('physicalChannelId', 'Physical Channel ID'),
    u16('dialedNumberLength', 'Dialed Number Length'),
    u16('dialingNumberLength', 'Dialing Number Length'),
    str('dialedNumber', 'Dialed Number'),
    str('dialingNumber', 'Dialing Number'),
    str('subaddress', 'Subaddress'),
  ],
  10: [
    u16('callId', 'Call ID'),
    u16('peerCallId', "Peer's Call ID"),
    ...resultError(IncomingCallResult),
    u16('packetReceiveWindowSize', 'Packet Recv. Window Size'),
    u16('packetTransmitDelay', 'Packet Transmit Delay'),
    reserved('Reserved1', 2),
  ],
  11: [
    u16('peerCallId', "Peer's Call ID"),
    reserved('Reserved1', 2),
    u32('connectSpeed', 'Connect Speed'),
    u16('packetReceiveWindowSize', 'Packet Recv. Window Size'),
    u16('packetTransmitDelay', 'Packet Transmit Delay'),
    u32('framingType', 'Framing Type'),
  ],
  12: [u16('callId', 'Call ID'), reserved('Reserved1', 2)],
  13: [
    u16('callId', 'Call ID'),
    ...resultError(DisconnectResult),
    u16('causeCode', 'Cause Code'),
    reserved('Reserved1', 2),
    str('callStatistics', 'Call Statistics', PPTP_CALL_STATISTICS_LENGTH),
  ],
  14: [
    u16('peerCallId', "Peer's Call ID"),
    reserved('Reserved1', 2),
    u32('crcErrors', 'CRC Errors'),
    u32('framingErrors', 'Framing Errors'),
    u32('hardwareOverruns', 'Hardware Overruns'),
    u32('bufferOverruns', 'Buffer Overruns'),
    u32('timeoutErrors', 'Time-out Errors'),
    u32('alignmentErrors', 'Alignment Errors'),
  ],
  15: [u16('peerCallId', "Peer's Call ID"), reserved('Reserved1', 2), u32('sendAccm', 'Send ACCM'), u32('receiveAccm', 'Receive ACCM')],
};

function fieldSize(f: FieldSpec): number {
  switch (f.kind) {
    case 'u8':
    case 'code':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'reserved':
    case 'string':
      return f.size;
  }
}

// The table must produce exactly the RFC's lengths; a mismatch is a bug in this file.
for (const [type, fields] of Object.entries(FIELDS)) {
  const total = PPTP_HEADER_LENGTH + fields.reduce((n, f) => n + fieldSize(f), 0);
  if (total !== MESSAGE_LENGTH[Number(type) as ControlMessageType]) {
    throw new Error(`pptp-control: layout of type ${type} is ${total} bytes, RFC 2637 says ${MESSAGE_LENGTH[Number(type) as ControlMessageType]}`);
  }
}

export function isControlMessageType(n: number): n is ControlMessageType {
  return Number.isInteger(n) && n >= 1 && n <= 15;
}

export function controlMessageName(type: number): string {
  return isControlMessageType(type) ? CONTROL_MESSAGE_NAMES[type] : `control message type ${type}`;
}

/** Length on the wire of a message (fixed per type). */
export function controlMessageLength(message: ControlMessage): number {
  return MESSAGE_LENGTH[message.type];
}

export interface ParseOptions {
  /** RFC 2637 says reserved fields MUST be 0; set false to ignore non-zero ones. Default true. */
  readonly checkReserved?: boolean;
}

const HEADER = 'PPTP control header';

/**
 * Checks the header fields that are present in buf[offset...]; returns the control message
 * type and length once all 12 bytes are there, undefined if more bytes are needed, or a
 * WireError. Used by the stream reader to reject garbage as early as possible.
 */
export function checkControlHeader(
  buf: Buffer,
  offset = 0,
  options: ParseOptions = {},
): { type: ControlMessageType; length: number } | WireError | undefined {
  const have = buf.length - offset;
  if (have >= 2) {
    const length = buf.readUInt16BE(offset + PPTP_OFFSET_LENGTH);
    if (length < PPTP_HEADER_LENGTH || length > PPTP_MAX_MESSAGE_LENGTH) {
      return new WireError(HEADER, 'Length', offset, `${length} is not the length of any control message (16..220)`);
    }
  }
  if (have >= 4) {
    const messageType = buf.readUInt16BE(offset + PPTP_OFFSET_MESSAGE_TYPE);
    if (messageType !== PPTP_MESSAGE_TYPE_CONTROL) {
      return new WireError(HEADER, 'PPTP Message Type', offset + PPTP_OFFSET_MESSAGE_TYPE, `${messageType}, only 1 (control message) is defined`);
    }
  }
  if (have >= 8) {
    const cookie = buf.readUInt32BE(offset + PPTP_OFFSET_MAGIC_COOKIE);
    if (cookie !== PPTP_MAGIC_COOKIE) {
      return new WireError(HEADER, 'Magic Cookie', offset + PPTP_OFFSET_MAGIC_COOKIE, `0x${cookie.toString(16).padStart(8, '0')}, expected 0x1a2b3c4d`);
    }
  }
  if (have >= 10) {
    const type = buf.readUInt16BE(offset + PPTP_OFFSET_CONTROL_TYPE);
    if (!isControlMessageType(type)) {
      return new WireError(HEADER, 'Control Message Type', offset + PPTP_OFFSET_CONTROL_TYPE, `unknown type ${type}`);
    }
    const length = buf.readUInt16BE(offset + PPTP_OFFSET_LENGTH);
    if (length !== MESSAGE_LENGTH[type]) {
      return new WireError(CONTROL_MESSAGE_NAMES[type], 'Length', offset, `${length}, this message is ${MESSAGE_LENGTH[type]} bytes`);
    }
  }
  if (have >= PPTP_HEADER_LENGTH) {
    const type = buf.readUInt16BE(offset + PPTP_OFFSET_CONTROL_TYPE) as ControlMessageType;
    if (options.checkReserved !== false && buf.readUInt16BE(offset + PPTP_OFFSET_RESERVED0) !== 0) {
      return new WireError(CONTROL_MESSAGE_NAMES[type], 'Reserved0', offset + PPTP_OFFSET_RESERVED0, 'must be 0');
    }
    return { type, length: MESSAGE_LENGTH[type] };
  }
  return undefined;
}

/** A NUL-padded string field: the text up to the first NUL, as Latin-1 (the fields are ASCII). */
function readString(buf: Buffer, at: number, size: number): string {
  const field = buf.subarray(at, at + size);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? size : nul).toString('latin1');
}

/** Parses one whole control message at offset. Never throws. */
export function parseControlMessage(buf: Buffer, offset = 0, options: ParseOptions = {}): ControlMessage | WireError {
  const header = checkControlHeader(buf, offset, options);
  if (header instanceof WireError) return header;
  if (header === undefined) {
    return new WireError(HEADER, 'Length', offset, `${Math.max(0, buf.length - offset)} bytes, the header alone is ${PPTP_HEADER_LENGTH}`);
  }
  const name = CONTROL_MESSAGE_NAMES[header.type];
  if (buf.length - offset < header.length) {
    return new WireError(name, 'Length', offset, `${header.length} bytes announced, ${buf.length - offset} present`);
  }
  const value: Record<string, number | string> = { type: header.type };
  let at = offset + PPTP_HEADER_LENGTH;
  for (const f of FIELDS[header.type]) {
    switch (f.kind) {
      case 'u8':
        value[f.key] = buf.readUInt8(at);
        break;
      case 'u16':
        value[f.key] = buf.readUInt16BE(at);
        break;
      case 'u32':
        value[f.key] = buf.readUInt32BE(at);
        break;
      case 'code': {
        const n = buf.readUInt8(at);
        if (!Object.values(f.values).includes(n)) {
          return new WireError(name, f.label, at, `unknown value ${n}`);
        }
        value[f.key] = n;
        break;
      }
      case 'reserved':
        if (options.checkReserved !== false && (f.size === 1 ? buf.readUInt8(at) : buf.readUInt16BE(at)) !== 0) {
          return new WireError(name, f.label, at, 'must be 0');
        }
        break;
      case 'string':
        value[f.key] = readString(buf, at, f.size);
        break;
    }
    at += fieldSize(f);
  }
  return value as unknown as ControlMessage;
}

function fieldValue(message: ControlMessage, key: string): number | string | undefined {
  return (message as unknown as Record<string, number | string | undefined>)[key];
}

/**
 * Writes a message into buf at offset; returns its length. Strings longer than their field are
 * cut to it. Throws RangeError for a number that does not fit its field or a code the RFC does
 * not define (a programming error, not hostile input).
 */
export function emitControlMessageInto(message: ControlMessage, buf: Buffer, offset = 0): number {
  const length = MESSAGE_LENGTH[message.type];
  if (length === undefined) throw new RangeError(`unknown control message type ${String(message.type)}`);
  if (buf.length - offset < length) throw new RangeError(`control message needs ${length} bytes at offset ${offset}`);
  buf.fill(0, offset, offset + length);
  buf.writeUInt16BE(length, offset + PPTP_OFFSET_LENGTH);
  buf.writeUInt16BE(PPTP_MESSAGE_TYPE_CONTROL, offset + PPTP_OFFSET_MESSAGE_TYPE);
  buf.writeUInt32BE(PPTP_MAGIC_COOKIE, offset + PPTP_OFFSET_MAGIC_COOKIE);
  buf.writeUInt16BE(message.type, offset + PPTP_OFFSET_CONTROL_TYPE);
  let at = offset + PPTP_HEADER_LENGTH;
  const name = CONTROL_MESSAGE_NAMES[message.type];
  for (const f of FIELDS[message.type]) {
    if (f.kind !== 'reserved') {
      const v = fieldValue(message, f.key);
      if (f.kind === 'string') {
        if (typeof v !== 'string') throw new RangeError(`${name}: ${f.label} must be a string`);
        buf.write(v.slice(0, f.size), at, f.size, 'latin1');
      } else {
        const max = f.kind === 'u32' ? 0xffffffff : f.kind === 'u16' ? 0xffff : 0xff;
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
          throw new RangeError(`${name}: ${f.label} ${String(v)} does not fit the field`);
        }
        if (f.kind === 'code' && !Object.values(f.values).includes(v)) {
          throw new RangeError(`${name}: ${f.label} ${v} is not defined by RFC 2637`);
        }
        if (f.kind === 'u32') buf.writeUInt32BE(v, at);
        else if (f.kind === 'u16') buf.writeUInt16BE(v, at);
        else buf.writeUInt8(v, at);
      }
    }
    at += fieldSize(f);
  }
  return length;
}

export function emitControlMessage(message: ControlMessage): Buffer {
  const buf = Buffer.alloc(MESSAGE_LENGTH[message.type]);
  emitControlMessageInto(message, buf, 0);
  return buf;
}
