// RADIUS packets (RFC 2865 section 3, RFC 2866 section 3), the attribute hiding they use
// (User-Password, RFC 2865 5.2; the salted Microsoft keys, RFC 2548 2.4) and the
// Message-Authenticator (RFC 3579 3.2). Pure: bytes in, typed values out; no sockets.
//
// Written here rather than taken from the npm package `radius` (1.1.4): that package computes
// an Accounting-Request's Request Authenticator before it fills in the Message-Authenticator,
// so FreeRADIUS drops every accounting packet that carries one, and it neither ships the
// Microsoft dictionary nor decrypts MS-MPPE-Send-Key/Recv-Key.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { WireError } from './error.js';

export const RADIUS_CODE = {
  ACCESS_REQUEST: 1,
  ACCESS_ACCEPT: 2,
  ACCESS_REJECT: 3,
  ACCOUNTING_REQUEST: 4,
  ACCOUNTING_RESPONSE: 5,
} as const;

/** Attribute types used here (RFC 2865 5, RFC 2866 5, RFC 2869 5). */
export const ATTR = {
  USER_NAME: 1,
  USER_PASSWORD: 2,
  CHAP_PASSWORD: 3,
  NAS_IP_ADDRESS: 4,
  NAS_PORT: 5,
  SERVICE_TYPE: 6,
  FRAMED_PROTOCOL: 7,
  FRAMED_IP_ADDRESS: 8,
  REPLY_MESSAGE: 18,
  FRAMED_ROUTE: 22,
  CLASS: 25,
  VENDOR_SPECIFIC: 26,
  SESSION_TIMEOUT: 27,
  IDLE_TIMEOUT: 28,
  CALLED_STATION_ID: 30,
  CALLING_STATION_ID: 31,
  NAS_IDENTIFIER: 32,
  ACCT_STATUS_TYPE: 40,
  ACCT_DELAY_TIME: 41,
  ACCT_INPUT_OCTETS: 42,
  ACCT_OUTPUT_OCTETS: 43,
  ACCT_SESSION_ID: 44,
  ACCT_AUTHENTIC: 45,
  ACCT_SESSION_TIME: 46,
  ACCT_INPUT_PACKETS: 47,
  ACCT_OUTPUT_PACKETS: 48,
  ACCT_TERMINATE_CAUSE: 49,
  ACCT_INPUT_GIGAWORDS: 52,
  ACCT_OUTPUT_GIGAWORDS: 53,
  CHAP_CHALLENGE: 60,
  NAS_PORT_TYPE: 61,
  ACCT_INTERIM_INTERVAL: 85,
  MESSAGE_AUTHENTICATOR: 80,
} as const;

/** Microsoft vendor attributes (RFC 2548 section 2). */
export const MS_VENDOR_ID = 311;
export const MS_ATTR = {
  CHAP_RESPONSE: 1,
  CHAP_ERROR: 2,
  MPPE_ENCRYPTION_POLICY: 7,
  MPPE_ENCRYPTION_TYPES: 8,
  CHAP_CHALLENGE: 11,
  CHAP_MPPE_KEYS: 12,
  MPPE_SEND_KEY: 16,
  MPPE_RECV_KEY: 17,
  CHAP2_RESPONSE: 25,
  CHAP2_SUCCESS: 26,
} as const;

export const ACCT_STATUS = { START: 1, STOP: 2, INTERIM_UPDATE: 3 } as const;

/** RFC 2866 5.10 values. */
export const TERMINATE_CAUSE = {
  USER_REQUEST: 1,
  LOST_CARRIER: 2,
  IDLE_TIMEOUT: 4,
  SESSION_TIMEOUT: 5,
  ADMIN_RESET: 6,
  PORT_ERROR: 8,
  NAS_REQUEST: 10,
  NAS_REBOOT: 11,
  SERVICE_UNAVAILABLE: 15,
} as const;

const HEADER = 20;
const MAX_PACKET = 4096;
const MA_LENGTH = 16;

