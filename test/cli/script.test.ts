// The scripting subset at the console: what admins paste from forums runs as typed, menu
// commands inside a script keep the user's policies, unknown syntax is one line and nothing
// runs, and a script that would hold the router too long is stopped.
import t from 'tap';
import { parseScript, ScriptSyntaxError } from '../../src/cli/script/parser.js';
import { binary, toStr } from '../../src/cli/script/values.js';
import type { PppSession } from '../../src/config/runtime.js';
import { makeRouter, type TestRouter } from './harness.js';

async function withSecrets(names: readonly string[], globals = new Map()): Promise<TestRouter> {
  const r = makeRouter('MikroTik', { globals });
  for (const n of names) t.equal(await r.type(`/ppp secret add name=${n} password=pw-${n}`), '');
  return r;
}

function session(id: string, user: string): PppSession {
  return { id, user, service: 'pptp', callerId: '198.18.0.9', address: '10.0.0.9', clientAddress: '198.18.0.9', uptime: 5, encoding: 'MPPE128 stateless', mtu: 1400 } as PppSession;
}

t.test('the parser: what it accepts, and one line with a position for what it does not', async (t) => {
  const ok = [
    ':put "x"',
    ':local a 1; :local b "s"; :put ($a + 2 * 3 . $b)',
    ':foreach i in={1;2;3} do={:put $i}',
    ':if (1 < 2 && !(2 = 3)) do={:put yes} else={:put no}',
    ':foreach i in=[/ppp secret find where name~"^a"] do={/ppp secret set $i comment="from $i"}',
    ':global g; :set g [:len "abc"]',
    '# a comment\n:put 1\n\n:put 2',
  ];
  for (const src of ok) t.notOk(parseScript(src, new Set()) instanceof ScriptSyntaxError, src);
  const bad: [string, string][] = [
    [':frob 1', 'bad command name frob (line 1 column 2)'],
    [':put (1 +)', 'syntax error (line 1 column 10)'],
    [':put $nosuch', 'failure: undefined variable $nosuch (line 1 column 6)'],
    [':set nosuch 1', 'failure: undefined variable $nosuch (line 1 column 6)'],
    [':if (true) do={:put 1', 'missing } (line 1 column 22)'],
    [':foreach i in={1;2} do={:put $i}; :put $i', 'failure: undefined variable $i (line 1 column 40)'],
    [':if (true)', 'failure: :if needs do={...} (line 1 column 11)'],
    [':put "open', 'unterminated quote (line 1 column 6)'],
    ['/ppp secret add name=x source={:put 1}', 'syntax error (line 1 column 31)'],
    [':put 1 }', 'syntax error (line 1 column 8)'],
  ];
  for (const [src, want] of bad) {
    const r = parseScript(src, new Set());
    t.ok(r instanceof ScriptSyntaxError, src);
    t.equal((r as ScriptSyntaxError).message, want, src);
  }
  t.notOk(parseScript(':put $known', new Set(['known'])) instanceof ScriptSyntaxError, 'a global that exists is usable undeclared');
});

t.test('values: arithmetic, comparison, concatenation, arrays', async (t) => {
  t.equal(binary('+', 2, '3'), 5);
  t.equal(binary('/', 7, 2), 3, 'integer division as RouterOS');
  t.equal(binary('.', 'a', 1), 'a1');
  t.equal(binary('>', 10, 9), true, 'numbers compare as numbers');
  t.equal(binary('>', '10', '9'), false, 'text compares as text');
  t.equal(binary('=', '*1', '*1'), true);
  t.equal(toStr(['*1', '*2']), '*1;*2');
  t.throws(() => binary('+', 'abc', 1), /failure: \+ needs numbers, got "abc"/);
  t.throws(() => binary('/', 1, 0), /division by zero/);
});

t.test("the issue's examples, as typed", async (t) => {
  const r = await withSecrets(['alice', 'bob', 'carol']);
  t.equal(await r.type(':foreach i in=[/ppp secret find] do={:put [/ppp secret get $i name]}'), 'alice\nbob\ncarol\n');
  const updown = ':if ([:len [/ppp active find]] > 0) do={:put "up"} else={:put "down"}';
  t.equal(await r.type(updown), 'down\n');
  r.runtime.active.set('s1', session('s1', 'alice'));
  t.equal(await r.type(updown), 'up\n');
  t.equal(await r.type(':foreach s in=[/ppp active find] do={:put [/ppp active get $s name]}'), 'alice\n', 'run-time rows too');
  t.equal(await r.type(':put [/ppp secret find]'), '*1;*2;*3\n', 'find gives *ids');
  t.equal(await r.type('/ppp secret find'), '0,1,2\n', 'outside a script find still prints numbers');
});

