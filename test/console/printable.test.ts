// What a peer sends is shown escaped (issue 19, finding 7): the log book and every print.
import t from 'tap';
import { table } from '../../src/cli/format.js';
import { LogBook } from '../../src/log.js';
import { printable } from '../../src/printable.js';

t.test('printable escapes controls, DEL, C1, line separators and bidi controls; keeps the rest', async (t) => {
  t.equal(printable('plain Zażółć 日本 "quoted"'), 'plain Zażółć 日本 "quoted"');
  t.equal(printable('a\nb\rc\td\u0000e'), 'a\\x0Ab\\x0Dc\\x09d\\x00e');
  t.equal(printable('\u007f\u0085\u009b'), '\\x7F\\x85\\x9B');
  t.equal(printable('x\u2028y\u202ez\u2066\ufffd'), 'x\\u{2028}y\\u{202E}z\\u{2066}\\u{FFFD}');
});

t.test('the log book stores and hands out escaped messages', async (t) => {
  const book = new LogBook();
  const seen: string[] = [];
  book.subscribe((e) => seen.push(e.message));
  book.logger('pptp').info('user "ex\u001b[31m\nforged" failed');
  t.same(seen, ['user "ex\\x1B[31m\\x0Aforged" failed']);
  t.equal(book.list()[0]!.message, seen[0]);
});

t.test('table cells with peer text are escaped', async (t) => {
  const rows = [{ flags: 'D', keys: ['user'], values: { user: 'DOM\u202e\\ex' }, quoted: new Set<string>() }];
  const out = table([{ key: 'user', header: 'USER', width: 10 }], rows);
  t.match(out[1], /DOM\\u\{202E\}\\ex/);
});
