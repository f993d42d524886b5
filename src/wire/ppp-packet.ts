// PPP control packets (RFC 1661 section 5): the Code/Identifier/Length/Data layout shared by
// LCP, the NCPs (IPCP, CCP, ...) and, with their own codes, PAP and CHAP. Configure-* packets
// carry options as Type/Length/Data TLVs (RFC 1661 section 6).

import { WireError } from './error.js';

export const PPP_PACKET_HEADER_LENGTH = 4; // code(1) identifier(1) length(2)
export const PPP_OPTION_HEADER_LENGTH = 2; // type(1) length(1)

export interface PppPacket {
  readonly code: number;
  readonly identifier: number;
  readonly data: Buffer;
}

export interface PppOption {
  readonly type: number;
  readonly data: Buffer;
}

/** Parses one control packet. Octets beyond Length are padding and are dropped (RFC 1661 section 5). */
export function parsePppPacket(buf: Uint8Array, message = 'PPP packet'): PppPacket | WireError {
  if (buf.length < PPP_PACKET_HEADER_LENGTH) {
    return new WireError(message, 'header', 0, `needs ${PPP_PACKET_HEADER_LENGTH} octets, got ${buf.length}`);
  }
  const length = (buf[2]! << 8) | buf[3]!;
  if (length < PPP_PACKET_HEADER_LENGTH) return new WireError(message, 'length', 2, `${length} is below the 4-octet header`);
  if (length > buf.length) return new WireError(message, 'length', 2, `${length} exceeds the ${buf.length} octets received`);
  return { code: buf[0]!, identifier: buf[1]!, data: Buffer.from(buf.subarray(PPP_PACKET_HEADER_LENGTH, length)) };
}

export function pppPacketLength(packet: PppPacket): number {
  return PPP_PACKET_HEADER_LENGTH + packet.data.length;
}

export function emitPppPacket(packet: PppPacket): Buffer {
  const out = Buffer.alloc(pppPacketLength(packet));
  out[0] = packet.code & 0xff;
  out[1] = packet.identifier & 0xff;
  out.writeUInt16BE(out.length, 2);
  packet.data.copy(out, PPP_PACKET_HEADER_LENGTH);
  return out;
}

/** Parses a Configure-* option list; `base` is the list's offset in the packet, for error offsets. */
export function parsePppOptions(buf: Uint8Array, message = 'PPP options', base = 0): PppOption[] | WireError {
  const options: PppOption[] = [];
  let at = 0;
  while (at < buf.length) {
    if (buf.length - at < PPP_OPTION_HEADER_LENGTH) {
      return new WireError(message, 'option header', base + at, 'truncated option');
    }
    const length = buf[at + 1]!;
    if (length < PPP_OPTION_HEADER_LENGTH) {
      return new WireError(message, `option ${buf[at]} length`, base + at + 1, `${length} is below 2`);
    }
    if (at + length > buf.length) {
      return new WireError(message, `option ${buf[at]} length`, base + at + 1, `${length} runs past the end of the packet`);
    }
    options.push({ type: buf[at]!, data: Buffer.from(buf.subarray(at + 2, at + length)) });
    at += length;
  }
  return options;
}

export function pppOptionsLength(options: readonly PppOption[]): number {
  return options.reduce((n, o) => n + PPP_OPTION_HEADER_LENGTH + o.data.length, 0);
}

export function emitPppOptions(options: readonly PppOption[]): Buffer {
  const out = Buffer.alloc(pppOptionsLength(options));
  let at = 0;
  for (const option of options) {
    if (option.data.length > 253) throw new RangeError(`option ${option.type} data is ${option.data.length} octets, max 253`);
    out[at] = option.type;
    out[at + 1] = option.data.length + 2;
    option.data.copy(out, at + 2);
    at += option.data.length + 2;
  }
  return out;
}
