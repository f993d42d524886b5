// Issue 15: GRE spoofed with a live call ID and the peer's address carries random sequence
// numbers. The window must not be moved by one such packet, must keep delivering the genuine
// stream while junk is mixed in, and must still follow a genuine stream that really jumped.
import t from 'tap';
import fc from 'fast-check';
import { GRE_MAX_JUMP, ReceiveWindow, RESYNC_QUIET_MS, RESYNC_RUN } from '../../src/dataplane/receive-window.js';

t.test('one packet far ahead or far behind is dropped and moves nothing', async (t) => {
  const w = new ReceiveWindow<string>(16, 30);
  t.same(w.receive(1000, 'a', 0).deliver, ['a']);
  t.same(w.receive(1001 + GRE_MAX_JUMP + 1, 'junk', 0), { deliver: [], drop: 'late' });
  t.same(w.receive(1001 - GRE_MAX_JUMP - 1, 'junk', 0), { deliver: [], drop: 'late' });
  t.same(w.receive(0x80000000, 'junk', 0), { deliver: [], drop: 'late' });
  t.equal(w.outOfWindow, 3);
  t.equal(w.lastDelivered, 1000, 'the window did not move');
  t.same(w.receive(1001, 'b', 0).deliver, ['b'], 'the genuine next packet is delivered');
  t.equal(w.lost, 0);
});

t.test('a jump within the bound is still taken at once (a genuine burst of loss)', async (t) => {
  const w = new ReceiveWindow<number>(16, 30);
  w.receive(0, 0, 0);
  t.same(w.receive(1 + GRE_MAX_JUMP, 1, 0).deliver, [1]);
  t.equal(w.lost, GRE_MAX_JUMP);
});

t.test(`a genuine stream that jumped further is followed after ${RESYNC_RUN} packets in a row`, async (t) => {
  for (const jump of [GRE_MAX_JUMP + 1, 100_000, -100_000]) {
    const w = new ReceiveWindow<number>(16, 30);
    w.receive(5, 5, 0);
    const base = (6 + jump) >>> 0; // 6: the next one the window expects
    const out: number[] = [];
    for (let i = 0; i < 6; i++) out.push(...w.receive((base + i) >>> 0, i, RESYNC_QUIET_MS + i).deliver);
    t.same(out, [2, 3, 4, 5], `jump ${jump}: the first ${RESYNC_RUN - 1} are dropped, then the stream flows`);
    t.equal(w.lastDelivered, (base + 5) >>> 0);
  }
});

t.test('a resync to a stream far ahead releases what was held first, in order', async (t) => {
  const w = new ReceiveWindow<number>(16, 30);
  w.receive(0, 0, 0);
  w.receive(3, 3, 0);
  const far = 10_000;
  t.same(w.receive(far, 100, RESYNC_QUIET_MS).deliver, []);
  t.same(w.receive(far + 1, 101, RESYNC_QUIET_MS).deliver, []);
  t.same(w.receive(far + 2, 102, RESYNC_QUIET_MS).deliver, [3, 102]);
  t.equal(w.heldCount, 0);
});

t.test('while a genuine stream flows, no spoofed numbers outside the bound (random or in runs) stop or reorder it', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 400 }),
      (start, schedule) => {
        // time: 1 ms per genuine packet, so the stream never goes quiet
        let now = 0;
        const w = new ReceiveWindow<number>(16, 30);
        // the call's first packet is genuine (one spoofed first costs RESYNC_RUN - 1 genuine ones)
        let next = 1;
        const out: number[] = w.receive(start, 0, 0).deliver;
        let junk = 0;
        for (const [genuine, seq] of schedule) {
          // junk that happens to land near the stream could be believed: the property is about
          // junk outside the bound, which is all but maxJump / 2^32 of random numbers
          const d = (seq - (start + next)) | 0;
          if (!genuine && Math.abs(d) <= GRE_MAX_JUMP * 2) continue;
          if (genuine) {
            out.push(...w.receive((start + next) >>> 0, next, ++now).deliver.filter((x) => x >= 0));
            next++;
          } else {
            junk++;
            if (w.receive(seq, -1, now).deliver.length !== 0) return false;
          }
        }
        return out.length === next && out.every((x, i) => x === i) && w.outOfWindow === junk;
      },
    ),
    { numRuns: 300 },
  );
  t.pass('every genuine packet delivered once, in order; every junk packet dropped');
});

t.test('a spoofed run is not believed while the genuine stream flows, even back to back', async (t) => {
  const w = new ReceiveWindow<number>(16, 30);
  w.receive(0, 0, 0);
  for (let i = 0; i < 10; i++) t.same(w.receive(5_000_000 + i, -1, 1).deliver, [], `spoofed ${i} refused`);
  t.same(w.receive(1, 1, 2).deliver, [1], 'the genuine stream carries on');
  t.same(w.receive(5_000_010, -1, RESYNC_QUIET_MS - 1).deliver, [], 'still refused before the window is quiet');
});

t.test('after junk stops, a stream whose window junk did move comes back', async (t) => {
  // the worst case: junk landed just inside the bound and moved the window ahead of the peer
  const w = new ReceiveWindow<number>(16, 30);
  w.receive(0, 0, 0);
  w.receive(GRE_MAX_JUMP, -1, 0);
  const out: number[] = [];
  for (let i = 1; i <= GRE_MAX_JUMP + 5; i++) out.push(...w.receive(i, i, i).deliver);
  t.ok(out.includes(GRE_MAX_JUMP + 5), 'the genuine stream catches up and is delivered again');
});
