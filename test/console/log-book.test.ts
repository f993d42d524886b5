// The router's log (src/log.ts): a logger and its children write entries with their topics and
// the level last, and a logger carries no functions of its own: a thousand tunnels make three
// loggers each, and six closures per logger cost about 0.6 KiB (README "Memory per idle tunnel").
import t from 'tap';
import { LogBook, type LogEntry } from '../../src/log.js';

t.test('a child logger adds its topic; the level comes last', async (t) => {
  const book = new LogBook(10, () => Date.UTC(2026, 11, 8, 1, 2, 3));
  const seen: LogEntry[] = [];
  book.subscribe((e) => seen.push(e));
  const call = book.logger('pptp').child('call 7 198.18.0.2');
  call.info('up');
  call.child('ppp').warning('LCP: discarded');
  book.logger().critical('bare');
  t.same(book.list().map((e) => [e.topics, e.level, e.message]), [
    [['pptp', 'call 7 198.18.0.2', 'info'], 'info', 'up'],
    [['pptp', 'call 7 198.18.0.2', 'ppp', 'warning'], 'warning', 'LCP: discarded'],
    [['critical'], 'critical', 'bare'],
  ]);
  t.equal(seen.length, 3, 'every entry reached the sink');
  t.equal(seen[0]!.time.toISOString(), '2026-12-08T01:02:03.000Z', 'stamped with the book\'s clock');
});

t.test('each level writes its own level; the parent keeps its topics', async (t) => {
  const book = new LogBook();
  const log = book.logger('x');
  log.child('y');
  for (const level of ['debug', 'info', 'warning', 'error', 'critical'] as const) log[level](level);
  t.same(book.list().map((e) => e.topics.join(',')), ['x,debug', 'x,info', 'x,warning', 'x,error', 'x,critical']);
});

t.test('a logger holds no functions of its own', async (t) => {
  const log = new LogBook().logger('pptp').child('call 1');
  const own = Object.getOwnPropertyNames(log).filter((k) => typeof (log as unknown as Record<string, unknown>)[k] === 'function');
  t.same(own, [], 'its methods are shared, not made per logger');
});

t.test('the ring keeps the newest entries up to its capacity', async (t) => {
  const book = new LogBook(2);
  const log = book.logger('t');
  for (const m of ['a', 'b', 'c']) log.info(m);
  t.same(book.list().map((e) => e.message), ['b', 'c']);
});
