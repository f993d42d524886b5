// print file=NAME writes the print to NAME.txt in the data directory (RouterOS's /file), and
// print interval= prints again until a key stops it, redrawn in place on a terminal.
import t, { type Test } from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataFileWriter } from '../../src/remote/data-files.js';
import { Shell } from '../../src/cli/shell.js';
import { LogBook } from '../../src/log.js';
import { makeRouter } from './harness.js';

t.test('print file=NAME: the same text as on the console, in NAME.txt', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'routerd-print-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = makeRouter('MikroTik', { writeFile: dataFileWriter(dir) });
  await r.type('/ppp secret add name=alice password=s3cret comment="first one"');
  await r.type('/ppp secret add name=bob password=x disabled=yes');
  const shown = await r.type('/ppp secret print');
  t.equal(await r.type('/ppp secret print file=secrets'), '', 'nothing on the console');
  t.equal(readFileSync(join(dir, 'secrets.txt'), 'utf8'), shown);
  t.equal(statSync(join(dir, 'secrets.txt')).mode & 0o777, 0o600, 'readable by root only: a print may hold passwords');
  t.equal(await r.type('/ppp secret print terse file=terse.txt where name=bob'), '');
  t.match(readFileSync(join(dir, 'terse.txt'), 'utf8'), /\n 0 X name="bob" service=any/, 'options and where apply; .txt is not doubled');
  t.equal(await r.type('/system clock print file=clock'), '');
  t.match(readFileSync(join(dir, 'clock.txt'), 'utf8'), /time: \d\d:\d\d:\d\d/);
  for (const bad of ['../escape', '/etc/passwd', 'a/b', '.hidden', '']) {
    t.match(await r.type(`/ppp secret print file="${bad}"`), /^failure: (bad file name|file needs a name)/, `file=${bad} refused`);
  }
  t.same(readdirSync(dir).sort(), ['clock.txt', 'secrets.txt', 'terse.txt'], 'nothing else was written');
  const noFiles = makeRouter();
  t.equal(await noFiles.type('/ppp secret print file=x'), 'failure: no files on this console\n');
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((res) => setTimeout(res, 20));
}

/** A key stops a redrawing command (print interval=, monitor): nothing is printed after it. */
async function stopsOnKey(t: Test, shell: Shell, running: Promise<unknown>, printed: () => number): Promise<void> {
  shell.interrupt();
  await running;
  t.notOk(shell.busy, 'a key stopped it');
  const after = printed();
  await new Promise((res) => setTimeout(res, 300));
  t.equal(printed(), after, 'nothing printed after it stopped');
}

for (const ansi of [false, true]) {
  t.test(`print interval= redraws until a key (${ansi ? 'terminal: in place' : 'plain line: blocks'})`, async (t) => {
    let out = '';
    // A second console on the same router watches the print while the first changes the table.
    const base = makeRouter();
    const shell = new Shell({ model: base.model, runtime: base.runtime, log: new LogBook(), user: 'admin', ansi, write: (s) => (out += s) });
    await base.type('/ppp secret add name=alice password=x');
    const running = shell.input('/ppp secret print interval=100ms');
    await until(() => out.includes('alice'));
    t.ok(shell.busy, 'the print keeps running');
    await base.type('/ppp secret add name=bob password=y');
    await until(() => out.includes('bob'));
    t.match(out, /alice[^]*\n[^]*alice[^]*bob/, 'a later redraw shows the row added meanwhile');
    if (ansi) t.match(out, /\x1b\[3A\x1b\[J/, 'the 3-line block is redrawn in place');
    else t.notMatch(out, /\x1b/, 'no cursor movement on a plain line');
    await stopsOnKey(t, shell, running, () => out.length);
  });
}

for (const ansi of [false, true]) {
  t.test(`monitor redraws until a key (${ansi ? 'terminal: in place' : 'plain line: blocks'})`, async (t) => {
    let out = '';
    const base = makeRouter();
    const shell = new Shell({ model: base.model, runtime: base.runtime, log: new LogBook(), user: 'admin', ansi, write: (s) => (out += s) });
    await base.type('/interface pptp-client add name=c1 connect-to=198.18.0.1 user=u disabled=no');
    base.runtime.clients.set('c1', { status: 'dialing...' });
    const running = shell.input('/interface pptp-client monitor c1 interval=100ms');
    await until(() => out.includes('dialing'));
    t.ok(shell.busy, 'monitor keeps running');
    base.runtime.clients.set('c1', { status: 'connected', uptime: 3, idleTime: 0, encoding: 'MPPE128 stateless', mtu: 1460, mru: 1460 });
    await until(() => out.includes('connected'));
    // The one-line block is replaced by the six-line one: the cursor goes up the old block's height.
    if (ansi) t.match(out, /status: "dialing\.\.\."\n\x1b\[1A\x1b\[J *status: "connected"/, 'redrawn in place');
    else {
      t.notMatch(out, /\x1b/, 'no cursor movement on a plain line');
      t.match(out, /status: "dialing\.\.\."\n *status: "connected"\n *uptime: 3s/, 'the next block below the last');
    }
    await stopsOnKey(t, shell, running, () => out.length);
  });
}

t.test('monitor takes once and interval=, and refuses anything else', async (t) => {
  const r = makeRouter();
  await r.type('/interface pptp-client add name=c1 connect-to=198.18.0.1 user=u disabled=no');
  t.equal(await r.type('/interface pptp-client monitor c1 foo=1'), 'expected end of command (unknown parameter foo)\n');
  t.equal(await r.type('/interface pptp-client monitor c1 interval=10ms'), 'value of interval out of range (100ms..1h)\n');
  t.equal(await r.type('/interface pptp-client monitor c1 interval=soon'), 'invalid value for argument interval\n');
  t.equal(await r.type('/interface pptp-client monitor nosuch once'), 'no such item\n');
});
