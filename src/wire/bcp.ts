// BCP (RFC 3518): typed Configuration Options of the Bridging Control Protocol (0x8031, section
// 6) and the header of a bridged frame (protocol 0x0031, section 5.1):
//
//   | F | I | Z | 0 | Pads |  MAC Type  | [LAN ID, 4 octets, when I] | frame ... | [LAN FCS, when F] |
//
// F: the LAN FCS is present; I: a LAN Identification field follows (obsolete); Z: IEEE 802.3
// padding was removed (Tinygram-Compression) and must be restored; Pads: octets of PPP padding
// at the end of the frame to strip. MAC Type 1 is IEEE 802.3/Ethernet with canonical addresses.
import { WireError } from './error.js';
import { emitPppOptions, parsePppOptions, type PppOption } from './ppp-packet.js';

export const BCP_OPTION = {
  BRIDGE_IDENTIFICATION: 1,
  LINE_IDENTIFICATION: 2,
  MAC_SUPPORT: 3,
  TINYGRAM_COMPRESSION: 4,
  LAN_IDENTIFICATION: 5, // obsolete (RFC 3518 section 6.5)
  MAC_ADDRESS: 6,
  SPANNING_TREE_PROTOCOL: 7, // old formatted (RFC 1638)
  IEEE_802_TAGGED_FRAME: 8,
  MANAGEMENT_INLINE: 9,
} as const;

/** RFC 3518 section 6.3 / IANA "PPP BCP MAC Types". */
export const MAC_TYPE = { IEEE_802_3: 1 } as const;

export type BcpOption =
  | { readonly kind: 'mac-support'; readonly macType: number }
  | { readonly kind: 'tinygram-compression'; readonly enabled: boolean }
  | { readonly kind: 'mac-address'; readonly address: Buffer }
  | { readonly kind: 'ieee-802-tagged-frame'; readonly enabled: boolean }
  | { readonly kind: 'management-inline' }
  | { readonly kind: 'unknown'; readonly type: number; readonly data: Buffer };

/** Data lengths (the option less its Type and Length octets) of the options we decode. */
const DATA_LENGTH: ReadonlyMap<number, number> = new Map([
  [BCP_OPTION.MAC_SUPPORT, 1],
  [BCP_OPTION.TINYGRAM_COMPRESSION, 1],
  [BCP_OPTION.MAC_ADDRESS, 6],
  [BCP_OPTION.IEEE_802_TAGGED_FRAME, 1],
  [BCP_OPTION.MANAGEMENT_INLINE, 0],
]);

/** Sections 6.4 and 6.8: 1 is enabled, 2 disabled; anything else is malformed. */
function onOff(v: number): boolean | undefined {
  return v === 1 ? true : v === 2 ? false : undefined;
}

export function decodeBcpOption(option: PppOption, offset = 0): BcpOption | WireError {
  const want = DATA_LENGTH.get(option.type);
  if (want === undefined) return { kind: 'unknown', type: option.type, data: Buffer.from(option.data) };
  if (option.data.length !== want) {
    return new WireError('BCP option', `option ${option.type} length`, offset + 1, `${option.data.length + 2} octets, expected ${want + 2}`);
  }
  switch (option.type) {
    case BCP_OPTION.MAC_SUPPORT:
      return { kind: 'mac-support', macType: option.data[0]! };
    case BCP_OPTION.MAC_ADDRESS:
      return { kind: 'mac-address', address: Buffer.from(option.data) };
    case BCP_OPTION.MANAGEMENT_INLINE:
      return { kind: 'management-inline' };
    default: {
      const enabled = onOff(option.data[0]!);
      if (enabled === undefined) return new WireError('BCP option', `option ${option.type} value`, offset + 2, `${option.data[0]}, expected 1 or 2`);
      return option.type === BCP_OPTION.TINYGRAM_COMPRESSION ? { kind: 'tinygram-compression', enabled } : { kind: 'ieee-802-tagged-frame', enabled };
    }
  }
}

