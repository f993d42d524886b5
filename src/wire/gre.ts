// Enhanced GRE (RFC 2637 section 4.1): the header PPTP puts in front of every PPP frame it
// tunnels over IP protocol 47. Pure codec: parse returns a GrePacket or a WireError, emit writes
// bytes; on the hot path the data plane writes just the header into its own buffer with
// emitGreHeader and reads packets with parseGre (the payload is a view, never a copy).
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
//   |    Key (HW) Payload Length    |       Key (LW) Call ID        |
//   |                  Sequence Number (Optional)                   |
//   |               Acknowledgment Number (Optional)                |

import { WireError } from './error.js';

/** RFC 2637 section 4.1: Protocol Type is 0x880B (PPP). */
export const GRE_PROTOCOL_PPP = 0x880b;
/** RFC 2637 section 4.1: Ver "must contain 1 (enhanced GRE)". */
export const GRE_VERSION_ENHANCED = 1;
/** IP protocol number of GRE. */
export const IP_PROTOCOL_GRE = 47;

// Flag bits in the first 16-bit word (RFC 2637 section 4.1; bit 0 is the most significant).
export const GRE_FLAG_C = 0x8000; // checksum present: must be 0
export const GRE_FLAG_R = 0x4000; // routing present: must be 0
export const GRE_FLAG_K = 0x2000; // key present: must be 1
export const GRE_FLAG_S = 0x1000; // sequence number present: 1 when a payload is present
export const GRE_FLAG_STRICT = 0x0800; // strict source route: must be 0
export const GRE_RECUR_MASK = 0x0700; // recursion control: must be 0
export const GRE_FLAG_A = 0x0080; // acknowledgment number present
export const GRE_FLAGS_MASK = 0x0078; // bits 9-12: must be 0
export const GRE_VERSION_MASK = 0x0007;

// Field offsets and sizes (RFC 2637 section 4.1).
export const GRE_OFFSET_FLAGS = 0;
export const GRE_OFFSET_PROTOCOL = 2;
export const GRE_OFFSET_PAYLOAD_LENGTH = 4;
export const GRE_OFFSET_CALL_ID = 6;
export const GRE_OFFSET_OPTIONAL = 8; // sequence number if S, then acknowledgment number if A
/** The fixed part: flags/version, protocol type, key (payload length + call ID). */
export const GRE_FIXED_LENGTH = 8;
export const GRE_SEQUENCE_LENGTH = 4;
export const GRE_ACK_LENGTH = 4;
/** The longest header: fixed part plus sequence and acknowledgment numbers. */
export const GRE_MAX_HEADER_LENGTH = GRE_FIXED_LENGTH + GRE_SEQUENCE_LENGTH + GRE_ACK_LENGTH;
/** Key (HW) is 16 bits, so no payload can be longer. */
export const GRE_MAX_PAYLOAD_LENGTH = 0xffff;

/** The header fields of an enhanced GRE packet, without the payload bytes. */
export interface GreHeader {
  /** The call ID of the receiving peer (the "Peer's Call ID" of the PPTP call), 16 bits. */
  readonly callId: number;
  /** Sequence number (S bit), 32 bits; absent on acknowledgment-only packets. */
  readonly sequence?: number | undefined;
  /** Acknowledgment number (A bit), 32 bits: the highest sequence number received in order. */
  readonly ack?: number | undefined;
  /** Length of the payload that follows the header (Key HW). */
  readonly payloadLength: number;
}

/** A whole enhanced GRE packet. An acknowledgment-only packet has no sequence and no payload. */
export interface GrePacket {
  readonly callId: number;
  readonly sequence?: number | undefined;
  readonly ack?: number | undefined;
  /** The PPP frame (address/control onwards); parse returns a view into the input buffer. */
  readonly payload: Buffer;
}

const MESSAGE = 'GRE header';

/** Header length for a packet with or without sequence and acknowledgment numbers. */
export function greHeaderLength(header: { sequence?: number | undefined; ack?: number | undefined }): number {
  return (
    GRE_FIXED_LENGTH +
    (header.sequence === undefined ? 0 : GRE_SEQUENCE_LENGTH) +
    (header.ack === undefined ? 0 : GRE_ACK_LENGTH)
  );
}

/** Bytes emitGre will produce for this packet. */
export function greLength(packet: GrePacket): number {
  return greHeaderLength(packet) + packet.payload.length;
}

/**
 * Parses the header only: what the data plane needs to demultiplex by call ID before touching
 * the payload. The payload is at offset + greHeaderLength(header) and is header.payloadLength
 * bytes long (checked against the buffer).
 */
