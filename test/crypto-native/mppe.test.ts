import t from 'tap';
import fc from 'fast-check';

import type { MppeDecrypter, MppeImplementation, MppeKeyBits, MppeParams } from '../../src/crypto/mppe.js';
import { mppeKeySchedule } from '../../src/crypto/native-crypto.js';
import { nativeMppe } from '../../src/crypto/mppe-native.js';
import { mppeKeyScheduleReference, referenceMppe } from '../../src/crypto/mppe-reference.js';
// fewer fast-check cases under qemu-user (test/arm64/), where each one runs emulated
const propertyRuns = Number(process.env.PPTP_CRYPTO_TEST_RUNS ?? '200');

const impls: readonly MppeImplementation[] = [nativeMppe, referenceMppe];
const runs = Math.max(10, Math.floor(propertyRuns / 4));

// RFC 3079 section 3.5 (MS-CHAPv2, 128-bit): SendStartKey128 and the first SendSessionKey128
const START_128 = Buffer.from('8B7CDC149B993A1BA118CB153F56DCCB', 'hex');
const SESSION_128 = '405cb2247a7956e6e211007ae27b22d4';

t.test('RFC 3079 3.5: the initial session key from SendStartKey128 is 405CB224...22D4', async (t) => {
  t.equal(mppeKeySchedule(START_128, 128, 1)[0]!.toString('hex'), SESSION_128, 'native');
  t.equal(mppeKeyScheduleReference(START_128, 128, 1)[0]!.toString('hex'), SESSION_128, 'reference');
});

t.test('40-bit keys begin D1 26 9E and 56-bit keys begin D1 after every key change (RFC 3079 3.3, 3.4)', async (t) => {
  const start = START_128.subarray(0, 8);
  for (const k of mppeKeySchedule(start, 40, 5)) t.equal(k.subarray(0, 3).toString('hex'), 'd1269e');
  for (const k of mppeKeySchedule(start, 56, 5)) {
    t.equal(k[0], 0xd1);
    t.not(k[1], 0x26, 'only one octet is fixed (this start key gives another second octet)');
  }
});

t.test('native and reference key schedules agree for 40, 56 and 128 bits', async (t) => {
  fc.assert(
    fc.property(fc.constantFrom<MppeKeyBits>(40, 56, 128), fc.uint8Array({ minLength: 16, maxLength: 16 }), (bits, raw) => {
      const start = Buffer.from(raw.subarray(0, bits === 128 ? 16 : 8));
      const a = mppeKeySchedule(start, bits, 6);
      const b = mppeKeyScheduleReference(start, bits, 6);
      return a.every((k, i) => k.equals(b[i]!));
    }),
    { numRuns: runs },
  );
  t.pass();
});

function params(bits: MppeKeyBits, stateless: boolean, seed: number): MppeParams {
  const startKey = Buffer.alloc(bits === 128 ? 16 : 8);
  for (let i = 0; i < startKey.length; i++) startKey[i] = (seed * 31 + i * 7) & 0xff;
  return { startKey, bits, stateless };
}

const modes: ReadonlyArray<[MppeKeyBits, boolean]> = [
  [40, true],
  [56, true],
  [128, true],
  [40, false],
  [56, false],
  [128, false],
];

for (const [bits, stateless] of modes) {
  const mode = `MPPE-${bits} ${stateless ? 'stateless' : 'stateful'}`;

  t.test(`${mode}: native and reference produce the same packets, and each decrypts the other's`, async (t) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 3 }),
        (seed, plains, resets) => {
          const p = params(bits, stateless, seed);
          const encN = nativeMppe.encrypter(p);
          const encR = referenceMppe.encrypter(p);
          const decN = nativeMppe.decrypter(p);
          const decR = referenceMppe.decrypter(p);
          for (let i = 0; i < plains.length; i++) {
            if (resets.includes(i)) {
              encN.reset();
              encR.reset();
            }
            const plain = Buffer.from(plains[i]!);
            const a = encN.encrypt(plain);
            const b = encR.encrypt(plain);
            if (!a.equals(b)) return false;
            if ((a[0]! & 0x10) === 0) return false; // D bit
            if (((a[0]! & 0x0f) << 8 | a[1]!) !== (i & 0xfff)) return false; // coherency count
            if (stateless && (a[0]! & 0x80) === 0) return false; // A bit on every stateless packet
            const x = decN.decrypt(b);
            const y = decR.decrypt(a);
            if (!Buffer.isBuffer(x) || !x.equals(plain) || !Buffer.isBuffer(y) || !y.equals(plain)) return false;
          }
          return true;
        },
      ),
      { numRuns: runs },
    );
    t.pass();
  });

  t.test(`${mode}: keys change across the 256-packet flag boundary and the 4096 count wrap`, async (t) => {
    const p = params(bits, stateless, 9);
    for (const impl of impls) {
      const enc = impl.encrypter(p);
      const dec = impl.decrypter(p);
      const other = impls.find((i) => i !== impl)!.decrypter(p);
      for (let i = 0; i < 4200; i++) {
        const plain = Buffer.from([0x00, 0x21, i & 0xff, i >> 8]);
        const pkt = enc.encrypt(plain);
        const flushed = (pkt[0]! & 0x80) !== 0;
        if (!stateless && flushed !== ((i & 0xff) === 0xff)) t.fail(`${impl.name}: A bit at ${i}`);
        const got = dec.decrypt(pkt);
        const got2 = other.decrypt(pkt);
        if (!Buffer.isBuffer(got) || !got.equals(plain) || !Buffer.isBuffer(got2) || !got2.equals(plain)) {
          t.fail(`${impl.name}: packet ${i} did not decrypt`);
          break;
        }
      }
      t.pass(`${impl.name}: 4200 packets round-trip`);
    }
  });
}

