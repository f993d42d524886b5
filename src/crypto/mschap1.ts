// MS-CHAP version 1 (RFC 2433 appendix A): the password hashes and the 24-octet responses.
// Also the building blocks MS-CHAPv2 (RFC 2759) and the MPPE keys (RFC 3079) share.
import { desEncrypt } from './des.js';
import { md4 } from './md4.js';

// RFC 2433 A.8: the LAN Manager password is 0 to 14 OEM characters.
const LM_PASSWORD_OCTETS = 14;
// RFC 2433 A.9 (DesHash): the clear text every LAN Manager half-hash encrypts.
const LM_MAGIC = Buffer.from('KGS!@#$%', 'latin1');

function checkLength(name: string, value: Uint8Array, length: number): void {
  if (value.length !== length) throw new RangeError(`${name} must be ${length} octets, got ${value.length}`);
}

/**
 * NtPasswordHash (RFC 2433 A.2): MD4 of the password in UTF-16LE ("Unicode"), as Windows does.
 * (pppd widens each octet of its secret instead, so the two differ for non-ASCII passwords.)
 * RFC 2433 allows up to 256 characters; the configuration is the place to enforce that.
 */
export function ntPasswordHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** HashNtPasswordHash (RFC 2433 A.3, RFC 2759 8.4): MD4 of the 16-octet password hash. */
export function hashNtPasswordHash(passwordHash: Uint8Array): Buffer {
  checkLength('PasswordHash', passwordHash, 16);
  return md4(passwordHash);
}

/**
 * ChallengeResponse (RFC 2433 A.5, RFC 2759 8.5): the hash zero-padded to 21 octets is three
 * 7-octet DES keys, each encrypting the 8-octet challenge.
 */
export function challengeResponse(challenge8: Uint8Array, passwordHash16: Uint8Array): Buffer {
  checkLength('Challenge', challenge8, 8);
  checkLength('PasswordHash', passwordHash16, 16);
  const zPasswordHash = Buffer.alloc(21);
  zPasswordHash.set(passwordHash16);
  return Buffer.concat([0, 7, 14].map((at) => desEncrypt(zPasswordHash.subarray(at, at + 7), challenge8)));
}

/** NtChallengeResponse (RFC 2433 A.1): the NT-Response field of an MS-CHAP Response. */
export function ntChallengeResponse(challenge8: Uint8Array, password: string): Buffer {
  return challengeResponse(challenge8, ntPasswordHash(password));
}

/**
 * LmPasswordHash (RFC 2433 A.8): the upper-cased password, zero-padded to 14 octets, as two DES
 * keys encrypting "KGS!@#$%". Longer passwords are cut to 14 octets, as pppd does (the RFC
 * defines only 0 to 14); non-Latin-1 characters have no defined OEM form and become '?'.
 */
export function lmPasswordHash(password: string): Buffer {
  const upper = Buffer.from(password.toUpperCase().replace(/[^\x00-\xff]/g, '?'), 'latin1');
  const padded = Buffer.alloc(LM_PASSWORD_OCTETS);
  upper.copy(padded, 0, 0, LM_PASSWORD_OCTETS);
  return Buffer.concat([desEncrypt(padded.subarray(0, 7), LM_MAGIC), desEncrypt(padded.subarray(7, 14), LM_MAGIC)]);
}

/** LmChallengeResponse (RFC 2433 A.7): the LAN Manager-compatible response field. */
export function lmChallengeResponse(challenge8: Uint8Array, password: string): Buffer {
  return challengeResponse(challenge8, lmPasswordHash(password));
}
