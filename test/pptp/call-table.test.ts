import t from 'tap';
import { CallTable } from '../../src/pptp/call-table.js';

t.test('call IDs are unique, non-zero, and run out at the end of the range', async (t) => {
  const table = new CallTable(1, 5);
  const ids = [1, 2, 3, 4, 5].map(() => table.allocate());
  t.same([...ids].sort(), [1, 2, 3, 4, 5]);
  t.equal(table.allocate(), undefined);
  t.equal(table.size, 5);
});

t.test('call IDs are not guessable from the ones before (issue 15)', async (t) => {
  const table = new CallTable();
  const ids = Array.from({ length: 200 }, () => table.allocate()!);
  const steps = ids.slice(1).map((id, i) => id - ids[i]!);
  t.ok(steps.filter((s) => s === 1).length < 5, 'not counted up one by one');
  t.ok(ids.some((id) => id > 0x8000) && ids.some((id) => id < 0x8000), 'spread over the 16-bit range');
  t.ok(new CallTable().allocate() !== 1 || new CallTable().allocate() !== 1, 'a fresh table does not start at 1 every time');
});

t.test('a freed call ID rests while others are free', async (t) => {
  const table = new CallTable(1, 4);
  const [a, b] = [table.allocate()!, table.allocate()!];
  table.free(a);
  table.free(b);
  const next = [table.allocate(), table.allocate()];
  t.same([...next].sort(), [1, 2, 3, 4].filter((id) => id !== a && id !== b), 'the two never used go first');
  t.equal(table.allocate(), a, 'then the one freed longest ago');
  t.equal(table.allocate(), b);
  t.equal(table.allocate(), undefined);
  table.free(3);
  t.notOk(table.has(3));
  t.equal(table.allocate(), 3, 'the only free one, resting or not');
});

t.test('a range including 0 or beyond 16 bits is refused', async (t) => {
  t.throws(() => new CallTable(0, 10));
  t.throws(() => new CallTable(1, 0x10000));
});

t.test('the whole 16-bit range can be handed out', async (t) => {
  const table = new CallTable();
  const seen = new Set<number>();
  for (;;) {
    const id = table.allocate();
    if (id === undefined) break;
    seen.add(id);
  }
  t.equal(seen.size, 0xffff);
  t.notOk(seen.has(0));
  table.free(0x1234);
  t.equal(table.allocate(), 0x1234, 'a full table hands out what is freed');
});