export interface RadiusAttribute {
  readonly type: number;
  readonly value: Buffer;
}

export interface RadiusPacket {
  readonly code: number;
  readonly identifier: number;
  readonly authenticator: Buffer;
  readonly attributes: readonly RadiusAttribute[];
}

export function parseRadius(buf: Buffer): RadiusPacket | WireError {
  if (buf.length < HEADER) return new WireError('RADIUS packet', 'Length', 2, `${buf.length} octets, less than the header`);
  const length = buf.readUInt16BE(2);
  if (length < HEADER || length > MAX_PACKET || length > buf.length) return new WireError('RADIUS packet', 'Length', 2, `${length} does not fit ${buf.length} octets`);
  const attributes: RadiusAttribute[] = [];
  let at = HEADER;
  while (at < length) {
    if (at + 2 > length) return new WireError('RADIUS packet', 'Attribute', at, 'truncated header');
    const len = buf[at + 1]!;
    if (len < 2 || at + len > length) return new WireError('RADIUS packet', 'Attribute Length', at + 1, `${len} runs past the packet`);
    attributes.push({ type: buf[at]!, value: Buffer.from(buf.subarray(at + 2, at + len)) });
    at += len;
  }
  return { code: buf[0]!, identifier: buf[1]!, authenticator: Buffer.from(buf.subarray(4, 20)), attributes };
}

function emitAttributes(attributes: readonly RadiusAttribute[]): Buffer {
  return Buffer.concat(attributes.map((a) => {
    if (a.value.length > 253) throw new RangeError(`RADIUS attribute ${a.type} of ${a.value.length} octets`);
    return Buffer.concat([Buffer.from([a.type, a.value.length + 2]), a.value]);
  }));
}

function withHeader(code: number, identifier: number, authenticator: Buffer, body: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  head[0] = code;
  head[1] = identifier;
  head.writeUInt16BE(HEADER + body.length, 2);
  authenticator.copy(head, 4);
  return Buffer.concat([head, body]);
}

/** Offset of the Message-Authenticator's value in an emitted packet, or -1. */
function maOffset(packet: Buffer): number {
  let at = HEADER;
  while (at + 2 <= packet.length) {
    const len = packet[at + 1]!;
    if (len < 2) return -1;
    if (packet[at] === ATTR.MESSAGE_AUTHENTICATOR && len === MA_LENGTH + 2) return at + 2;
    at += len;
  }
  return -1;
}

function hmac(secret: Buffer, data: Buffer): Buffer {
  return createHmac('md5', secret).update(data).digest();
}

/**
 * An Access-Request with a random Request Authenticator and a Message-Authenticator (RFC 3579
 * 3.2: HMAC-MD5 over the packet with that attribute zeroed). `attributes` must not hold one.
 */
export function emitAccessRequest(identifier: number, authenticator: Buffer, attributes: readonly RadiusAttribute[], secret: Buffer): Buffer {
  const body = emitAttributes([...attributes, { type: ATTR.MESSAGE_AUTHENTICATOR, value: Buffer.alloc(MA_LENGTH) }]);
  const packet = withHeader(RADIUS_CODE.ACCESS_REQUEST, identifier, authenticator, body);
  hmac(secret, packet).copy(packet, maOffset(packet));
  return packet;
}

/**
 * An Accounting-Request (RFC 2866 3): the Message-Authenticator is computed with the Request
 * Authenticator zeroed, then the Request Authenticator MD5(packet + secret) over the result.
 */
export function emitAccountingRequest(identifier: number, attributes: readonly RadiusAttribute[], secret: Buffer): Buffer {
  const body = emitAttributes([...attributes, { type: ATTR.MESSAGE_AUTHENTICATOR, value: Buffer.alloc(MA_LENGTH) }]);
  const packet = withHeader(RADIUS_CODE.ACCOUNTING_REQUEST, identifier, Buffer.alloc(16), body);
  hmac(secret, packet).copy(packet, maOffset(packet));
  createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
  return packet;
}

