import t from 'tap';
import { CallTable } from '../../src/pptp/call-table.js';

t.test('call IDs are unique, non-zero, and run out at the end of the range', async (t) => {
  const table = new CallTable(1, 5);
  const ids = [1, 2, 3, 4, 5].map(() => table.allocate());
  t.same(ids, [1, 2, 3, 4, 5]);
  t.equal(table.allocate(), undefined);
  t.equal(table.size, 5);
});

t.test('a freed call ID is not reused before the others (round-robin)', async (t) => {
  const table = new CallTable(1, 4);
  t.equal(table.allocate(), 1);
  t.equal(table.allocate(), 2);
  table.free(1);
  t.equal(table.allocate(), 3);
  t.equal(table.allocate(), 4);
  t.equal(table.allocate(), 1, 'wraps around to the freed ID');
  t.equal(table.allocate(), undefined);
  table.free(3);
  t.ok(!table.has(3));
  t.equal(table.allocate(), 3);
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
});
