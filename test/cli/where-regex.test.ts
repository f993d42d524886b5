// `where prop~"..."` at the console: the hanging query answers at once, a pattern the
// engine cannot compile is one line that changes nothing, and a command that would hold the
// router too long is stopped.
import t from 'tap';
import { makeRouter } from './harness.js';

t.test("the issue's transcript: (a+)+$ against a 35-character name answers at once", async (t) => {
  const r = makeRouter();
  t.equal(await r.type('/ppp secret add name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa! password=x'), '');
  const started = performance.now();
  const out = await r.type('/ppp secret print where name~"(a+)+$"');
  t.ok(performance.now() - started < 5000, 'answered within a generous 5 s (a backtracking engine: hours)');
  t.notMatch(out, /aaaa/, 'the name ends in !, so (a+)+$ matches nothing');
  t.match(out, /^Flags: X - disabled\s*\n\s*#\s+NAME/, 'an empty listing with its header');
  t.match(await r.type('/ppp secret print where name~"(a+)+!$"'), /\n 0\s+aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!/, 'a pattern that matches lists the row');
  t.equal(await r.type('/ppp secret find where name~"^a{10,}!"'), '0\n', 'find answers too');
});

t.test('a pattern that cannot be compiled is one line and changes nothing', async (t) => {
  const r = makeRouter();
  await r.type('/ppp secret add name=alice password=x');
  await r.type('/ppp secret add name=bob password=y');
  const bad: [string, RegExp][] = [
    ['/ppp secret print where name~"(a"', /^invalid regular expression in where: missing \) for \( at position 1\n$/],
    ['/ppp secret print where name~"(a)\\\\1"', /^invalid regular expression in where: backreference \\1 is not supported/],
    ['/ppp secret print where name~"a{1000}"', /^invalid regular expression in where: bad repetition count/],
    ['/ppp secret remove [ find name~"[z-a]" ]', /^invalid regular expression in where: bad character range z-a/],
    ['/ppp secret set [ find where name~"*" ] password=z', /^invalid regular expression in where: nothing to repeat/],
  ];
  for (const [line, want] of bad) {
    const out = await r.type(line);
    t.match(out, want, line);
    t.equal(out.split('\n').length, 2, 'exactly one line');
  }
  t.same(r.model.rows('/ppp secret').map((row) => [row.values.name, row.values.password]), [['alice', 'x'], ['bob', 'y']], 'nothing was removed or changed');
});

t.test('a command that would hold the event loop too long is stopped with one line, and changes nothing', async (t) => {
  // A small budget stands in for a huge table: the same check runs whatever the size.
  const r = makeRouter('MikroTik', { workLimit: { steps: 20_000, ms: 10_000 } });
  for (let i = 0; i < 40; i++) t.equal(await r.type(`/ppp secret add name=${'ab'.repeat(20)}${i} password=x`), '');
  const out = await r.type('/ppp secret remove [ find name~"(a|b|ab|ba)*(a|b)*z" ]');
  t.match(out, /^failure: command stopped, it held the router too long \(over 20000 steps or 10000 ms\)\n$/);
  t.equal(r.model.rows('/ppp secret').length, 40, 'no row was removed');
  t.equal(await r.type('/ppp secret find where name~"9$"'), '9,19,29,39\n', 'the next command has a fresh budget and answers');
});
