// A routerd that dies of an uncaught exception leaves a short report in DATA/crash/ (the newest
// five are kept) and one line on standard error; the next start says in /log (and at login)
// how the previous run ended: crashed (naming the report), killed, or nothing after a proper stop.
// The crash comes from --test-crash-after, an option only whoever starts routerd can give.
import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns } from '../lib/netns.js';
import { daemonArgs } from '../lib/daemon-command.js';
import { startRouterd } from '../lib/routerd.js';

t.test('a crash writes a report, rotates the old ones, and the next start logs it once', async (t) => {
  const ns = await createNetns(t, 'crash');
  const dataDir = mkdtempSync(join(tmpdir(), `routerd-crash-${process.pid}-`));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const crashDir = join(dataDir, 'crash');
  mkdirSync(crashDir);
  const old = [1, 2, 3, 4, 5].map((n) => `crash-2020010${n}T000000000Z-${n}.txt`);
  for (const name of old) writeFileSync(join(crashDir, name), 'time: 2020\nerror: Error: old\n');

  const child = ns.spawn('node', [...daemonArgs(), '--data', dataDir, '--console', 'stdio', '--test-crash-after', '300'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  t.equal(code, 1, 'routerd exits as Node does after an uncaught exception');
  const said = out.split('\n').filter((l) => /routerd crashed/.test(l));
  t.equal(said.length, 1, `one line on standard error\n${said.join('\n')}`);
  t.match(said[0], /routerd crashed: Error: test hook: --test-crash-after 300 \(report crash\/crash-\d{8}T\d{9}Z-\d+\.txt\)$/);

  const kept = readdirSync(crashDir).sort();
  t.equal(kept.length, 5, 'five reports are kept');
  t.notOk(kept.includes(old[0]!), 'the oldest one went');
  const report = readFileSync(join(crashDir, kept.at(-1)!), 'utf8');
  t.match(report, /^time: \d{4}-\d\d-\d\dT[\d:.]+Z\nversion: \d+\.\d+\.\d+\nnode: v\d+/, `time, version, node\n${report}`);
  t.match(report, /^error: Error: test hook: --test-crash-after 300$/m, 'the error');
  t.match(report, /^stack:\nError: test hook[^]*\n\s+at /m, 'and its stack');

  const again = await startRouterd(t, ns, { dataDir });
  const log = await again.logText();
  const lines = log.split('\n').filter((l) => /previous run|without proper shutdown/.test(l));
  t.equal(lines.length, 1, `one log line about the previous run\n${lines.join('\n')}`);
  t.match(lines[0], new RegExp(`critical\\s+previous run crashed: Error: test hook: --test-crash-after 300 \\(report crash/${kept.at(-1)!.replace(/\./g, '\\.')}\\)`));

  await again.kill9();
  const third = await startRouterd(t, ns, { dataDir });
  const log3 = (await third.logText()).split('\n').filter((l) => /previous run|without proper shutdown/.test(l));
  t.equal(log3.length, 1, 'a kill -9 is one line too');
  t.match(log3[0], /previous run \(pid \d+\) ended without proper shutdown: killed/);

  await third.stop();
  const fourth = await startRouterd(t, ns, { dataDir });
  t.notMatch(await fourth.logText(), /previous run|without proper shutdown/, 'after a proper stop: nothing to report');
  t.equal(readdirSync(crashDir).length, 5, 'the reports stay where they are');
});
