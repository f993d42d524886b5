// MS-CHAPv1 (RFC 2433) as a CHAP algorithm (0x80): an 8-octet challenge, a 49-octet response
// (LM-Response 24, NT-Response 24, Use-NT flag 1). We only accept the NT response; the LM
// hash is too weak to check against. Keys for MPPE per RFC 3079 section 2.

import { timingSafeEqual } from 'node:crypto';
import { lmChallengeResponse, ntChallengeResponse } from '../../crypto/mschap1.js';
import type { ChapAlgorithm } from './chap.js';

const RESPONSE_LENGTH = 49;

export const mschap1: ChapAlgorithm = {
  method: 'mschap1',
  challengeLength: 8,
  verify(_id, challenge, response, _name, password) {
    if (response.length !== RESPONSE_LENGTH || response[48] !== 1) {
      return { ok: false, message: 'E=691 R=0', keys: undefined, reason: 'response without NT-Response' };
    }
    const expected = ntChallengeResponse(challenge, password);
    const ok = timingSafeEqual(expected, response.subarray(24, 48));
    return {
      ok,
      // RFC 2433 section 6: E=691 is "authentication failure"; R=0 forbids a retry (we hang up).
      message: ok ? '' : 'E=691 R=0',
      keys: ok ? { kind: 'mschap1', password, challenge: Buffer.from(challenge) } : undefined,
      reason: ok ? undefined : 'wrong password',
    };
  },
  respond(_id, challenge, _name, password) {
    if (challenge.length !== 8) return `MS-CHAPv1 challenge of ${challenge.length} octets, expected 8`;
    const value = Buffer.concat([lmChallengeResponse(challenge, password), ntChallengeResponse(challenge, password), Buffer.from([1])]);
    return { value, acceptSuccess: () => true, keys: { kind: 'mschap1', password, challenge: Buffer.from(challenge) } };
  },
  failureMessage: () => 'E=691 R=0',
};