export function encodeBcpOption(option: BcpOption): PppOption {
  switch (option.kind) {
    case 'mac-support':
      return { type: BCP_OPTION.MAC_SUPPORT, data: Buffer.from([option.macType]) };
    case 'tinygram-compression':
      return { type: BCP_OPTION.TINYGRAM_COMPRESSION, data: Buffer.from([option.enabled ? 1 : 2]) };
    case 'mac-address':
      return { type: BCP_OPTION.MAC_ADDRESS, data: Buffer.from(option.address) };
    case 'ieee-802-tagged-frame':
      return { type: BCP_OPTION.IEEE_802_TAGGED_FRAME, data: Buffer.from([option.enabled ? 1 : 2]) };
    case 'management-inline':
      return { type: BCP_OPTION.MANAGEMENT_INLINE, data: Buffer.alloc(0) };
    case 'unknown':
      return { type: option.type, data: option.data };
  }
}

export function parseBcpOptions(buf: Uint8Array, base = 0): BcpOption[] | WireError {
  const raw = parsePppOptions(buf, 'BCP options', base);
  if (raw instanceof WireError) return raw;
  const out: BcpOption[] = [];
  let at = base;
  for (const option of raw) {
    const decoded = decodeBcpOption(option, at);
    if (decoded instanceof WireError) return decoded;
    out.push(decoded);
    at += option.data.length + 2;
  }
  return out;
}

export function emitBcpOptions(options: readonly BcpOption[]): Buffer {
  return emitPppOptions(options.map(encodeBcpOption));
}

// ---- bridged frames (section 5.1) ------------------------------------------------------------

export const BRIDGED_FLAG = { F: 0x80, I: 0x40, Z: 0x20 } as const;
const PADS_MASK = 0x0f;
/** Flags/pads octet and MAC Type. */
export const BRIDGED_HEADER_LENGTH = 2;
const LAN_ID_LENGTH = 4;
const LAN_FCS_LENGTH = 4;
/** The shortest IEEE 802.3 frame without its FCS: what Tinygram-Compression pads back to. */
const MIN_ETHERNET_FRAME = 60;
const ETHERNET_HEADER = 14;

export interface BridgedFrame {
  readonly macType: number;
  /** The LAN frame from its destination address on, FCS and padding removed. */
  readonly frame: Buffer;
}

/** The information of a 0x0031 frame -> the LAN frame. The result may share memory with buf. */
export function parseBridgedFrame(buf: Buffer): BridgedFrame | WireError {
  if (buf.length < BRIDGED_HEADER_LENGTH) {
    return new WireError('BCP bridged frame', 'header', 0, `${buf.length} octets, expected at least ${BRIDGED_HEADER_LENGTH}`);
  }
  const flags = buf[0]!;
  if (flags & 0x10) return new WireError('BCP bridged frame', 'flags', 0, 'reserved bit set');
  const pads = flags & PADS_MASK;
  const start = BRIDGED_HEADER_LENGTH + (flags & BRIDGED_FLAG.I ? LAN_ID_LENGTH : 0);
  const end = buf.length - pads - (flags & BRIDGED_FLAG.F ? LAN_FCS_LENGTH : 0);
  if (end - start < ETHERNET_HEADER) {
    return new WireError('BCP bridged frame', 'frame', start, `${Math.max(0, end - start)} octets, shorter than an Ethernet header`);
  }
  let frame = buf.subarray(start, end);
  if (flags & BRIDGED_FLAG.Z && frame.length < MIN_ETHERNET_FRAME) {
    frame = Buffer.concat([frame, Buffer.alloc(MIN_ETHERNET_FRAME - frame.length)]);
  }
  return { macType: buf[1]!, frame };
}

/** An Ethernet frame (no FCS) -> the information of a 0x0031 frame: no FCS, no pads, no LAN ID. */
export function emitBridgedFrame(frame: Buffer, macType: number = MAC_TYPE.IEEE_802_3): Buffer {
  const out = Buffer.allocUnsafe(BRIDGED_HEADER_LENGTH + frame.length);
  out[0] = 0;
  out[1] = macType;
  frame.copy(out, BRIDGED_HEADER_LENGTH);
  return out;
}