/** A response packet as a server sends it (used by tests of the client). */
export function emitResponse(code: number, identifier: number, requestAuthenticator: Buffer, attributes: readonly RadiusAttribute[], secret: Buffer): Buffer {
  const body = emitAttributes([...attributes, { type: ATTR.MESSAGE_AUTHENTICATOR, value: Buffer.alloc(MA_LENGTH) }]);
  const packet = withHeader(code, identifier, requestAuthenticator, body);
  hmac(secret, packet).copy(packet, maOffset(packet));
  createHash('md5').update(packet).update(secret).digest().copy(packet, 4);
  return packet;
}

/**
 * Checks a reply against the request it answers: the Response Authenticator (RFC 2865 3) and a
 * Message-Authenticator, which is required on every reply (RFC 3579 3.2; Blast-RADIUS, 2024:
 * without it a man in the middle can forge an Accept from a Reject). Returns why not, or undefined.
 */
export function checkResponse(raw: Buffer, requestAuthenticator: Buffer, secret: Buffer): string | undefined {
  if (raw.length < HEADER) return 'short packet';
  const length = raw.readUInt16BE(2);
  const packet = Buffer.from(raw.subarray(0, length));
  const got = Buffer.from(packet.subarray(4, 20));
  requestAuthenticator.copy(packet, 4);
  const want = createHash('md5').update(packet).update(secret).digest();
  if (!timingSafeEqual(got, want)) return 'bad Response Authenticator (wrong secret?)';
  const at = maOffset(packet);
  if (at < 0) return 'no Message-Authenticator';
  const ma = Buffer.from(packet.subarray(at, at + MA_LENGTH));
  packet.fill(0, at, at + MA_LENGTH);
  if (timingSafeEqual(ma, hmac(secret, packet))) return undefined;
  // RFC 3579 defines the attribute for Access replies only; FreeRADIUS signs an
  // Accounting-Response as it signs an Accounting-Request, over a zeroed authenticator.
  if (packet[0] === RADIUS_CODE.ACCOUNTING_RESPONSE) {
    packet.fill(0, 4, 20);
    if (timingSafeEqual(ma, hmac(secret, packet))) return undefined;
  }
  return 'bad Message-Authenticator';
}

// ---- attribute values --------------------------------------------------------------------------

export function attrString(type: number, value: string): RadiusAttribute {
  return { type, value: Buffer.from(value, 'utf8') };
}

export function attrInt(type: number, value: number): RadiusAttribute {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return { type, value: b };
}

export function attrAddress(type: number, dotted: string): RadiusAttribute {
  return { type, value: Buffer.from(dotted.split('.').map(Number)) };
}

export function vendorAttr(vendorId: number, type: number, value: Buffer): RadiusAttribute {
  const head = Buffer.alloc(6);
  head.writeUInt32BE(vendorId);
  head[4] = type;
  head[5] = value.length + 2;
  return { type: ATTR.VENDOR_SPECIFIC, value: Buffer.concat([head, value]) };
}

/** Vendor-Specific sub-attributes of one vendor (RFC 2865 5.26, the recommended format). */
export function vendorAttributes(attributes: readonly RadiusAttribute[], vendorId: number): RadiusAttribute[] {
  const out: RadiusAttribute[] = [];
  for (const a of attributes) {
    if (a.type !== ATTR.VENDOR_SPECIFIC || a.value.length < 6 || a.value.readUInt32BE(0) !== vendorId) continue;
    let at = 4;
    while (at + 2 <= a.value.length) {
      const len = a.value[at + 1]!;
      if (len < 2 || at + len > a.value.length) break;
      out.push({ type: a.value[at]!, value: Buffer.from(a.value.subarray(at + 2, at + len)) });
      at += len;
    }
  }
  return out;
}

export function intValue(a: RadiusAttribute | undefined): number | undefined {
  return a && a.value.length === 4 ? a.value.readUInt32BE(0) : undefined;
}

