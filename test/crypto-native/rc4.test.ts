import t from 'tap';
import fc from 'fast-check';

import { createRc4Stream, rc4 } from '../../src/crypto/native-crypto.js';
import { Rc4Reference, rc4Reference } from '../../src/crypto/rc4-reference.js';
// fewer fast-check cases under qemu-user (test/arm64/), where each one runs emulated
const propertyRuns = Number(process.env.PPTP_CRYPTO_TEST_RUNS ?? '200');

// RFC 6229 section 2 key streams (40 and 128-bit rows also checked against `openssl enc`)
const rfc6229: ReadonlyArray<{ key: string; rows: ReadonlyArray<[number, string]> }> = [
  {
    key: '0102030405',
    rows: [
      [0, 'b2396305f03dc027ccc3524a0a1118a8'],
      [16, '6982944f18fc82d589c403a47a0d0919'],
      [1536, 'd8729db41882259bee4f825325f5a130'],
      [4096, 'ff25b58995996707e51fbdf08b34d875'],
    ],
  },
  {
    key: '0102030405060708090a0b0c0d0e0f10',
    rows: [
      [0, '9ac7cc9a609d1ef7b2932899cde41b97'],
      [16, '5248c4959014126a6e8a84f11d1a9e1c'],
      [1536, 'ffa0b514647ec04f6306b892ae661181'],
      [4096, 'a36a4c301ae8ac13610ccbc12256cacc'],
    ],
  },
  {
    key: '0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20',
    rows: [
      [0, 'eaa6bd25880bf93d3f5d1e4ca2611d91'],
      [16, 'cfa45c9f7e714b54bdfa80027cb14380'],
      [1536, '3e34135c79db010200767651cf263073'],
      [4096, 'f3e4c0a2e02d1d01f7f0a74618af2b48'],
    ],
  },
];

for (const { key, rows } of rfc6229) {
  t.test(`RC4 key stream of the ${key.length * 4}-bit RFC 6229 key matches at every listed offset`, async (t) => {
    const k = Buffer.from(key, 'hex');
    const native = rc4(k, Buffer.alloc(4112));
    const reference = rc4Reference(k, Buffer.alloc(4112));
    for (const [offset, hex] of rows) {
      t.equal(native.subarray(offset, offset + 16).toString('hex'), hex, `native at offset ${offset}`);
      t.equal(reference.subarray(offset, offset + 16).toString('hex'), hex, `reference at offset ${offset}`);
    }
  });
}

t.test('an RC4 stream fed in pieces keeps its state between calls (stateful MPPE needs this)', async (t) => {
  const k = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');
  const whole = rc4(k, Buffer.alloc(4112));
  const stream = createRc4Stream(k);
  const parts = [1, 15, 0, 100, 1420, 7, 2569].map((n) => stream.update(Buffer.alloc(n)));
  t.same(Buffer.concat(parts), whole);
});

t.test('RC4 can encrypt in place into the caller buffer', async (t) => {
  const k = Buffer.from('0102030405', 'hex');
  const buf = Buffer.from('hello, stateful world');
  const expect = rc4Reference(k, buf);
  const out = createRc4Stream(k).update(buf, buf);
  t.equal(out, buf);
  t.same(buf, expect);
});

t.test('native RC4 equals the reference for random keys, lengths and splits', async (t) => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1, maxLength: 256 }),
      fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 6 }),
      (key, chunks) => {
        const n = createRc4Stream(key);
        const r = new Rc4Reference(key);
        for (const c of chunks) {
          if (!n.update(c).equals(r.update(c))) return false;
        }
        return true;
      },
    ),
    { numRuns: propertyRuns },
  );
  t.pass(`${propertyRuns} random cases agree`);
});

t.test('RC4 refuses an empty key', async (t) => {
  t.throws(() => createRc4Stream(Buffer.alloc(0)));
  t.throws(() => new Rc4Reference(Buffer.alloc(0)));
});
