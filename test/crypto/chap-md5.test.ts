import t from 'tap';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { chapMd5Response } from '../../src/crypto/chap-md5.js';

const h = (s: string): Buffer => Buffer.from(s, 'hex');

t.test('CHAP-MD5 response is MD5(identifier, secret, challenge) (RFC 1994 4.1)', async (t) => {
  // Computed independently: node:crypto's MD5 over the concatenated octets 2a "secret" 00..0f.
  const challenge = Buffer.from(Array.from({ length: 16 }, (_, i) => i));
  const expected = createHash('md5').update(Buffer.concat([Buffer.of(0x2a), Buffer.from('secret'), challenge])).digest('hex');
  t.equal(chapMd5Response(0x2a, 'secret', challenge).toString('hex'), expected);
  t.equal(chapMd5Response(0x2a, Buffer.from('secret'), challenge).toString('hex'), expected, 'a Buffer secret gives the same');
  // Published in PEAR Crypt_CHAP's tests: identifier 1, secret "MyPw", challenge 102DB5DF085D3041.
  t.equal(chapMd5Response(1, 'MyPw', h('102DB5DF085D3041')).toString('hex'), '8f028814450d66d94c72331ef455a172');
});

t.test('CHAP-MD5 response for random identifiers, secrets and challenges matches MD5 of the concatenation', async (t) => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 64 }), (id, secret, challenge) => {
      const expected = createHash('md5').update(Buffer.concat([Buffer.of(id), secret, challenge])).digest('hex');
      return chapMd5Response(id, Buffer.from(secret), challenge).toString('hex') === expected;
    }),
  );
  t.pass();
});

t.test('CHAP-MD5 refuses an identifier that is not one octet', async (t) => {
  t.throws(() => chapMd5Response(256, 'x', h('00')), RangeError);
  t.throws(() => chapMd5Response(-1, 'x', h('00')), RangeError);
});
