// MS-CHAPv2 (RFC 2759) as a CHAP algorithm (0x81): 16-octet challenge; the 49-octet response
// holds Peer-Challenge 16, Reserved 8 (zero), NT-Response 24, Flags 1. Success carries
// "S=<40 upper-case hex> M=<text>" (section 5), which the peer checks before it trusts the
// server (mutual authentication); a mismatch hangs up. Failure carries E=691 R=0 C=... V=3.

import { timingSafeEqual } from 'node:crypto';
import { checkAuthenticatorResponse, generateAuthenticatorResponse, generateNtResponse } from '../../crypto/mschap2.js';
import type { ChapAlgorithm } from './chap.js';

const RESPONSE_LENGTH = 49;

/** RFC 2759 section 4: the name in ChallengeHash is the user name without any domain. */
function hashName(name: string): string {
  return name.slice(name.lastIndexOf('\\') + 1);
}

function failure(challenge: Buffer): string {
  return `E=691 R=0 C=${challenge.toString('hex').toUpperCase()} V=3 M=Authentication failed`;
}

export const mschap2: ChapAlgorithm = {
  method: 'mschap2',
  challengeLength: 16,
  verify(_id, challenge, response, name, password) {
    if (response.length !== RESPONSE_LENGTH) {
      return { ok: false, message: failure(challenge), keys: undefined, reason: `response of ${response.length} octets` };
    }
    const peerChallenge = response.subarray(0, 16);
    const ntResponse = Buffer.from(response.subarray(24, 48));
    const expected = generateNtResponse(challenge, peerChallenge, hashName(name), password);
    if (!timingSafeEqual(expected, ntResponse)) {
      return { ok: false, message: failure(challenge), keys: undefined, reason: 'wrong password' };
    }
    const s = generateAuthenticatorResponse(password, ntResponse, peerChallenge, challenge, hashName(name));
    return { ok: true, message: `${s} M=Authentication succeeded`, keys: { kind: 'mschap2', password, ntResponse } };
  },
  respond(_id, challenge, name, password, random) {
    if (challenge.length !== 16) return `MS-CHAPv2 challenge of ${challenge.length} octets, expected 16`;
    const peerChallenge = random(16);
    const ntResponse = generateNtResponse(challenge, peerChallenge, hashName(name), password);
    const value = Buffer.concat([peerChallenge, Buffer.alloc(8), ntResponse, Buffer.from([0])]);
    return {
      value,
      keys: { kind: 'mschap2', password, ntResponse },
      acceptSuccess: (message: string) => {
        const m = /^S=([0-9A-Fa-f]{40})/.exec(message);
        if (!m) return false;
        return checkAuthenticatorResponse(password, ntResponse, peerChallenge, challenge, hashName(name), `S=${m[1]!.toUpperCase()}`);
      },
    };
  },
  failureMessage: failure,
};
