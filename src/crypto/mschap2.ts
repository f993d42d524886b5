// MS-CHAP version 2 (RFC 2759 section 8): the peer's NT-Response and the authenticator's
// "S=" response that proves to the peer that the authenticator knows the password too.
import { createHash, timingSafeEqual } from 'node:crypto';
import { challengeResponse, hashNtPasswordHash, ntPasswordHash } from './mschap1.js';

// RFC 2759 section 8.7 magic constants (the ASCII text, no terminating NUL).
const MAGIC1 = Buffer.from('Magic server to client signing constant', 'ascii');
const MAGIC2 = Buffer.from('Pad to make it do more than one iteration', 'ascii');

function checkLength(name: string, value: Uint8Array, length: number): void {
  if (value.length !== length) throw new RangeError(`${name} must be ${length} octets, got ${value.length}`);
}

/**
 * The user name that ChallengeHash hashes: RFC 2759 section 4 excludes any domain the peer
 * prepends ("DOMAIN\user" gives "user"); like pppd, everything up to the last backslash goes.
 */
export function challengeHashUserName(username: string): string {
  return username.slice(username.lastIndexOf('\\') + 1);
}

/**
 * ChallengeHash (RFC 2759 8.2): the first 8 octets of SHA-1(PeerChallenge, AuthenticatorChallenge,
 * UserName). The name is hashed as UTF-8 octets (ASCII names are the same in every encoding).
 */
export function challengeHash(peerChallenge16: Uint8Array, authenticatorChallenge16: Uint8Array, username: string): Buffer {
  checkLength('Peer-Challenge', peerChallenge16, 16);
  checkLength('Authenticator Challenge', authenticatorChallenge16, 16);
  return createHash('sha1')
    .update(peerChallenge16)
    .update(authenticatorChallenge16)
    .update(Buffer.from(challengeHashUserName(username), 'utf8'))
    .digest()
    .subarray(0, 8);
}

/** GenerateNTResponse (RFC 2759 8.1): the 24-octet NT-Response the peer sends. */
export function generateNtResponse(
  authenticatorChallenge16: Uint8Array,
  peerChallenge16: Uint8Array,
  username: string,
  password: string,
): Buffer {
  return challengeResponse(challengeHash(peerChallenge16, authenticatorChallenge16, username), ntPasswordHash(password));
}

/** GenerateAuthenticatorResponse (RFC 2759 8.7): "S=" followed by 40 upper-case hex digits. */
export function generateAuthenticatorResponse(
  password: string,
  ntResponse24: Uint8Array,
  peerChallenge16: Uint8Array,
  authenticatorChallenge16: Uint8Array,
  username: string,
): string {
  checkLength('NT-Response', ntResponse24, 24);
  const passwordHashHash = hashNtPasswordHash(ntPasswordHash(password));
  const digest = createHash('sha1').update(passwordHashHash).update(ntResponse24).update(MAGIC1).digest();
  const challenge = challengeHash(peerChallenge16, authenticatorChallenge16, username);
  const final = createHash('sha1').update(digest).update(challenge).update(MAGIC2).digest();
  return 'S=' + final.toString('hex').toUpperCase();
}

/**
 * CheckAuthenticatorResponse (RFC 2759 8.8), run by the peer on the "S=" part of a Success
 * message (42 characters; the caller splits off any " M=" text). Hex digits are compared without
 * regard to case, in constant time.
 */
export function checkAuthenticatorResponse(
  password: string,
  ntResponse24: Uint8Array,
  peerChallenge16: Uint8Array,
  authenticatorChallenge16: Uint8Array,
  username: string,
  received: string,
): boolean {
  const expected = Buffer.from(
    generateAuthenticatorResponse(password, ntResponse24, peerChallenge16, authenticatorChallenge16, username),
    'ascii',
  );
  const candidate = Buffer.from(received.startsWith('S=') ? 'S=' + received.slice(2).toUpperCase() : received, 'utf8');
  // timingSafeEqual needs equal lengths; a wrong length is no secret.
  if (candidate.length !== expected.length) return false;
  return timingSafeEqual(candidate, expected);
}
