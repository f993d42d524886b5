// NTP packets (RFC 5905 section 7.3; SNTP, RFC 4330 section 4, uses the same 48 octets): the
// header of a client request or a server reply. Pure codec: parse returns an NtpPacket or a
// WireError, emit writes 48 octets. Extension fields and a MAC after the header are ignored
// (an SNTP client does not authenticate). Whether a reply is one to accept (mode, stratum,
// origin timestamp) is the client's judgement, not the codec's: see src/router/ntp-machine.ts.
//
//    0                   1                   2                   3
//   |LI | VN  |Mode |    Stratum    |     Poll      |   Precision   |
//   |                          Root Delay                           |
//   |                        Root Dispersion                        |
//   |                          Reference ID                         |
//   |                     Reference Timestamp (64)                  |
//   |                      Origin Timestamp (64)                    |
//   |                      Receive Timestamp (64)                   |
//   |                      Transmit Timestamp (64)                  |

import { WireError } from './error.js';

export const NTP_PORT = 123;
/** RFC 5905 section 7.3: the header without extension fields or MAC. */
export const NTP_HEADER_LENGTH = 48;

const OFFSET_FLAGS = 0;
const OFFSET_STRATUM = 1;
const OFFSET_POLL = 2;
const OFFSET_PRECISION = 3;
const OFFSET_ROOT_DELAY = 4;
const OFFSET_ROOT_DISPERSION = 8;
const OFFSET_REFERENCE_ID = 12;
const OFFSET_REFERENCE = 16;
const OFFSET_ORIGIN = 24;
const OFFSET_RECEIVE = 32;
const OFFSET_TRANSMIT = 40;

/** RFC 5905 figure 10 (Mode): 3 client, 4 server. */
export const NTP_MODE_CLIENT = 3;
export const NTP_MODE_SERVER = 4;
/** RFC 5905 figure 9 (Leap Indicator): 3 means the server's clock is not synchronized. */
export const NTP_LEAP_UNSYNCHRONIZED = 3;

/** Seconds from the NTP era 0 epoch (1900-01-01) to the Unix epoch (RFC 5905 section 6). */
const UNIX_EPOCH_NTP_SECONDS = 2_208_988_800;
const TWO_32 = 0x1_0000_0000;

/** A 64-bit NTP timestamp: 32 bits of seconds and 32 bits of fraction. */
export interface NtpTimestamp {
  readonly seconds: number;
  readonly fraction: number;
}

export interface NtpPacket {
  readonly leap: number;
  readonly version: number;
  readonly mode: number;
  readonly stratum: number;
  /** log2 seconds (signed). */
  readonly poll: number;
  /** log2 seconds (signed). */
  readonly precision: number;
  /** NTP short format (16.16 seconds), as the raw 32-bit value. */
  readonly rootDelay: number;
  readonly rootDispersion: number;
  /** Four octets: an address, or ASCII (a reference clock, or a kiss code when stratum is 0). */
  readonly referenceId: Buffer;
  readonly reference: NtpTimestamp;
  readonly origin: NtpTimestamp;
  readonly receive: NtpTimestamp;
  readonly transmit: NtpTimestamp;
}

export const ZERO_TIMESTAMP: NtpTimestamp = { seconds: 0, fraction: 0 };

export function isZero(t: NtpTimestamp): boolean {
  return t.seconds === 0 && t.fraction === 0;
}

export function sameTimestamp(a: NtpTimestamp, b: NtpTimestamp): boolean {
  return a.seconds === b.seconds && a.fraction === b.fraction;
}

/** Milliseconds since the Unix epoch as an NTP timestamp (era 0 until 2036, era 1 after). */
export function timestampFromMs(ms: number): NtpTimestamp {
  const total = ms / 1000 + UNIX_EPOCH_NTP_SECONDS;
  const whole = Math.floor(total);
  return { seconds: whole % TWO_32, fraction: Math.min(TWO_32 - 1, Math.floor((total - whole) * TWO_32)) };
}

/**
 * An NTP timestamp as milliseconds since the Unix epoch. RFC 4330 section 3: a seconds value
 * with the top bit clear is taken to be in era 1 (from 2036 on), which covers 1968 to 2104.
 */