export function addressValue(a: RadiusAttribute | undefined): string | undefined {
  return a && a.value.length === 4 ? [...a.value].join('.') : undefined;
}

/** User-Password hiding (RFC 2865 5.2): 16-octet blocks XORed with MD5(secret + previous). */
export function hidePassword(password: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  const padded = Buffer.alloc(Math.max(16, Math.ceil(password.length / 16) * 16));
  password.copy(padded);
  return xorChain(padded, secret, authenticator, 'encrypt');
}

function xorChain(data: Buffer, secret: Buffer, first: Buffer, direction: 'encrypt' | 'decrypt'): Buffer {
  const out = Buffer.alloc(data.length);
  let prev = first;
  for (let i = 0; i < data.length; i += 16) {
    const b = createHash('md5').update(secret).update(prev).digest();
    for (let j = 0; j < 16; j++) out[i + j] = data[i + j]! ^ b[j]!;
    prev = direction === 'encrypt' ? out.subarray(i, i + 16) : data.subarray(i, i + 16);
  }
  return out;
}

/**
 * MS-MPPE-Send-Key / MS-MPPE-Recv-Key (RFC 2548 2.4.2, 2.4.3): Salt (2 octets, high bit set),
 * then the key length octet, the key and padding, hidden like User-Password with
 * MD5(secret + Request Authenticator + Salt) for the first block.
 */
export function decryptMppeKey(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer | WireError {
  if (value.length < 18 || (value.length - 2) % 16 !== 0) return new WireError('MS-MPPE key', 'Length', 0, `${value.length} octets`);
  if ((value[0]! & 0x80) === 0) return new WireError('MS-MPPE key', 'Salt', 0, 'high bit clear');
  const plain = xorChain(value.subarray(2), secret, Buffer.concat([requestAuthenticator, value.subarray(0, 2)]), 'decrypt');
  const len = plain[0]!;
  if (len === 0 || len > plain.length - 1) return new WireError('MS-MPPE key', 'Key-Length', 2, `${len}`);
  return Buffer.from(plain.subarray(1, 1 + len));
}

/** The inverse of decryptMppeKey, for tests and a test server. */
export function encryptMppeKey(key: Buffer, secret: Buffer, requestAuthenticator: Buffer): Buffer {
  const salt = randomBytes(2);
  salt[0]! |= 0x80;
  const plain = Buffer.alloc(Math.ceil((key.length + 1) / 16) * 16);
  plain[0] = key.length;
  key.copy(plain, 1);
  return Buffer.concat([salt, xorChain(plain, secret, Buffer.concat([requestAuthenticator, salt]), 'encrypt')]);
}

/**
 * MS-CHAP-MPPE-Keys (RFC 2548 2.4.1): 32 octets hidden like User-Password with the Request
 * Authenticator; LM-Key (8) then NT-Key (16, the NT password hash hashed again) then padding.
 */
export function decryptMsChapMppeKeys(value: Buffer, secret: Buffer, requestAuthenticator: Buffer): { lmKey: Buffer; ntKey: Buffer } | WireError {
  if (value.length < 32 || value.length % 16 !== 0) return new WireError('MS-CHAP-MPPE-Keys', 'Length', 0, `${value.length} octets`);
  const plain = xorChain(value, secret, requestAuthenticator, 'decrypt');
  return { lmKey: Buffer.from(plain.subarray(0, 8)), ntKey: Buffer.from(plain.subarray(8, 24)) };
}

/** A request Identifier and Authenticator source; kept apart so tests can pin them. */
export function randomAuthenticator(): Buffer {
  return randomBytes(16);
}

/** The inverse of hidePassword (a test server reads User-Password with it). */
export function revealPassword(hidden: Buffer, secret: Buffer, authenticator: Buffer): Buffer {
  const plain = xorChain(hidden, secret, authenticator, 'decrypt');
  const end = plain.indexOf(0);
  return end < 0 ? plain : plain.subarray(0, end);
}