t.test('variables, expressions and $var in command arguments', async (t) => {
  const globals = new Map();
  const r = await withSecrets(['alice', 'bob'], globals);
  t.equal(await r.type(':local x 5; :put ($x + 2 * 3); :put ("x is " . $x); :put "inline $x"'), '11\nx is 5\ninline 5\n');
  t.equal(await r.type(':foreach n in={1;2;3} do={:put ($n * 10)}'), '10\n20\n30\n');
  t.equal(await r.type(':local n 0; :foreach i in={1;2;3} do={:set n ($n + $i)}; :put ("sum " . $n)'), 'sum 6\n', 'the README example');
  t.equal(await r.type(':put [:len "abc"]; :put [:tonum "42"]; :put [:tostr {1;2}]; :put [:len {1;2;3}]'), '3\n42\n1;2\n3\n');
  t.equal(await r.type(':local c "two words"; /ppp secret set [find name=alice] comment=$c'), '');
  t.equal(await r.type('/ppp secret get alice comment'), 'two words\n', 'a value with a space arrives whole');
  t.equal(await r.type(':local n "bob"; :put [/ppp secret get [find name=$n] password]'), 'pw-bob\n');
  t.equal(await r.type(':foreach i in=[/ppp secret find] do={/ppp secret set $i comment=("c-" . [/ppp secret get $i name])}'), '');
  t.equal(await r.type(':put [/ppp secret get bob comment]'), 'c-bob\n');
  t.equal(await r.type('/ppp secret remove [/ppp secret find where name=bob]; :put [:len [/ppp secret find]]'), '1\n');

  t.equal(await r.type(':global greeting "hi"'), '');
  const other = makeRouter('MikroTik', { globals, model: r.model });
  t.equal(await other.type(':put ($greeting . " there")'), 'hi there\n', 'a global is seen from another console');
  t.equal(await other.type(':set greeting 7; :put ($greeting > 5)'), 'true\n');
  t.equal(await r.type(':put $greeting'), '7\n');
  t.equal(await r.type(':local mine 1'), '');
  t.match(await r.type(':put $mine'), /^failure: undefined variable \$mine/, 'a local ends with its line, as on RouterOS');
});

t.test('&& and || stop at the side that decides: the other side never runs', async (t) => {
  const r = await withSecrets(['alice']);
  t.equal(await r.type(':put (false && [/ppp secret add name=x1 password=p])'), 'false\n');
  t.equal(await r.type(':put (true || [/ppp secret add name=x2 password=p])'), 'true\n');
  t.equal(await r.type(':if (false && [:put "ran"]) do={:put a} else={:put b}'), 'b\n', 'no "ran" line');
  t.equal(await r.type(':put [:len [/ppp secret find]]'), '1\n', 'neither add ran');
  t.equal(await r.type(':local n 0; :if ($n > 0 && (10 / $n) > 1) do={:put big} else={:put none}'), 'none\n', 'a guard keeps a division by zero from running');
  t.equal(await r.type(':put (true && ([:len [/ppp secret find]] = 1))'), 'true\n', 'the deciding side still runs');
  t.equal(await r.type(':put (false || ([:len [/ppp secret find]] = 2))'), 'false\n');
  t.match(await r.type(':put (true && "x")'), /^failure: && needs true or false/, 'a non-boolean side that is reached is an error');
});

t.test('a script pasted over several lines runs once its braces close', async (t) => {
  const r = await withSecrets(['alice', 'bob']);
  t.equal(await r.type(':foreach i in=[/ppp secret find] do={'), '');
  t.equal(r.shell.prompt(), '{... ');
  t.equal(await r.type('  :local n [/ppp secret get $i name]'), '');
  t.equal(await r.type('  :if ($n = "bob") do={:put "found $n"}'), '');
  t.equal(await r.type('}'), 'found bob\n');
  t.match(r.shell.prompt(), /^\[admin@MikroTik\] > $/);
  t.equal(await r.type(':local n 0; :foreach i in=[/ppp secret find] do={\n:set n ($n + 1)}; :put $n'), '2\n', 'given whole with its newlines (ssh router \'...\')');
  t.equal(await r.type(':foreach i in={1;2} do={'), '');
  r.shell.cancelLine();
  t.match(r.shell.prompt(), /^\[admin@MikroTik\] > $/, 'Ctrl-C drops a half-pasted script');
  t.equal(await r.type(':put after'), 'after\n');
});

t.test('unknown syntax is one line and nothing runs; a failing command stops the script', async (t) => {
  const r = await withSecrets(['alice']);
  t.equal(await r.type('/ppp secret add name=bob password=x; :frobnicate'), 'bad command name frobnicate (line 1 column 39)\n');
  t.equal(await r.type(':put before; :put (1 +'), 'syntax error (line 1 column 23)\n', 'no :put ran');
  t.equal(r.model.rows('/ppp secret').length, 1, 'the add before the bad word did not run');
  t.equal(await r.type(':put a; /ppp secret set nosuch comment=x; :put b'), 'a\nno such item\n');
  t.equal(await r.type(':if ("yes") do={:put 1}'), 'failure: :if needs true or false, got "yes"\n');
});

