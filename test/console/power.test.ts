// routerd --power-command at its console: /system reboot and /system shutdown ask y/N and run
// the command with reboot / poweroff. The command is a script this test writes that records its
// argument: the machine running the test is never rebooted.
import t from 'tap';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNetns } from '../lib/netns.js';
import { startRouterd } from '../lib/routerd.js';

t.test('reboot and shutdown at the console run the power command only on y', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-power-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const record = join(dir, 'actions');
  const script = join(dir, 'power');
  writeFileSync(script, `#!/bin/sh\necho "$1" >> '${record}'\n`);
  chmodSync(script, 0o755);
  const ns = await createNetns(t, 'power');
  const r = await startRouterd(t, ns, { powerCommand: script });

  const ask = async (line: string, question: RegExp): Promise<void> => {
    const from = r.output.length;
    r.write(`${line}\n`);
    await r.waitFor(question, 20_000, from);
  };
  await ask('/system reboot', /Reboot, yes\? \[y\/N\]: $/);
  t.equal(await r.command('n'), 'action cancelled\n');
  t.notOk(existsSync(record), 'n: the power command did not run');
  await ask('/system shutdown', /Shutdown, yes\? \[y\/N\]: $/);
  t.equal(await r.command(''), 'action cancelled\n', 'Enter is No');
  t.notOk(existsSync(record));

  await ask('/system reboot', /Reboot, yes\? \[y\/N\]: $/);
  t.equal(await r.command('y'), 'system will reboot shortly\n');
  t.equal(readFileSync(record, 'utf8'), 'reboot\n', 'y: the command ran with reboot');
  await ask('/system shutdown', /Shutdown, yes\? \[y\/N\]: $/);
  t.equal(await r.command('y'), 'system will shutdown shortly\n');
  t.equal(readFileSync(record, 'utf8'), 'reboot\npoweroff\n', 'and with poweroff');
  t.match(await r.command('/system clock print'), /time: \d\d:\d\d:\d\d\n +date: [a-z]{3}\/\d\d\/\d{4}\n/);

  // A power command that fails says why in one line.
  writeFileSync(script, '#!/bin/sh\necho "no reboot for you" >&2\nexit 1\n');
  await ask('/system reboot', /Reboot, yes\? \[y\/N\]: $/);
  t.equal(await r.command('y'), 'failure: reboot failed: no reboot for you\n');
});
