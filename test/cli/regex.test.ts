// The `~` engine: same answers as JavaScript's RegExp where POSIX ERE and JavaScript agree,
// one clear error for what it cannot compile, and linear time on patterns that make a
// backtracking engine run for hours.
import t from 'tap';
import fc from 'fast-check';
import { Regex, RegexError } from '../../src/cli/regex/index.js';

function compiled(p: string): Regex {
  const r = Regex.compile(p);
  if (r instanceof RegexError) throw new Error(`${p}: ${r.message}`);
  return r;
}

// Patterns written in the syntax both engines read the same way: no backslash inside brackets,
// no `{` that is not a bound, no quantified anchor, ASCII without newlines.
const literal = fc.constantFrom('a', 'b', 'c', '-', '\\.', '\\*', '\\(', '\\|');
const bracket = fc.constantFrom('[abc]', '[^ab]', '[a-c]', '[b-c-]', '[^-a]', '[.]', '[*+?]');
const simple = fc.oneof(literal, bracket, fc.constant('.'));
const quantifier = fc.constantFrom('*', '+', '?', '{2}', '{0,1}', '{1,}', '{1,3}', '{0}', '{3}');

const pattern: fc.Arbitrary<string> = fc.letrec<{ alt: string; piece: string; atom: string }>((tie) => ({
  alt: fc.array(fc.array(tie('piece'), { maxLength: 4 }).map((ps) => ps.join('')), { minLength: 1, maxLength: 3 }).map((cs) => cs.join('|')),
  atom: fc.oneof({ depthSize: 'small', withCrossShrink: true }, simple, simple, tie('alt').map((a) => `(${a})`)),
  piece: fc.oneof(
    tie('atom'),
    fc.tuple(tie('atom'), quantifier).map(([a, q]) => a + q),
    fc.constantFrom('^', '$'),
  ),
})).alt;

const subject = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '-', '.', '*', '(', '|', ']', 'x'), maxLength: 14 });

t.test('agrees with JavaScript RegExp on patterns both read the same way', async (t) => {
  fc.assert(
    fc.property(pattern, fc.array(subject, { minLength: 1, maxLength: 8 }), (p, texts) => {
      const ours = compiled(p);
      const js = new RegExp(p);
      for (const s of texts) {
        if (ours.test(s) !== js.test(s)) throw new Error(`pattern ${JSON.stringify(p)} on ${JSON.stringify(s)}: ours ${ours.test(s)}, RegExp ${js.test(s)}`);
      }
    }),
    { numRuns: 3000 },
  );
  t.pass('3000 random patterns agree');
});

t.test('a handful of cases by hand, POSIX classes included', async (t) => {
  const cases: [string, string, boolean][] = [
    ['^pptp-', 'pptp-out1', true],
    ['^pptp-', 'x-pptp-', false],
    ['out[0-9]+$', 'pptp-out12', true],
    ['[[:digit:]]{3}', 'ab123', true],
    ['[[:digit:]]{3}', 'ab12', false],
    ['^[[:alpha:]_]+$', 'vpn_user', true],
    ['^[[:alpha:]_]+$', 'vpn-user', false],
    ['[^[:space:]]', '   ', false],
    ['[[:upper:]][[:lower:]]', 'xAb', true],
    ['a|b|c', 'zzc', true],
    ['^$', '', true],
    ['^$', 'a', false],
    ['()', 'x', true],
    ['(a*)*b', 'aaab', true],
    ['(a|)+b', 'b', true],
    ['\\d\\d', 'a12', true],
    ['\\.', 'ab', false],
    ['x{', 'x{', true],
    ['ä+', 'bää', true],
    ['[^a]', '😀', true],
    ['^.$', '😀', true],
    ['A', 'a', false],
    // POSIX: a `]` first in a bracket is a member (JavaScript reads `[]` as an empty class).
    ['[]a]', 'x]', true],
    ['[^]b]', ']b', false],
    ['[^]b]', ']c', true],
    // POSIX: a backslash in a bracket is a member, not an escape.
    ['[\\d]', 'd', true],
    ['[\\d]', '\\', true],
    ['[\\d]', '5', false],
  ];
  for (const [p, s, want] of cases) t.equal(compiled(p).test(s), want, `${p} on ${JSON.stringify(s)}`);
});

t.test('what it cannot compile is one clear error, not a guess', async (t) => {
  const bad: [string, RegExp][] = [
    ['(a', /missing \) for \( at position 1/],
    ['a)', /unmatched \) at position 2/],
    ['*a', /nothing to repeat at position 1/],
    ['a**', /bad repetition operator at position 3/],
    ['a+?', /bad repetition operator/],
    ['^*', /nothing to repeat/],
    ['{2}', /nothing to repeat/],
    ['[b-a]', /bad character range b-a/],
    ['[abc', /missing \] for \[ at position 1/],
    ['[[:nosuch:]]', /unknown character class \[:nosuch:\]/],
    ['[[=a=]]', /not supported/],
    ['(a)\\1', /backreference \\1 is not supported/],
    ['\\b', /unsupported escape \\b/],
    ['a\\', /trailing backslash/],
    ['a{3,2}', /bad repetition count \{3,2\}/],
    ['a{256}', /bad repetition count \{256\} \(at most 255\)/],
    ['((a{255}){255}){255}', /regular expression too large/],
  ];
  for (const [p, want] of bad) {
    const r = Regex.compile(p);
    t.ok(r instanceof RegexError, `${p} refused`);
    if (r instanceof RegexError) {
      t.match(r.message, want, `${p}: ${r.message}`);
      t.notMatch(r.message, /\n/, 'one line');
    }
  }
});

t.test('(a+)+$ against a 35-character string finishes at once (a backtracking engine takes hours)', async (t) => {
  const text = 'a'.repeat(34) + '!';
  const started = performance.now();
  t.equal(compiled('(a+)+$').test(text), false);
  t.equal(compiled('(a|aa)*c').test('a'.repeat(5000)), false);
  t.equal(compiled('(.*)*(.*)*(.*)*x').test('y'.repeat(5000)), false);
  t.equal(compiled('(a+)+!$').test(text), true);
  // Generous: the four searches take milliseconds; a backtracking engine would not end today.
  t.ok(performance.now() - started < 5000, 'finished well within 5 s');
});

t.test('a step meter sees the work and can stop a search', async (t) => {
  let steps = 0;
  compiled('(a+)+$').test('a'.repeat(100), { spend: (n) => (steps += n) });
  t.ok(steps > 100 && steps < 101 * 2 * 12, `charged ${steps} steps for 100 characters: at most two per state of a small program per character`);
  const stop = new Error('budget');
  t.throws(() => compiled('(a|b)*c').test('ab'.repeat(1000), { spend: () => { throw stop; } }), stop);
});
