// Issue 12 §2: print's options as RouterOS has them; an unknown option or a bad where clause is
// one error line, never silently ignored.
import t, { type Test } from 'tap';
import { makeRouter } from './harness.js';

async function router(t: Test) {
  const r = makeRouter();
  for (const line of [
    '/ppp secret add name=anna password=a remote-address=10.0.0.5 comment="Warsaw office"',
    '/ppp secret add name=bob password=b',
    '/ppp secret add name=carol password=c disabled=yes',
  ]) t.equal(await r.type(line), '', line);
  return r;
}

t.test('count-only, terse, as-value, brief and detail', async (t) => {
  const r = await router(t);
  t.equal(await r.type('/ppp secret print count-only'), '3\n');
  t.equal(await r.type('/ppp secret print count-only where disabled'), '1\n');
  const terse = (await r.type('/ppp secret print terse')).split('\n');
  t.match(terse[1], /^ 0 comment="Warsaw office" name="anna" service=any .*remote-address=10\.0\.0\.5/);
  t.match(terse[3], /^ 2 X name="carol" /, 'flags then every property on one line');
  const values = (await r.type('/ppp secret print as-value')).trimEnd().split('\n');
  t.equal(values.length, 3);
  t.match(values[0], /^\.id=\*1;name=anna;service=any;.*remote-address=10\.0\.0\.5.*;comment=Warsaw office$/);
  t.match(await r.type('/ppp secret print brief'), /#\s+NAME/, 'brief is the table');
  t.match(await r.type('/ppp secret print detail'), /name="anna"/, 'detail lists properties');
});

t.test('from= picks items, and numbering follows the print', async (t) => {
  const r = await router(t);
  const out = await r.type('/ppp secret print from=bob,carol');
  t.notMatch(out, /anna/);
  t.match(out, / 0 +bob/);
  t.match(out, / 1 X +carol/);
  t.equal(await r.type('/ppp secret print count-only from=0'), '1\n');
  t.equal(await r.type('/ppp secret print from=nobody'), 'no such item\n');
  t.equal(await r.type('/ppp secret print without-paging count-only'), '3\n');
});

t.test('unknown options and bad where clauses are errors', async (t) => {
  const r = await router(t);
  t.equal(await r.type('/ppp secret print bogus'), 'expected end of command (line 1 column 19)\n');
  t.equal(await r.type('/ppp secret print follow'), 'failure: print follow is not supported by this router\n');
  t.equal(await r.type('/ppp secret print interval=fast'), 'invalid value for argument interval\n');
  t.equal(await r.type('/ppp secret print interval=10ms'), 'value of interval out of range (100ms..1h)\n');
  t.equal(await r.type('/ppp secret print interval=1 file=x'), 'failure: file and interval cannot be combined\n');
  t.equal(await r.type('/ppp secret print terse detail'), 'failure: detail and terse cannot be combined\n');
  t.match(await r.type('/ppp secret print where name~"(a"'), /^invalid regular expression in where/);
  t.equal(await r.type('/ppp secret print where nosuch=1'), 'syntax error: nosuch is not a property of /ppp secret (line 1 column 25)\n');
  t.equal(await r.type('/ppp secret print where nosuch~"x"'), 'syntax error: nosuch is not a property of /ppp secret (line 1 column 25)\n');
  t.equal(await r.type('/ppp secret print where name'), 'syntax error: name is not a flag of /ppp secret, give name=value (line 1 column 25)\n');
  t.equal(await r.type('/ppp secret print where running'), 'syntax error: running is not a property of /ppp secret (line 1 column 25)\n', 'a flag another menu has');
  t.equal(await r.type('/ppp secret print where name=bob or name=anna'), 'syntax error: or is not a property of /ppp secret (line 1 column 34)\n', 'or is not in the subset: refused, not ignored');
  t.equal(await r.type('/ppp secret find where nosuch=1'), 'syntax error: nosuch is not a property of /ppp secret (line 1 column 24)\n', 'find too');
  t.match(await r.type('/ppp secret remove [find where nosuch=1]'), /^syntax error: nosuch is not a property of \/ppp secret \(line 1 column \d+\)\n$/, 'and [ find ] in a command');
  t.equal(await r.type('/ppp secret print count-only'), '3\n', 'that remove removed nothing');
  t.equal(await r.type('/ppp active print where nosuch=1'), 'syntax error: nosuch is not a property of /ppp active (line 1 column 25)\n', 'a run-time menu');
  t.equal(await r.type('/log print where nosuch~"x"'), 'syntax error: nosuch is not a property of /log (line 1 column 18)\n', 'the log');
  t.equal(await r.type('/log print bogus'), 'expected end of command (line 1 column 12)\n', 'the log takes print options, not loose words');
  t.equal(await r.type('/ppp secret print count-only where disabled'), '1\n', 'a flag by its legend label');
  t.equal(await r.type('/ppp secret print count-only where !disabled comment~"War"'), '1\n');
  t.equal(await r.type('/ip route print count-only where active'), '0\n', "/ip route's own flags (A C S) are words too");
  t.equal(await r.type('/interface pptp-client add connect-to=198.18.0.1 user=u add-default-route=yes'), '');
  t.equal(await r.type('/interface pptp-client print count-only where add-default-route'), '1\n', 'a yes/no property stands for itself');
  t.equal(await r.type('/interface pptp-client print count-only where !add-default-route'), '0\n');
  t.equal(await r.type('/interface print stats count-only'), '0\n', 'stats where the menu has it');
  t.equal(await r.type('/ppp secret print stats'), 'expected end of command (line 1 column 19)\n', 'and not elsewhere');
});
