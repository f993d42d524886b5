import t from 'tap';
import {
  challengeResponse,
  hashNtPasswordHash,
  lmChallengeResponse,
  lmPasswordHash,
  ntChallengeResponse,
  ntPasswordHash,
} from '../../src/crypto/mschap1.js';
import { md4 } from '../../src/crypto/md4.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

// RFC 2433 appendix B.2: password "MyPw", challenge 10 2D B5 DF 08 5D 30 41.
const CHALLENGE = h('10 2D B5 DF 08 5D 30 41');

t.test('MS-CHAPv1 NT-Response matches RFC 2433 appendix B.2', async (t) => {
  t.equal(hex(Buffer.from('MyPw', 'utf16le')), '4D00790050007700', 'Unicode password');
  t.equal(hex(ntPasswordHash('MyPw')), 'FC156AF7EDCD6C0EDDE3337D427F4EAC', 'PasswordHash');
  t.equal(hex(ntChallengeResponse(CHALLENGE, 'MyPw')), '4E9D3C8F9CFD385D5BF4D3246791956CA4C351AB409A3D61', 'NT-Response');
  t.equal(hex(challengeResponse(CHALLENGE, ntPasswordHash('MyPw'))), '4E9D3C8F9CFD385D5BF4D3246791956CA4C351AB409A3D61');
});

t.test('LAN Manager hash and response match published values', async (t) => {
  // RFC 2433 B.2 gives only the NT values; these "MyPw" LM values are PEAR Crypt_CHAP's published
  // test expectations. AAD3B435B51404EE is the well-known hash of an all-zero half.
  t.equal(hex(lmPasswordHash('MyPw')), '75BA30198E6D1975AAD3B435B51404EE');
  t.equal(hex(lmChallengeResponse(CHALLENGE, 'MyPw')), '91881D0152AB0C33C524135EC24A95EE64E23CDC2D33347D');
  // RFC 3079 section 2.5 (sample keys): LmPasswordHash("clientPass").
  t.equal(hex(lmPasswordHash('clientPass')), '76A152936096D7830E2390227404AFD2');
  t.equal(hex(lmPasswordHash('')), 'AAD3B435B51404EEAAD3B435B51404EE', 'empty password');
});

t.test('the LAN Manager hash ignores case and everything after 14 octets', async (t) => {
  t.equal(hex(lmPasswordHash('mypw')), hex(lmPasswordHash('MYPW')));
  t.equal(hex(lmPasswordHash('abcdefghijklmnXYZ')), hex(lmPasswordHash('ABCDEFGHIJKLMN')));
  t.not(hex(lmPasswordHash('abcdefghijklm')), hex(lmPasswordHash('ABCDEFGHIJKLMN')));
});

t.test('PasswordHashHash of "clientPass" matches RFC 2759 9.2', async (t) => {
  t.equal(hex(hashNtPasswordHash(ntPasswordHash('clientPass'))), '41C00C584BD2D91C4017A2A12FA59F3F');
});

t.test('a non-ASCII password is hashed as UTF-16LE, surrogate pairs included', async (t) => {
  // U+00E9 is E9 00; U+1F600 is the surrogate pair D83D DE00, so the octets 3D D8 00 DE.
  t.equal(hex(ntPasswordHash('\u00e9')), hex(md4(h('E900'))));
  t.equal(hex(ntPasswordHash('a\u{1F600}')), hex(md4(h('6100 3DD8 00DE'))));
});

t.test('MS-CHAPv1 refuses challenges and hashes of the wrong size', async (t) => {
  t.throws(() => challengeResponse(h('00'), ntPasswordHash('x')), RangeError);
  t.throws(() => challengeResponse(CHALLENGE, h('00')), RangeError);
  t.throws(() => hashNtPasswordHash(h('00')), RangeError);
});