export function parseGreHeader(buf: Buffer, offset = 0): GreHeader | WireError {
  if (offset < 0 || buf.length - offset < GRE_FIXED_LENGTH) {
    return new WireError(MESSAGE, 'length', offset, `${Math.max(0, buf.length - offset)} bytes, need at least ${GRE_FIXED_LENGTH}`);
  }
  const word = buf.readUInt16BE(offset + GRE_OFFSET_FLAGS);
  const version = word & GRE_VERSION_MASK;
  if (version !== GRE_VERSION_ENHANCED) {
    return new WireError(MESSAGE, 'version', offset + 1, `version ${version}, enhanced GRE is version 1`);
  }
  // C and R would insert checksum/routing fields (RFC 1701) and change the layout; RFC 2637
  // section 4.1 says both are zero, so a packet with either is not one of ours.
  if (word & GRE_FLAG_C) return new WireError(MESSAGE, 'C flag', offset, 'checksum present must be 0');
  if (word & GRE_FLAG_R) return new WireError(MESSAGE, 'R flag', offset, 'routing present must be 0');
  if (!(word & GRE_FLAG_K)) return new WireError(MESSAGE, 'K flag', offset, 'key present must be 1');
  // The strict-source-route, recursion and reserved flag bits "must be 0" too, but they do not
  // change the layout; they are ignored on receipt (and emitted as 0).
  const protocol = buf.readUInt16BE(offset + GRE_OFFSET_PROTOCOL);
  if (protocol !== GRE_PROTOCOL_PPP) {
    return new WireError(MESSAGE, 'protocol type', offset + GRE_OFFSET_PROTOCOL, `0x${protocol.toString(16).padStart(4, '0')}, expected 0x880b`);
  }
  const payloadLength = buf.readUInt16BE(offset + GRE_OFFSET_PAYLOAD_LENGTH);
  const callId = buf.readUInt16BE(offset + GRE_OFFSET_CALL_ID);
  let at = offset + GRE_OFFSET_OPTIONAL;
  let sequence: number | undefined;
  let ack: number | undefined;
  if (word & GRE_FLAG_S) {
    if (buf.length - at < GRE_SEQUENCE_LENGTH) {
      return new WireError(MESSAGE, 'sequence number', at, 'S flag set but the packet ends before the sequence number');
    }
    sequence = buf.readUInt32BE(at);
    at += GRE_SEQUENCE_LENGTH;
  }
  if (word & GRE_FLAG_A) {
    if (buf.length - at < GRE_ACK_LENGTH) {
      return new WireError(MESSAGE, 'acknowledgment number', at, 'A flag set but the packet ends before the acknowledgment number');
    }
    ack = buf.readUInt32BE(at);
    at += GRE_ACK_LENGTH;
  }
  if (payloadLength > buf.length - at) {
    return new WireError(MESSAGE, 'payload length', offset + GRE_OFFSET_PAYLOAD_LENGTH, `${payloadLength} bytes announced, ${buf.length - at} present`);
  }
  // RFC 2637 section 4.1: S is set if and only if a payload is present; a payload without a
  // sequence number could not be ordered or acknowledged.
  if (sequence === undefined && payloadLength > 0) {
    return new WireError(MESSAGE, 'S flag', offset, `payload of ${payloadLength} bytes without a sequence number`);
  }
  return { callId, sequence, ack, payloadLength };
}

/**
 * Parses one enhanced GRE packet starting at offset (after the IP header). Bytes after the
 * announced payload length (link padding) are ignored. Never throws.
 */
export function parseGre(buf: Buffer, offset = 0): GrePacket | WireError {
  const header = parseGreHeader(buf, offset);
  if (header instanceof WireError) return header;
  const start = offset + greHeaderLength(header);
  return {
    callId: header.callId,
    sequence: header.sequence,
    ack: header.ack,
    payload: buf.subarray(start, start + header.payloadLength),
  };
}

function checkUint(value: number, bits: 16 | 32, field: string): void {
  const max = bits === 16 ? 0xffff : 0xffffffff;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`GRE ${field} ${value} is not a ${bits}-bit unsigned integer`);
  }
}

/**
 * Writes the header into buf at offset and returns its length; the caller puts
 * header.payloadLength payload bytes right after it. Throws RangeError (a programming error,
 * not hostile input) when a field is out of range or the buffer is too short.
 */
export function emitGreHeader(header: GreHeader, buf: Buffer, offset = 0): number {
  checkUint(header.callId, 16, 'call ID');
  checkUint(header.payloadLength, 16, 'payload length');
  if (header.sequence !== undefined) checkUint(header.sequence, 32, 'sequence number');
  if (header.ack !== undefined) checkUint(header.ack, 32, 'acknowledgment number');
  const length = greHeaderLength(header);
  if (offset < 0 || buf.length - offset < length) {
    throw new RangeError(`GRE header needs ${length} bytes at offset ${offset}, buffer has ${buf.length}`);
  }
  let word = GRE_FLAG_K | GRE_VERSION_ENHANCED;
  if (header.sequence !== undefined) word |= GRE_FLAG_S;
  if (header.ack !== undefined) word |= GRE_FLAG_A;
  buf.writeUInt16BE(word, offset + GRE_OFFSET_FLAGS);
  buf.writeUInt16BE(GRE_PROTOCOL_PPP, offset + GRE_OFFSET_PROTOCOL);
  buf.writeUInt16BE(header.payloadLength, offset + GRE_OFFSET_PAYLOAD_LENGTH);
  buf.writeUInt16BE(header.callId, offset + GRE_OFFSET_CALL_ID);
  let at = offset + GRE_OFFSET_OPTIONAL;
  if (header.sequence !== undefined) {
    buf.writeUInt32BE(header.sequence, at);
    at += GRE_SEQUENCE_LENGTH;
  }
  if (header.ack !== undefined) buf.writeUInt32BE(header.ack, at);
  return length;
}

/** Writes header and payload into buf at offset; returns the bytes written. */
export function emitGreInto(packet: GrePacket, buf: Buffer, offset = 0): number {
  if (packet.payload.length > 0 && packet.sequence === undefined) {
    throw new RangeError('a GRE packet with a payload needs a sequence number (RFC 2637 section 4.1)');
  }
  const headerLength = emitGreHeader(
    { callId: packet.callId, sequence: packet.sequence, ack: packet.ack, payloadLength: packet.payload.length },
    buf,
    offset,
  );
  if (buf.length - offset - headerLength < packet.payload.length) {
    throw new RangeError(`GRE packet needs ${headerLength + packet.payload.length} bytes at offset ${offset}`);
  }
  packet.payload.copy(buf, offset + headerLength);
  return headerLength + packet.payload.length;
}

/** The packet as a new Buffer. */
export function emitGre(packet: GrePacket): Buffer {
  const buf = Buffer.allocUnsafe(greLength(packet));
  emitGreInto(packet, buf, 0);
  return buf;
}
