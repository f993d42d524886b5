import t from 'tap';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { mschap1LmStartKey, mschap1StartKeys, mschap2MasterKey, mschap2StartKeys } from '../../src/crypto/mppe-keys.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex').toUpperCase();

// GetNewKeyFromSHA (RFC 3079 section 3.4; GetKey of section 2.4 is the same), written out here only to tie our start keys to the
// session keys the RFC's samples print; the cipher in src/crypto/mppe.ts owns the real one.
function newKeyFromSha(startKey: Buffer, sessionKey: Buffer, length: number): Buffer {
  return createHash('sha1')
    .update(startKey.subarray(0, length))
    .update(Buffer.alloc(40, 0))
    .update(sessionKey.subarray(0, length))
    .update(Buffer.alloc(40, 0xf2))
    .digest()
    .subarray(0, length);
}

// RFC 3079 section 3.5 uses RFC 2759 9.2's login: "User", "clientPass", this NT-Response.
const PASSWORD = 'clientPass';
const NT_RESPONSE = h('82309ECD8D708B5EA08FAA3981CD83544233114A3D85D6DF');

t.test('MS-CHAPv2 master key and 128-bit start key match RFC 3079 3.5.3', async (t) => {
  t.equal(hex(mschap2MasterKey(PASSWORD, NT_RESPONSE)), 'FDECE3717A8C838CB388E527AE3CDD31', 'MasterKey');
  const server = mschap2StartKeys(PASSWORD, NT_RESPONSE, 16, 'server');
  t.equal(hex(server.send), '8B7CDC149B993A1BA118CB153F56DCCB', 'SendStartKey128 (the RFC computes it as the server)');
  t.equal(hex(newKeyFromSha(server.send, server.send, 16)), '405CB2247A7956E6E211007AE27B22D4', 'and the SendSessionKey128 it leads to');
});

t.test("the server's send key is the client's receive key, and the other way round", async (t) => {
  const server = mschap2StartKeys(PASSWORD, NT_RESPONSE, 16, 'server');
  const client = mschap2StartKeys(PASSWORD, NT_RESPONSE, 16, 'client');
  t.equal(hex(client.receive), '8B7CDC149B993A1BA118CB153F56DCCB');
  t.equal(hex(client.send), hex(server.receive));
  t.not(hex(client.send), hex(client.receive), 'the two directions use different keys');
  // Magic2 key for the same login, as published by other implementations' RFC 3079 tests.
  t.equal(hex(client.send), 'D5F0E9521E3EA9589645E86051C82226');
});

t.test('key direction holds for any password and NT-Response (property)', async (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 40 }), fc.uint8Array({ minLength: 24, maxLength: 24 }), fc.constantFrom(8 as const, 16 as const), (pw, nt, len) => {
      const server = mschap2StartKeys(pw, nt, len, 'server');
      const client = mschap2StartKeys(pw, nt, len, 'client');
      return (
        server.send.equals(client.receive) &&
        server.receive.equals(client.send) &&
        server.send.length === len &&
        server.send.equals(mschap2StartKeys(pw, nt, 16, 'server').send.subarray(0, len))
      );
    }),
    { numRuns: 100 },
  );
  t.pass();
});

t.test('MS-CHAPv2 8-octet start key for 40/56-bit matches RFC 3079 3.5.1/3.5.2', async (t) => {
  const server = mschap2StartKeys(PASSWORD, NT_RESPONSE, 8, 'server');
  t.equal(hex(server.send), '8B7CDC149B993A1B', 'SendStartKey40');
  t.equal(hex(newKeyFromSha(server.send, server.send, 8)), '965C00C49FA62E3E', 'SendSessionKey40 before its first octets are fixed');
});

// RFC 3079 section 2.5 uses password "clientPass" and RFC 2433's challenge.
const V1_CHALLENGE = h('10 2D B5 DF 08 5D 30 41');

t.test('MS-CHAPv1 128-bit start key matches RFC 3079 2.5.3 and is the same both ways', async (t) => {
  const keys = mschap1StartKeys(PASSWORD, V1_CHALLENGE, 16);
  // RFC 3079 2.5.3 prints the key with "AC CA" in one step and "AC C1" in the next; the session
  // key it then prints follows from "AC C1".
  t.equal(hex(keys.send), 'A8947850CFC0ACC1D1789FB62DDCDDB0');
  t.equal(hex(keys.receive), hex(keys.send));
  t.equal(hex(newKeyFromSha(keys.send, keys.send, 16)), '59D159BC09F76F1DA2A86A28FFEC0B1E', 'the session key RFC 3079 2.5.3 prints');
});

t.test('MS-CHAPv1 40/56-bit start key is the first 8 octets of the 128-bit one, as pppd does', async (t) => {
  const keys = mschap1StartKeys(PASSWORD, V1_CHALLENGE, 8);
  t.equal(hex(keys.send), 'A8947850CFC0ACC1');
  t.equal(hex(keys.receive), 'A8947850CFC0ACC1');
});

t.test("RFC 3079's literal 40/56-bit MS-CHAPv1 key comes from the LAN Manager hash (2.5.1)", async (t) => {
  const key = mschap1LmStartKey(PASSWORD);
  t.equal(hex(key), '76A152936096D783');
  t.equal(hex(newKeyFromSha(key, key, 8)), 'D80801538CEC4A08', 'the GetKey result RFC 3079 2.5.1 prints');
});

t.test('start-key functions refuse sizes MPPE does not have', async (t) => {
  t.throws(() => mschap2StartKeys(PASSWORD, NT_RESPONSE, 5 as 8, 'client'), RangeError);
  t.throws(() => mschap2MasterKey(PASSWORD, h('00')), RangeError);
  t.throws(() => mschap1StartKeys(PASSWORD, h('00'), 16), RangeError);
});
