import t from 'tap';
import fc from 'fast-check';
import { ReceiveWindow } from '../../src/dataplane/receive-window.js';

t.test('in-order packets are delivered at once and acknowledged', async (t) => {
  const w = new ReceiveWindow<number>(8, 30);
  t.equal(w.lastDelivered, undefined, 'nothing to acknowledge before the first packet');
  t.same(w.receive(10, 10, 0).deliver, [10]);
  t.same(w.receive(11, 11, 0).deliver, [11]);
  t.equal(w.lastDelivered, 11);
});

t.test('a duplicate of a delivered or held packet is dropped as duplicate; an old unseen one as late', async (t) => {
  const w = new ReceiveWindow<number>(8, 30);
  w.receive(0, 0, 0);
  w.receive(1, 1, 0);
  t.same(w.receive(1, 1, 0), { deliver: [], drop: 'duplicate' });
  t.same(w.receive(3, 3, 0).deliver, []);
  t.same(w.receive(3, 3, 0), { deliver: [], drop: 'duplicate' }, 'held packet repeated');
  t.same(w.expire(100), [3], 'gap at 2 given up after the timeout');
  t.equal(w.lost, 1);
  t.same(w.receive(2, 2, 100), { deliver: [], drop: 'late' }, 'the skipped packet arriving after all is late');
});

t.test('an early packet waits for the gap and comes out in order', async (t) => {
  const w = new ReceiveWindow<number>(8, 30);
  w.receive(0, 0, 0);
  t.same(w.receive(2, 2, 1).deliver, []);
  t.equal(w.nextDeadline(), 31);
  t.same(w.expire(20), [], 'not yet expired');
  t.same(w.receive(1, 1, 5).deliver, [1, 2]);
  t.equal(w.reordered, 1);
  t.equal(w.nextDeadline(), undefined);
});

t.test('sequence numbers wrap around 2^32', async (t) => {
  const w = new ReceiveWindow<number>(8, 30);
  w.receive(0xfffffffe, 1, 0);
  t.same(w.receive(0, 3, 0).deliver, []);
  t.same(w.receive(0xffffffff, 2, 0).deliver, [2, 3]);
  t.equal(w.lastDelivered, 0);
  t.same(w.receive(0xffffffff, 2, 0).drop, 'duplicate');
});

t.test('a packet beyond the window skips the gap and releases what was held', async (t) => {
  const w = new ReceiveWindow<number>(4, 30);
  w.receive(0, 0, 0);
  w.receive(2, 2, 0);
  t.same(w.receive(10, 10, 0).deliver, [2, 10]);
  t.equal(w.lost, 1 + 7, 'sequence 1 and 3..9 lost');
  t.equal(w.lastDelivered, 10);
});

t.test('a full window gives up on the oldest gap', async (t) => {
  const w = new ReceiveWindow<number>(3, 1000);
  w.receive(0, 0, 0);
  w.receive(2, 2, 0);
  t.same(w.receive(3, 3, 0).deliver, []);
  t.same(w.receive(4, 4, 0).deliver, [2, 3, 4], 'third held packet fills the window');
  t.equal(w.lost, 1);
});

t.test('any shuffle (with repeats) within the window comes out exactly once, in order', async (t) => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.integer({ min: 1, max: 15 }),
      fc.infiniteStream(fc.nat()),
      fc.array(fc.nat({ max: 14 }), { maxLength: 6 }),
      (start, n, rand, repeats) => {
        const w = new ReceiveWindow<number>(16, 30);
        const rest = Array.from({ length: n }, (_, i) => i + 1);
        const it = rand[Symbol.iterator]();
        for (let i = rest.length - 1; i > 0; i--) {
          const j = it.next().value! % (i + 1);
          [rest[i], rest[j]] = [rest[j]!, rest[i]!];
        }
        for (const r of repeats) if (r < rest.length) rest.splice(r + 1, 0, rest[r]!);
        const out: number[] = [];
        let dups = 0;
        for (const k of [0, ...rest]) {
          const res = w.receive((start + k) >>> 0, k, 0);
          out.push(...res.deliver);
          if (res.drop === 'duplicate') dups++;
        }
        return (
          JSON.stringify(out) === JSON.stringify(Array.from({ length: n + 1 }, (_, i) => i)) &&
          dups === rest.length - n &&
          w.lost === 0
        );
      },
    ),
  );
  t.pass('property held');
});
