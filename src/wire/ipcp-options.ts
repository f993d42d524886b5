// Typed IPCP Configuration Options (RFC 1332 section 3, RFC 1877 DNS/NBNS addresses).
// Addresses are dotted-quad strings, the form the rest of the router uses.

import { WireError } from './error.js';
import { emitPppOptions, parsePppOptions, type PppOption } from './ppp-packet.js';

export const IPCP_OPTION = {
  IP_ADDRESSES: 1, // deprecated (RFC 1332 appendix)
  IP_COMPRESSION_PROTOCOL: 2,
  IP_ADDRESS: 3,
  PRIMARY_DNS: 129,
  PRIMARY_NBNS: 130,
  SECONDARY_DNS: 131,
  SECONDARY_NBNS: 132,
} as const;

export type IpcpAddressKind = 'ip-address' | 'primary-dns' | 'primary-nbns' | 'secondary-dns' | 'secondary-nbns';

export type IpcpOption =
  | { readonly kind: IpcpAddressKind; readonly address: string }
  | { readonly kind: 'ip-compression-protocol'; readonly protocol: number; readonly data: Buffer }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Buffer };

const ADDRESS_TYPES: ReadonlyMap<number, IpcpAddressKind> = new Map([
  [IPCP_OPTION.IP_ADDRESS, 'ip-address'],
  [IPCP_OPTION.PRIMARY_DNS, 'primary-dns'],
  [IPCP_OPTION.PRIMARY_NBNS, 'primary-nbns'],
  [IPCP_OPTION.SECONDARY_DNS, 'secondary-dns'],
  [IPCP_OPTION.SECONDARY_NBNS, 'secondary-nbns'],
]);
const ADDRESS_CODES: ReadonlyMap<IpcpAddressKind, number> = new Map([...ADDRESS_TYPES].map(([k, v]) => [v, k]));

export function ipv4ToBuffer(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`);
  }
  return Buffer.from(parts);
}

export function bufferToIpv4(buf: Uint8Array): string {
  return `${buf[0]}.${buf[1]}.${buf[2]}.${buf[3]}`;
}

export function decodeIpcpOption(option: PppOption, offset = 0): IpcpOption | WireError {
  const kind = ADDRESS_TYPES.get(option.type);
  if (kind) {
    if (option.data.length !== 4) {
      return new WireError('IPCP option', `option ${option.type} length`, offset + 1, `${option.data.length + 2} octets, expected 6`);
    }
    return { kind, address: bufferToIpv4(option.data) };
  }
  if (option.type === IPCP_OPTION.IP_COMPRESSION_PROTOCOL) {
    if (option.data.length < 2) {
      return new WireError('IPCP option', 'option 2 length', offset + 1, `${option.data.length + 2} octets, expected at least 4`);
    }
    return { kind: 'ip-compression-protocol', protocol: option.data.readUInt16BE(0), data: Buffer.from(option.data.subarray(2)) };
  }
  return { kind: 'unknown', type: option.type, data: Buffer.from(option.data) };
}

export function encodeIpcpOption(option: IpcpOption): PppOption {
  switch (option.kind) {
    case 'ip-compression-protocol': {
      const head = Buffer.alloc(2);
      head.writeUInt16BE(option.protocol);
      return { type: IPCP_OPTION.IP_COMPRESSION_PROTOCOL, data: Buffer.concat([head, option.data]) };
    }
    case 'unknown':
      return { type: option.type, data: option.data };
    default:
      return { type: ADDRESS_CODES.get(option.kind)!, data: ipv4ToBuffer(option.address) };
  }
}

export function parseIpcpOptions(buf: Uint8Array, base = 0): IpcpOption[] | WireError {
  const raw = parsePppOptions(buf, 'IPCP options', base);
  if (raw instanceof WireError) return raw;
  const out: IpcpOption[] = [];
  let at = base;
  for (const option of raw) {
    const decoded = decodeIpcpOption(option, at);
    if (decoded instanceof WireError) return decoded;
    out.push(decoded);
    at += option.data.length + 2;
  }
  return out;
}

export function emitIpcpOptions(options: readonly IpcpOption[]): Buffer {
  return emitPppOptions(options.map(encodeIpcpOption));
}
