// Typed CCP Configuration Options (RFC 1962 section 4). The one we speak is MPPE/MPPC
// (type 18, RFC 3078 section 2.1 / RFC 2118): a 32-bit field of Supported Bits.

import { WireError } from './error.js';
import { emitPppOptions, parsePppOptions, type PppOption } from './ppp-packet.js';

export const CCP_OPTION = { MPPE: 18 } as const;

/** RFC 3078 section 2.1 bit values, as a 32-bit big-endian number. */
export const MPPE_BIT = {
  C: 0x00000001, // MPPC compression (RFC 2118): never negotiated by us
  D: 0x00000010, // obsolete
  L: 0x00000020, // 40-bit
  S: 0x00000040, // 128-bit
  M: 0x00000080, // 56-bit
  H: 0x01000000, // stateless ("history-less") mode
} as const;

export type CcpOption =
  | { readonly kind: 'mppe'; readonly bits: number }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Buffer };

export function decodeCcpOption(option: PppOption, offset = 0): CcpOption | WireError {
  if (option.type === CCP_OPTION.MPPE) {
    if (option.data.length !== 4) {
      return new WireError('CCP option', 'option 18 length', offset + 1, `${option.data.length + 2} octets, expected 6`);
    }
    return { kind: 'mppe', bits: option.data.readUInt32BE(0) };
  }
  return { kind: 'unknown', type: option.type, data: Buffer.from(option.data) };
}

export function encodeCcpOption(option: CcpOption): PppOption {
  if (option.kind === 'unknown') return { type: option.type, data: option.data };
  const data = Buffer.alloc(4);
  data.writeUInt32BE(option.bits >>> 0);
  return { type: CCP_OPTION.MPPE, data };
}

export function parseCcpOptions(buf: Uint8Array, base = 0): CcpOption[] | WireError {
  const raw = parsePppOptions(buf, 'CCP options', base);
  if (raw instanceof WireError) return raw;
  const out: CcpOption[] = [];
  let at = base;
  for (const option of raw) {
    const decoded = decodeCcpOption(option, at);
    if (decoded instanceof WireError) return decoded;
    out.push(decoded);
    at += option.data.length + 2;
  }
  return out;
}

export function emitCcpOptions(options: readonly CcpOption[]): Buffer {
  return emitPppOptions(options.map(encodeCcpOption));
}
