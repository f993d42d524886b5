// The RADIUS codec against RFC 2865 section 7.1's example exchange, and the checks every reply
// must pass: Response Authenticator, and a Message-Authenticator (RFC 3579), which is required.
import t from 'tap';
import { createHash, randomBytes } from 'node:crypto';
import {
  ATTR, RADIUS_CODE, checkResponse, decryptMppeKey, emitAccessRequest, emitAccountingRequest, emitResponse,
  encryptMppeKey, hidePassword, parseRadius, revealPassword,
} from '../../src/wire/radius.js';
import { WireError } from '../../src/wire/error.js';

const secret = Buffer.from('xyzzy5461');
const requestAuthenticator = Buffer.from('0f403f9473978057bd83d5cb98f4227a', 'hex');

t.test('RFC 2865 7.1: User-Password hiding and the Access-Accept authenticator', async (t) => {
  const hidden = hidePassword(Buffer.from('arctangent'), secret, requestAuthenticator);
  t.equal(hidden.toString('hex'), '0dbe708d93d413ce3196e43f782a0aee');
  t.equal(revealPassword(hidden, secret, requestAuthenticator).toString(), 'arctangent');
  const accept = Buffer.from('02000026' + '0f403f9473978057bd83d5cb98f4227a' + '0606000000010f06000000000e06c0a80103', 'hex');
  const want = createHash('md5').update(accept).update(secret).digest();
  t.equal(want.toString('hex'), '86fe220e7624ba2a1005f6bf9b55e0b2', 'the Response Authenticator of the RFC');
  want.copy(accept, 4);
  t.equal(checkResponse(accept, requestAuthenticator, secret), 'no Message-Authenticator', 'the RFC 2865 reply, unsigned, is refused (Blast-RADIUS)');
});

t.test('requests carry a valid Message-Authenticator; signed replies pass, altered ones do not', async (t) => {
  const req = emitAccessRequest(7, requestAuthenticator, [{ type: ATTR.USER_NAME, value: Buffer.from('nemo') }], secret);
  const parsed = parseRadius(req);
  if (parsed instanceof WireError) throw new Error(parsed.toString());
  t.equal(parsed.code, RADIUS_CODE.ACCESS_REQUEST);
  t.same(parsed.attributes.map((a) => a.type), [ATTR.USER_NAME, ATTR.MESSAGE_AUTHENTICATOR]);
  const reply = emitResponse(RADIUS_CODE.ACCESS_ACCEPT, 7, requestAuthenticator, [{ type: ATTR.CLASS, value: Buffer.from('c') }], secret);
  t.equal(checkResponse(reply, requestAuthenticator, secret), undefined, 'a signed Accept passes');
  t.match(checkResponse(reply, requestAuthenticator, Buffer.from('other')), /Response Authenticator/, 'the wrong secret fails');
  const flipped = Buffer.from(reply);
  flipped[0] = RADIUS_CODE.ACCESS_REJECT;
  t.match(checkResponse(flipped, requestAuthenticator, secret), /Response Authenticator/, 'a Reject made into an Accept fails');
  const acct = emitAccountingRequest(9, [{ type: ATTR.ACCT_STATUS_TYPE, value: Buffer.from([0, 0, 0, 1]) }], secret);
  const zeroed = Buffer.from(acct);
  zeroed.fill(0, 4, 20);
  t.equal(createHash('md5').update(zeroed).update(secret).digest().toString('hex'), acct.subarray(4, 20).toString('hex'), 'RFC 2866 3 Request Authenticator over the signed packet');
});

t.test('MS-MPPE keys (RFC 2548 2.4.2) round trip; garbage is an error, not a key', async (t) => {
  const key = randomBytes(16);
  const hidden = encryptMppeKey(key, secret, requestAuthenticator);
  t.equal(hidden.length, 34);
  t.same(decryptMppeKey(hidden, secret, requestAuthenticator), key);
  t.type(decryptMppeKey(hidden.subarray(0, 10), secret, requestAuthenticator), WireError);
  t.type(parseRadius(Buffer.from('0200ffff', 'hex')), WireError);
});
