// Typed LCP Configuration Options (RFC 1661 section 6, RFC 1570 Callback, RFC 1990 section 5.1
// MRRU and Endpoint Discriminator, RFC 1994/2433/2759 Auth-Protocol values). Decoding checks
// each option's length; unknown types are kept as raw data so they can be Configure-Rejected.

import { WireError } from './error.js';
import { emitPppOptions, parsePppOptions, type PppOption } from './ppp-packet.js';

export const LCP_OPTION = {
  MRU: 1,
  ACCM: 2,
  AUTH_PROTOCOL: 3,
  QUALITY_PROTOCOL: 4,
  MAGIC_NUMBER: 5,
  PFC: 7,
  ACFC: 8,
  CALLBACK: 13,
  MRRU: 17,
  SHORT_SEQUENCE: 18,
  ENDPOINT_DISCRIMINATOR: 19,
} as const;

export type LcpOption =
  | { readonly kind: 'mru'; readonly mru: number }
  | { readonly kind: 'accm'; readonly accm: number }
  | { readonly kind: 'auth-protocol'; readonly protocol: number; readonly data: Buffer }
  | { readonly kind: 'quality-protocol'; readonly protocol: number; readonly data: Buffer }
  | { readonly kind: 'magic-number'; readonly magic: number }
  | { readonly kind: 'pfc' }
  | { readonly kind: 'acfc' }
  | { readonly kind: 'callback'; readonly operation: number; readonly message: Buffer }
  | { readonly kind: 'mrru'; readonly mrru: number }
  | { readonly kind: 'short-sequence' }
  | { readonly kind: 'endpoint-discriminator'; readonly class: number; readonly address: Buffer }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Buffer };

function badLength(type: number, offset: number, got: number, want: string): WireError {
  return new WireError('LCP option', `option ${type} length`, offset, `${got + 2} octets, expected ${want}`);
}

/** `offset` is where the option starts in the packet, for the error message. */
export function decodeLcpOption(option: PppOption, offset = 0): LcpOption | WireError {
  const d = option.data;
  switch (option.type) {
    case LCP_OPTION.MRU:
      return d.length === 2 ? { kind: 'mru', mru: d.readUInt16BE(0) } : badLength(option.type, offset + 1, d.length, '4');
    case LCP_OPTION.ACCM:
      return d.length === 4 ? { kind: 'accm', accm: d.readUInt32BE(0) } : badLength(option.type, offset + 1, d.length, '6');
    case LCP_OPTION.AUTH_PROTOCOL:
      return d.length >= 2
        ? { kind: 'auth-protocol', protocol: d.readUInt16BE(0), data: Buffer.from(d.subarray(2)) }
        : badLength(option.type, offset + 1, d.length, 'at least 4');
    case LCP_OPTION.QUALITY_PROTOCOL:
      return d.length >= 2
        ? { kind: 'quality-protocol', protocol: d.readUInt16BE(0), data: Buffer.from(d.subarray(2)) }
        : badLength(option.type, offset + 1, d.length, 'at least 4');
    case LCP_OPTION.MAGIC_NUMBER:
      return d.length === 4 ? { kind: 'magic-number', magic: d.readUInt32BE(0) } : badLength(option.type, offset + 1, d.length, '6');
    case LCP_OPTION.PFC:
      return d.length === 0 ? { kind: 'pfc' } : badLength(option.type, offset + 1, d.length, '2');
    case LCP_OPTION.ACFC:
      return d.length === 0 ? { kind: 'acfc' } : badLength(option.type, offset + 1, d.length, '2');
    case LCP_OPTION.CALLBACK:
      return d.length >= 1
        ? { kind: 'callback', operation: d[0]!, message: Buffer.from(d.subarray(1)) }
        : badLength(option.type, offset + 1, d.length, 'at least 3');
    case LCP_OPTION.MRRU:
      return d.length === 2 ? { kind: 'mrru', mrru: d.readUInt16BE(0) } : badLength(option.type, offset + 1, d.length, '4');
    case LCP_OPTION.SHORT_SEQUENCE:
      return d.length === 0 ? { kind: 'short-sequence' } : badLength(option.type, offset + 1, d.length, '2');
    case LCP_OPTION.ENDPOINT_DISCRIMINATOR:
      return d.length >= 1
        ? { kind: 'endpoint-discriminator', class: d[0]!, address: Buffer.from(d.subarray(1)) }
        : badLength(option.type, offset + 1, d.length, 'at least 3');
    default:
      return { kind: 'unknown', type: option.type, data: Buffer.from(d) };
  }
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff);
  return b;
}
function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export function encodeLcpOption(option: LcpOption): PppOption {
  switch (option.kind) {
    case 'mru': return { type: LCP_OPTION.MRU, data: u16(option.mru) };
    case 'accm': return { type: LCP_OPTION.ACCM, data: u32(option.accm) };
    case 'auth-protocol': return { type: LCP_OPTION.AUTH_PROTOCOL, data: Buffer.concat([u16(option.protocol), option.data]) };
    case 'quality-protocol': return { type: LCP_OPTION.QUALITY_PROTOCOL, data: Buffer.concat([u16(option.protocol), option.data]) };
    case 'magic-number': return { type: LCP_OPTION.MAGIC_NUMBER, data: u32(option.magic) };
    case 'pfc': return { type: LCP_OPTION.PFC, data: Buffer.alloc(0) };
    case 'acfc': return { type: LCP_OPTION.ACFC, data: Buffer.alloc(0) };
    case 'callback': return { type: LCP_OPTION.CALLBACK, data: Buffer.concat([Buffer.from([option.operation]), option.message]) };
    case 'mrru': return { type: LCP_OPTION.MRRU, data: u16(option.mrru) };
    case 'short-sequence': return { type: LCP_OPTION.SHORT_SEQUENCE, data: Buffer.alloc(0) };
    case 'endpoint-discriminator':
      return { type: LCP_OPTION.ENDPOINT_DISCRIMINATOR, data: Buffer.concat([Buffer.from([option.class]), option.address]) };
    case 'unknown': return { type: option.type, data: option.data };
  }
}

export function parseLcpOptions(buf: Uint8Array, base = 0): LcpOption[] | WireError {
  const raw = parsePppOptions(buf, 'LCP options', base);
  if (raw instanceof WireError) return raw;
  const out: LcpOption[] = [];
  let at = base;
  for (const option of raw) {
    const decoded = decodeLcpOption(option, at);
    if (decoded instanceof WireError) return decoded;
    out.push(decoded);
    at += option.data.length + 2;
  }
  return out;
}

export function emitLcpOptions(options: readonly LcpOption[]): Buffer {
  return emitPppOptions(options.map(encodeLcpOption));
}