export function timestampToMs(t: NtpTimestamp): number {
  const era = t.seconds >= 0x8000_0000 ? 0 : 1;
  return ((t.seconds + era * TWO_32 - UNIX_EPOCH_NTP_SECONDS) + t.fraction / TWO_32) * 1000;
}

/** The kiss code of a Kiss-o'-Death packet (stratum 0: RFC 5905 section 7.4), e.g. "DENY". */
export function kissCode(p: NtpPacket): string | undefined {
  if (p.stratum !== 0) return undefined;
  const code = p.referenceId.toString('latin1');
  return /^[A-Z]{1,4}\0*$/.test(code) ? code.replace(/\0+$/, '') : undefined;
}

function readTimestamp(buf: Buffer, at: number): NtpTimestamp {
  return { seconds: buf.readUInt32BE(at), fraction: buf.readUInt32BE(at + 4) };
}

function writeTimestamp(buf: Buffer, at: number, t: NtpTimestamp): void {
  buf.writeUInt32BE(t.seconds >>> 0, at);
  buf.writeUInt32BE(t.fraction >>> 0, at + 4);
}

export function parseNtp(buf: Buffer): NtpPacket | WireError {
  if (buf.length < NTP_HEADER_LENGTH) {
    return new WireError('NTP packet', 'length', 0, `${buf.length} octets, the header alone is ${NTP_HEADER_LENGTH}`);
  }
  const flags = buf[OFFSET_FLAGS]!;
  const version = (flags >> 3) & 0x07;
  // RFC 4330 section 5: version 1 to 4 are all in use; 0 and 5-7 are not NTP.
  if (version < 1 || version > 4) return new WireError('NTP packet', 'version', OFFSET_FLAGS, `version ${version} is not 1-4`);
  return {
    leap: flags >> 6,
    version,
    mode: flags & 0x07,
    stratum: buf[OFFSET_STRATUM]!,
    poll: buf.readInt8(OFFSET_POLL),
    precision: buf.readInt8(OFFSET_PRECISION),
    rootDelay: buf.readUInt32BE(OFFSET_ROOT_DELAY),
    rootDispersion: buf.readUInt32BE(OFFSET_ROOT_DISPERSION),
    referenceId: Buffer.from(buf.subarray(OFFSET_REFERENCE_ID, OFFSET_REFERENCE_ID + 4)),
    reference: readTimestamp(buf, OFFSET_REFERENCE),
    origin: readTimestamp(buf, OFFSET_ORIGIN),
    receive: readTimestamp(buf, OFFSET_RECEIVE),
    transmit: readTimestamp(buf, OFFSET_TRANSMIT),
  };
}

export function emitNtp(p: NtpPacket): Buffer {
  const buf = Buffer.alloc(NTP_HEADER_LENGTH);
  buf[OFFSET_FLAGS] = ((p.leap & 0x03) << 6) | ((p.version & 0x07) << 3) | (p.mode & 0x07);
  buf[OFFSET_STRATUM] = p.stratum & 0xff;
  buf.writeInt8(p.poll, OFFSET_POLL);
  buf.writeInt8(p.precision, OFFSET_PRECISION);
  buf.writeUInt32BE(p.rootDelay >>> 0, OFFSET_ROOT_DELAY);
  buf.writeUInt32BE(p.rootDispersion >>> 0, OFFSET_ROOT_DISPERSION);
  p.referenceId.copy(buf, OFFSET_REFERENCE_ID, 0, 4);
  writeTimestamp(buf, OFFSET_REFERENCE, p.reference);
  writeTimestamp(buf, OFFSET_ORIGIN, p.origin);
  writeTimestamp(buf, OFFSET_RECEIVE, p.receive);
  writeTimestamp(buf, OFFSET_TRANSMIT, p.transmit);
  return buf;
}

/**
 * A client request (RFC 4330 section 5): version 4, mode 3, everything zero but the transmit
 * timestamp, which the server copies into its reply's origin field.
 */
export function clientRequest(transmit: NtpTimestamp): NtpPacket {
  return {
    leap: 0,
    version: 4,
    mode: NTP_MODE_CLIENT,
    stratum: 0,
    poll: 0,
    precision: 0,
    rootDelay: 0,
    rootDispersion: 0,
    referenceId: Buffer.alloc(4),
    reference: ZERO_TIMESTAMP,
    origin: ZERO_TIMESTAMP,
    receive: ZERO_TIMESTAMP,
    transmit,
  };
}