t.test('menu commands inside a script keep the user’s policies', async (t) => {
  const admin = await withSecrets(['alice', 'bob']);
  await admin.type('/user add name=reader group=read password=pw-reader');
  const reader = makeRouter('MikroTik', { user: 'reader', model: admin.model, globals: new Map() });
  t.equal(await reader.type(':foreach i in=[/ppp secret find] do={:put [/ppp secret get $i name]}'), 'alice\nbob\n', 'read may look');
  t.equal(await reader.type(':foreach i in=[/ppp secret find] do={/ppp secret remove $i}'), 'not enough permissions (9)\n');
  t.equal(admin.model.rows('/ppp secret').length, 2, 'nothing removed');
});

t.test('a long script lets the event loop run between its slices, and is stopped after its statement budget', async (t) => {
  const r = makeRouter('MikroTik', { globals: new Map() });
  const ten = '{1;2;3;4;5;6;7;8;9;10}';
  // 10,000 turns: the timer below can only fire if the script yields to the event loop.
  let timerRan = 0;
  const timer = setInterval(() => timerRan++, 1);
  const out = await r.typeAndWait(`:local n 0; :foreach a in=${ten} do={:foreach b in=${ten} do={:foreach c in=${ten} do={:foreach d in=${ten} do={:set n ($n + 1)}}}}; :put $n`);
  clearInterval(timer);
  t.equal(out, '10000\n', 'the script ran to its end');
  t.ok(timerRan > 0, `timers ran while it did (${timerRan} times)`);

  // Ctrl-C (the console calls cancelLine) stops a running script at its next statement.
  const running = r.typeAndWait(`:foreach a in=${ten} do={:foreach b in=${ten} do={:foreach c in=${ten} do={:foreach d in=${ten} do={:put "$a$b$c$d"}}}}`);
  await new Promise((res) => setImmediate(res));
  r.shell.cancelLine();
  const stopped = await running;
  t.match(stopped, /\ninterrupted\n$/, 'ends with one line');
  t.ok(stopped.split('\n').length < 10_000, `stopped early (${stopped.split('\n').length - 2} lines printed)`);

  // A small budget stands in for a runaway script: the same check runs whatever the size.
  const small = makeRouter('MikroTik', { globals: new Map(), workLimit: { steps: 1_000, ms: 10_000 } });
  t.equal(await small.typeAndWait(`:global n 0; :foreach a in=${ten} do={:foreach b in=${ten} do={:foreach c in=${ten} do={:set n ($n + 1)}}}`), 'failure: script stopped, it ran over 1000 statements\n');
  t.equal(await small.typeAndWait(':put "next line runs"'), 'next line runs\n', 'the next line has a fresh budget');

  // Waiting is not holding: a ping inside a script (real time passes) does not count against it.
  let pinged = 0;
  const slow = makeRouter('MikroTik', {
    globals: new Map(),
    workLimit: { steps: 1_000, ms: 50 },
    ping: async (_o, line) => {
      await new Promise((res) => setTimeout(res, 120));
      line(`pinged ${++pinged}`);
    },
  });
  t.equal(await slow.typeAndWait(':foreach i in={1;2;3} do={/ping 127.0.0.1 count=1}; :put done'), 'pinged 1\npinged 2\npinged 3\ndone\n');
});

t.test('plain command lines keep the plain path: $ ending a pattern, ; inside quotes', async (t) => {
  const r = await withSecrets(['a9', 'b']);
  t.equal(await r.type('/ppp secret find where name~"9$"'), '0\n');
  t.equal(await r.type('/ppp secret set b comment="x;y"'), '');
  t.equal(await r.type('/ppp secret get b comment'), 'x;y\n');
});

t.test('/system script environment lists the globals and removes them', async (t) => {
  const globals = new Map();
  const r = makeRouter('MikroTik', { globals });
  t.equal(await r.type(':global site "branch one"; :global count 3; :local notme 1'), '');
  const table = await r.type('/system script environment print');
  t.match(table, /#\s+NAME\s+VALUE\n\s*0\s+site\s+branch one\n\s*1\s+count\s+3\n/, table);
  t.notMatch(table, /notme/, 'locals are not globals');
  t.equal(await r.type('/system script environment get count value'), '3\n');
  t.equal(await r.type('/system script environment remove site,nosuch'), 'no such item\n');
  t.equal(globals.size, 2, 'nothing removed');
  t.equal(await r.type('/system script environment remove 0'), '');
  t.same([...globals.keys()], ['count']);
  t.equal(await r.type('/system script environment remove [/system script environment find]'), '');
  t.equal(globals.size, 0, 'from a script too');
  t.match(await r.type(':put $site'), /^failure: undefined variable \$site/, 'gone');
});
