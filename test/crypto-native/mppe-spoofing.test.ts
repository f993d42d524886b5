// Issue 15: stateless MPPE fed spoofed packets (random coherency counts and flags). Native and
// reference must make the same decisions: a far count alone costs no key change and does not move
// the decrypter; a genuine stream keeps decrypting through junk; a genuine jump past the bound is
// followed after a short run.
import t from 'tap';
import fc from 'fast-check';
import type { MppeImplementation, MppeParams } from '../../src/crypto/mppe.js';
import { nativeMppe } from '../../src/crypto/mppe-native.js';
import { MPPE_MAX_AHEAD, referenceMppe } from '../../src/crypto/mppe-reference.js';

const impls: readonly MppeImplementation[] = [nativeMppe, referenceMppe];
const p: MppeParams = { startKey: Buffer.alloc(16, 0x5a), bits: 128, stateless: true };

function genuine(count: number): { plain: Buffer; pkt: Buffer }[] {
  const enc = referenceMppe.encrypter(p);
  return Array.from({ length: count }, (_, i) => {
    const plain = Buffer.from(`\u0000\u0021genuine ${i}`);
    return { plain, pkt: enc.encrypt(plain) };
  });
}
const stream = genuine(4200);

function header(flags: number, cc: number, body = Buffer.from('junk junk junk')): Buffer {
  return Buffer.concat([Buffer.from([flags | ((cc >> 8) & 0x0f), cc & 0xff]), body]);
}

t.test('a packet without the flushed bit is refused in stateless mode, before any key change', async (t) => {
  for (const impl of impls) {
    const dec = impl.decrypter(p);
    t.same(dec.decrypt(header(0x10, 1)), { kind: 'stale', coherencyCount: 1 }, impl.name);
    t.ok(Buffer.from(dec.decrypt(stream[0]!.pkt) as Buffer).equals(stream[0]!.plain), `${impl.name}: the genuine first packet still decrypts`);
  }
});

t.test('a count far ahead alone is refused and leaves the decrypter in step', async (t) => {
  for (const impl of impls) {
    const dec = impl.decrypter(p);
    dec.decrypt(stream[0]!.pkt);
    t.same(dec.decrypt(header(0x90, 2000)), { kind: 'stale', coherencyCount: 2000 }, `${impl.name}: 2000 ahead`);
    t.same(dec.decrypt(header(0x90, MPPE_MAX_AHEAD + 1)), { kind: 'stale', coherencyCount: MPPE_MAX_AHEAD + 1 }, `${impl.name}: just past the bound`);
    const r = dec.decrypt(stream[1]!.pkt);
    t.ok(Buffer.isBuffer(r) && r.equals(stream[1]!.plain), `${impl.name}: the next genuine packet decrypts`);
  }
});

t.test('native and reference agree on every decision for genuine packets mixed with random junk', async (t) => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.constant(null), fc.tuple(fc.integer({ min: 0, max: 0xff }), fc.integer({ min: 0, max: 0xff }))), { maxLength: 300 }),
      fc.integer({ min: 0, max: 3 }),
      (events, lossEvery) => {
        const decs = impls.map((i) => i.decrypter(p));
        let g = 0;
        let delivered = 0;
        let sent = 0;
        for (const e of events) {
          let pkt: Buffer;
          if (e === null) {
            pkt = stream[g]!.pkt;
            g += lossEvery === 0 ? 1 : 1 + (g % (lossEvery + 1) === 0 ? 1 : 0);
            sent++;
          } else {
            pkt = header(e[0] & 0xf0, ((e[0] & 0x0f) << 8) | e[1]);
          }
          const [a, b] = decs.map((d) => d.decrypt(pkt));
          if (JSON.stringify(a) !== JSON.stringify(b)) return false;
          if (e === null && Buffer.isBuffer(a)) delivered++;
        }
        // junk can only cost a genuine packet when it happened to be just ahead (it then moved the
        // keys on by a few counts); most must get through
        return delivered >= sent - events.filter((e) => e !== null).length || delivered >= sent * 0.5;
      },
    ),
    { numRuns: 50 },
  );
  t.pass();
});

t.test('a genuine stream that jumped past the bound is followed after three packets in a row', async (t) => {
  for (const impl of impls) {
    const dec = impl.decrypter(p);
    dec.decrypt(stream[0]!.pkt);
    const results = [1000, 1001, 1002, 1003].map((i) => dec.decrypt(stream[i]!.pkt));
    t.same(results.slice(0, 2).map((r) => Buffer.isBuffer(r)), [false, false], `${impl.name}: the first two are refused`);
    t.ok(Buffer.isBuffer(results[2]) && (results[2] as Buffer).equals(stream[1002]!.plain), `${impl.name}: the third re-keys to the stream`);
    t.ok(Buffer.isBuffer(results[3]) && (results[3] as Buffer).equals(stream[1003]!.plain), `${impl.name}: and it flows`);
  }
});

t.test('after junk in the bound moved the keys on, the genuine stream comes back', async (t) => {
  for (const impl of impls) {
    const dec = impl.decrypter(p);
    dec.decrypt(stream[0]!.pkt);
    dec.decrypt(header(0x90, 200)); // lands within the bound: keys move 200 on, the packet is garbage
    let back = -1;
    for (let i = 1; i < 400 && back < 0; i++) if (Buffer.isBuffer(dec.decrypt(stream[i]!.pkt))) back = i;
    t.ok(back > 0 && back <= 201, `${impl.name}: decrypting again from genuine packet ${back}`);
  }
});
