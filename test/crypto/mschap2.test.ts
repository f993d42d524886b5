import t from 'tap';
import fc from 'fast-check';
import {
  challengeHash,
  challengeHashUserName,
  checkAuthenticatorResponse,
  generateAuthenticatorResponse,
  generateNtResponse,
} from '../../src/crypto/mschap2.js';
import { ntPasswordHash } from '../../src/crypto/mschap1.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

// RFC 2759 section 9.2.
const USER = 'User';
const PASSWORD = 'clientPass';
const AUTH_CHALLENGE = h('5B 5D 7C 7D 7B 3F 2F 3E 3C 2C 60 21 32 26 26 28');
const PEER_CHALLENGE = h('21 40 23 24 25 5E 26 2A 28 29 5F 2B 3A 33 7C 7E');
const NT_RESPONSE = '82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF';
const AUTH_RESPONSE = 'S=407A5589115FD0D6209F510FE9C04566932CDA56';

t.test('MS-CHAPv2 intermediate values and responses match RFC 2759 9.2', async (t) => {
  t.equal(hex(Buffer.from(PASSWORD, 'utf16le')), '63006C00690065006E0074005000610073007300', 'Unicode password');
  t.equal(hex(ntPasswordHash(PASSWORD)), '44EBBA8D5312B8D611474411F56989AE', 'PasswordHash');
  t.equal(hex(challengeHash(PEER_CHALLENGE, AUTH_CHALLENGE, USER)), 'D02E4386BCE91226', 'ChallengeHash');
  t.equal(hex(generateNtResponse(AUTH_CHALLENGE, PEER_CHALLENGE, USER, PASSWORD)), NT_RESPONSE, 'NT-Response');
  t.equal(generateAuthenticatorResponse(PASSWORD, h(NT_RESPONSE), PEER_CHALLENGE, AUTH_CHALLENGE, USER), AUTH_RESPONSE);
});

t.test('a DOMAIN\\ prefix on the user name does not enter ChallengeHash (RFC 2759 section 4)', async (t) => {
  t.equal(challengeHashUserName('CORP\\User'), 'User');
  t.equal(challengeHashUserName('A\\B\\User'), 'User');
  t.equal(challengeHashUserName('User'), 'User');
  t.equal(hex(generateNtResponse(AUTH_CHALLENGE, PEER_CHALLENGE, 'CORP\\User', PASSWORD)), NT_RESPONSE);
  t.equal(generateAuthenticatorResponse(PASSWORD, h(NT_RESPONSE), PEER_CHALLENGE, AUTH_CHALLENGE, 'CORP\\User'), AUTH_RESPONSE);
});

t.test('the peer accepts the right authenticator response and nothing else', async (t) => {
  const check = (received: string): boolean =>
    checkAuthenticatorResponse(PASSWORD, h(NT_RESPONSE), PEER_CHALLENGE, AUTH_CHALLENGE, USER, received);
  t.ok(check(AUTH_RESPONSE));
  t.ok(check(AUTH_RESPONSE.replace(/[A-F]/g, (c) => c.toLowerCase())), 'lower-case hex digits');
  t.notOk(check(AUTH_RESPONSE.slice(0, -1) + '7'), 'last digit changed');
  t.notOk(check(AUTH_RESPONSE.slice(2)), 'without "S="');
  t.notOk(check(AUTH_RESPONSE + ' M=hello'), 'message text not split off');
  t.notOk(check(''), 'empty');
  t.notOk(checkAuthenticatorResponse('clientpass', h(NT_RESPONSE), PEER_CHALLENGE, AUTH_CHALLENGE, USER, AUTH_RESPONSE), 'other password');
});

t.test('any change to the authenticator response is refused (property)', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: AUTH_RESPONSE.length - 1 }), fc.constantFrom(...'0123456789ABCDEFS=x'), (at, c) => {
      const changed = AUTH_RESPONSE.slice(0, at) + c + AUTH_RESPONSE.slice(at + 1);
      const accepted = checkAuthenticatorResponse(PASSWORD, h(NT_RESPONSE), PEER_CHALLENGE, AUTH_CHALLENGE, USER, changed);
      return accepted === (changed === AUTH_RESPONSE);
    }),
  );
  t.pass();
});

t.test('MS-CHAPv2 refuses challenges and responses of the wrong size', async (t) => {
  t.throws(() => challengeHash(h('00'), AUTH_CHALLENGE, USER), RangeError);
  t.throws(() => generateNtResponse(h('00'), PEER_CHALLENGE, USER, PASSWORD), RangeError);
  t.throws(() => generateAuthenticatorResponse(PASSWORD, h('00'), PEER_CHALLENGE, AUTH_CHALLENGE, USER), RangeError);
});