function decryptedOk(d: MppeDecrypter, pkt: Buffer, plain: Buffer): boolean {
  const out = d.decrypt(pkt);
  return Buffer.isBuffer(out) && out.equals(plain);
}

for (const bits of [40, 56, 128] as const) {
  t.test(`MPPE-${bits} stateless: the decrypter re-keys over lost packets and decrypts late ones it still has keys for`, async (t) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 5, max: 400 }),
        fc.array(fc.nat(), { maxLength: 400 }),
        (seed, count, shuffleKeys) => {
          const p = params(bits, true, seed);
          const enc = referenceMppe.encrypter(p);
          const sent = Array.from({ length: count }, (_, i) => {
            const plain = Buffer.from(`packet ${i} ${seed}`);
            return { i, plain, pkt: enc.encrypt(plain) };
          });
          // drop some, reorder neighbours (a GRE path can do both)
          const arrived = sent.filter((_, i) => (shuffleKeys[i] ?? 1) % 5 !== 0);
          for (let i = 0; i + 1 < arrived.length; i += 2) {
            if ((shuffleKeys[i] ?? 0) % 3 === 0) [arrived[i], arrived[i + 1]] = [arrived[i + 1]!, arrived[i]!];
          }
          for (const impl of impls) {
            const dec = impl.decrypter(p);
            for (const a of arrived) if (!decryptedOk(dec, a.pkt, a.plain)) return false;
          }
          return true;
        },
      ),
      { numRuns: runs },
    );
    t.pass();
  });
}

t.test('stateless: a packet older than the key history is reported stale, not mis-decrypted', async (t) => {
  const p = params(128, true, 3);
  const enc = nativeMppe.encrypter(p);
  const pkts = Array.from({ length: 100 }, (_, i) => enc.encrypt(Buffer.from([i, 1, 2])));
  for (const impl of impls) {
    const dec = impl.decrypter(p);
    t.ok(Buffer.isBuffer(dec.decrypt(pkts[99]!)), `${impl.name}: jumps 99 counts ahead`);
    t.same(dec.decrypt(pkts[10]!), { kind: 'stale', coherencyCount: 10 }, `${impl.name}: count 10 is too old`);
    t.ok(Buffer.isBuffer(dec.decrypt(pkts[60]!)), `${impl.name}: count 60 is within the history`);
  }
});

for (const bits of [40, 56, 128] as const) {
  t.test(`MPPE-${bits} stateful: a gap makes the decrypter ask for a reset and drop until a flushed packet, then resync`, async (t) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 0, max: 300 }),
        (seed, before, lost, droppedAfter) => {
          const p = params(bits, false, seed);
          for (const impl of impls) {
            const enc = impl.encrypter(p);
            const dec = impl.decrypter(p);
            let n = 0;
            const send = () => {
              const plain = Buffer.from(`p${n++}`);
              return { plain, pkt: enc.encrypt(plain) };
            };
            for (let i = 0; i < before; i++) {
              const s = send();
              if (!decryptedOk(dec, s.pkt, s.plain)) return false;
            }
            for (let i = 0; i < lost; i++) send();
            // packets after the gap are refused with needs-reset until a flushed one arrives (a
            // "flag" packet, count xxFF, is one); from there on they decrypt again
            let synced = false;
            for (let i = 0; i < droppedAfter; i++) {
              const s = send();
              const out = dec.decrypt(s.pkt);
              if ((s.pkt[0]! & 0x80) !== 0) synced = true;
              if (synced) {
                if (!Buffer.isBuffer(out) || !out.equals(s.plain)) return false;
              } else if (Buffer.isBuffer(out) || out.kind !== 'needs-reset') {
                return false;
              }
            }
            enc.reset(); // what a CCP Reset-Request makes the sender do
            for (let i = 0; i < 3; i++) {
              const s = send();
              if (!decryptedOk(dec, s.pkt, s.plain)) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: runs },
    );
    t.pass();
  });
}

t.test('malformed and unencrypted packets are refused with a typed error', async (t) => {
  for (const impl of impls) {
    const dec = impl.decrypter(params(128, true, 1));
    t.same(dec.decrypt(Buffer.from([0x90])), { kind: 'too-short' }, impl.name);
    t.same(dec.decrypt(Buffer.from([0x80, 0x01, 0x21, 0x45])), { kind: 'not-encrypted' }, impl.name);
  }
  for (const impl of impls) {
    t.throws(() => impl.encrypter({ startKey: Buffer.alloc(8), bits: 128, stateless: true }), impl.name);
    t.throws(() => impl.decrypter({ startKey: Buffer.alloc(16), bits: 40, stateless: true }), impl.name);
  }
});
