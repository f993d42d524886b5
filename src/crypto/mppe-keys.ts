// MPPE start keys from the login (RFC 3079): what src/crypto/mppe.ts takes as MppeParams.startKey.
// The per-packet cipher turns a start key into session keys itself (RFC 3079 sections 2.1-2.3 and
// 3.1-3.3: GetKey/GetNewKeyFromSHA, the RC4 step, and for 40/56-bit the fixed leading octets).
import { createHash } from 'node:crypto';
import { hashNtPasswordHash, lmPasswordHash, ntPasswordHash } from './mschap1.js';

export type MppeRole = 'client' | 'server';

export interface MppeStartKeys {
  readonly send: Buffer;
  readonly receive: Buffer;
}

// RFC 3079 section 3.4: the magic constants (ASCII, no terminating NUL) and SHA pads.
const MAGIC1 = Buffer.from('This is the MPPE Master Key', 'ascii');
const MAGIC2 = Buffer.from('On the client side, this is the send key; on the server side, it is the receive key.', 'ascii');
const MAGIC3 = Buffer.from('On the client side, this is the receive key; on the server side, it is the send key.', 'ascii');
const SHS_PAD1 = Buffer.alloc(40, 0x00);
const SHS_PAD2 = Buffer.alloc(40, 0xf2);

function checkKeyLength(keyLength: number): void {
  if (keyLength !== 8 && keyLength !== 16) throw new RangeError(`MPPE start key is 8 or 16 octets, got ${keyLength}`);
}

function checkLength(name: string, value: Uint8Array, length: number): void {
  if (value.length !== length) throw new RangeError(`${name} must be ${length} octets, got ${value.length}`);
}

/** GetMasterKey (RFC 3079 3.4): SHA-1(PasswordHashHash, NT-Response, Magic1), first 16 octets. */
export function mschap2MasterKey(password: string, ntResponse24: Uint8Array): Buffer {
  checkLength('NT-Response', ntResponse24, 24);
  const passwordHashHash = hashNtPasswordHash(ntPasswordHash(password));
  return createHash('sha1').update(passwordHashHash).update(ntResponse24).update(MAGIC1).digest().subarray(0, 16);
}

/** GetAsymmetricStartKey (RFC 3079 3.4) for one magic constant. */
function asymmetricStartKey(masterKey: Buffer, magic: Buffer, keyLength: 8 | 16): Buffer {
  return createHash('sha1')
    .update(masterKey)
    .update(SHS_PAD1)
    .update(magic)
    .update(SHS_PAD2)
    .digest()
    .subarray(0, keyLength);
}

/**
 * MS-CHAPv2 start keys (RFC 3079 3.1-3.4): 16 octets for 128-bit MPPE, 8 for 40/56-bit (the
 * first 8 of the 16; the cipher overwrites the leading octets of each session key). Magic2 is
 * the client's send key and the server's receive key, Magic3 the other way round, so the
 * server's send key is the client's receive key.
 */
export function mschap2StartKeys(password: string, ntResponse24: Uint8Array, keyLength: 8 | 16, role: MppeRole): MppeStartKeys {
  checkKeyLength(keyLength);
  const masterKey = mschap2MasterKey(password, ntResponse24);
  const clientSend = asymmetricStartKey(masterKey, MAGIC2, keyLength);
  const clientReceive = asymmetricStartKey(masterKey, MAGIC3, keyLength);
  return role === 'client'
    ? { send: clientSend, receive: clientReceive }
    : { send: clientReceive, receive: clientSend };
}

/**
 * MS-CHAPv1 start key: the same key in both directions (RFC 3079 section 2).
 *
 * 128-bit (RFC 3079 2.3, GetStartKey of 2.4): SHA-1(PasswordHashHash, PasswordHashHash, Challenge),
 * first 16 octets; Challenge is the authenticator's 8-octet challenge.
 *
 * 40/56-bit: RFC 3079 2.1-2.2 start from the LAN Manager hash (mschap1LmStartKey below), but
 * pppd, and Linux's ppp_mppe with it, never do: pppd hands the kernel the same 16-octet SHA-1
 * key whatever the strength, and the kernel uses its first 8 octets for 40/56-bit. We follow
 * pppd, the peer we interoperate with, so keyLength 8 gives the first 8 octets of the
 * 128-bit start key.
 */
export function mschap1StartKeys(password: string, challenge8: Uint8Array, keyLength: 8 | 16): MppeStartKeys {
  checkKeyLength(keyLength);
  checkLength('Challenge', challenge8, 8);
  const passwordHashHash = hashNtPasswordHash(ntPasswordHash(password));
  const key = createHash('sha1')
    .update(passwordHashHash)
    .update(passwordHashHash)
    .update(challenge8)
    .digest()
    .subarray(0, keyLength);
  return { send: key, receive: Buffer.from(key) };
}

/**
 * The 8-octet MS-CHAPv1 start key exactly as RFC 3079 2.1-2.2 define it for 40/56-bit MPPE:
 * the first 8 octets of LmPasswordHash. Not what pppd does (see mschap1StartKeys); kept for a
 * peer that follows the RFC literally.
 */
export function mschap1LmStartKey(password: string): Buffer {
  return lmPasswordHash(password).subarray(0, 8);
}
