// The multi-buffer RC4 (two streams interleaved, rc4.c *_x2) and the stateless MPPE encrypter
// built on it (mppe.c pptp_mppe_encrypt_x2) give the same bytes as one stream at a time and as
// the TypeScript reference. Both live in the bench addon: the data plane encrypted in pairs for a
// while and measured no faster per core in the tunnel (README, "Multi-buffer RC4").
import t from 'tap';
import fc from 'fast-check';

import type { MppeKeyBits } from '../../src/crypto/mppe.js';
import { mppeEncryptSequence, rc4, rc4Pair } from '../../src/crypto/native-crypto.js';
import { referenceMppe } from '../../src/crypto/mppe-reference.js';
import { rc4Reference } from '../../src/crypto/rc4-reference.js';
// fewer fast-check cases under qemu-user (test/arm64/), where each one runs emulated
const propertyRuns = Number(process.env.PPTP_CRYPTO_TEST_RUNS ?? '200');

t.test('RC4 x2: RFC 6229 key 0102030405 in either stream gives b2396305f03dc027...', async (t) => {
  const key = Buffer.from('0102030405', 'hex');
  const other = Buffer.from('0102030405060708', 'hex').subarray(0, 5);
  const [a, b] = rc4Pair(key, Buffer.alloc(16), other, Buffer.alloc(16));
  t.equal(a.toString('hex'), 'b2396305f03dc027ccc3524a0a1118a8');
  t.equal(b.toString('hex'), 'b2396305f03dc027ccc3524a0a1118a8');
});

t.test('RC4 x2 equals two single streams and the reference, for MPPE key sizes and any lengths', async (t) => {
  fc.assert(
    fc.property(
      fc.constantFrom(5, 8, 16),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }),
      fc.uint8Array({ maxLength: 1500 }),
      fc.uint8Array({ maxLength: 1500 }),
      (keyLength, ka, kb, da, db) => {
        const keyA = ka.subarray(0, keyLength);
        const keyB = kb.subarray(0, keyLength);
        const [a, b] = rc4Pair(keyA, da, keyB, db);
        return (
          a.equals(rc4(keyA, da)) && b.equals(rc4(keyB, db)) && a.equals(rc4Reference(keyA, da)) && b.equals(rc4Reference(keyB, db))
        );
      },
    ),
    { numRuns: propertyRuns },
  );
});

t.test('RC4 x2 refuses keys of two lengths and non-byte arrays, naming its arguments', async (t) => {
  t.throws(() => rc4Pair(Buffer.alloc(16, 1), Buffer.alloc(4), Buffer.alloc(8, 1), Buffer.alloc(4)), /rc4Pair\(keyA/);
  t.throws(() => rc4Pair(new Uint32Array(4) as unknown as Uint8Array, Buffer.alloc(4), Buffer.alloc(16, 1), Buffer.alloc(4)), /rc4Pair\(keyA/);
});

const packetList = fc.array(fc.uint8Array({ maxLength: 1500 }), { minLength: 0, maxLength: 9 });

for (const stateless of [true, false]) {
  t.test(`MPPE ${stateless ? 'stateless' : 'stateful'}: packets encrypted in pairs are the bytes of one at a time and of the reference`, async (t) => {
    fc.assert(
      fc.property(fc.constantFrom<MppeKeyBits>(40, 56, 128), fc.uint8Array({ minLength: 16, maxLength: 16 }), packetList, (bits, key, packets) => {
        const startKey = Buffer.from(key.subarray(0, bits === 128 ? 16 : 8));
        const paired = mppeEncryptSequence(startKey, bits, stateless, packets, true);
        const single = mppeEncryptSequence(startKey, bits, stateless, packets, false);
        const ref = referenceMppe.encrypter({ startKey, bits, stateless });
        return packets.every((p, i) => paired[i]!.equals(single[i]!) && paired[i]!.equals(ref.encrypt(Buffer.from(p))));
      }),
      { numRuns: Math.max(10, Math.floor(propertyRuns / 4)) },
    );
  });
}

t.test('MPPE stateless in pairs across the 12-bit coherency count wrap (4096 packets)', async (t) => {
  const startKey = Buffer.from('8B7CDC149B993A1BA118CB153F56DCCB', 'hex');
  const packets = Array.from({ length: 4100 }, (_, i) => Buffer.alloc(i % 7, i & 0xff));
  const paired = mppeEncryptSequence(startKey, 128, true, packets, true);
  const single = mppeEncryptSequence(startKey, 128, true, packets, false);
  t.equal(paired.findIndex((p, i) => !p.equals(single[i]!)), -1, 'no packet differs');
  t.equal(paired[4096]![0]! & 0x0f, 0, 'packet 4096 carries count 0 again');
  t.equal(paired[4096]![1], 0);
});
