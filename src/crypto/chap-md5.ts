// CHAP with MD5 (RFC 1994 section 4.1): Response Value = MD5(Identifier || secret || Challenge).
import { createHash } from 'node:crypto';

export function chapMd5Response(identifier: number, secret: string | Buffer, challenge: Uint8Array): Buffer {
  if (!Number.isInteger(identifier) || identifier < 0 || identifier > 0xff) {
    throw new RangeError(`CHAP identifier must be one octet, got ${identifier}`);
  }
  return createHash('md5')
    .update(Uint8Array.of(identifier))
    .update(typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret)
    .update(challenge)
    .digest();
}
