// routerd on stdio: /system reset-configuration asks on the console, and the default
// configuration it writes is what the next start loads.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRouterdScript } from '../lib/routerd.js';

t.test('reset-configuration on the console: asked, written to disk, loaded by the next start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-reset-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await runRouterdScript(t, dir, 'admin\n\n/ppp secret add name=ex password=lkjrht\n/system identity set name=Branch\n');
  t.match(readFileSync(join(dir, 'config.json'), 'utf8'), /lkjrht/, 'configured first');

  const reset = await runRouterdScript(t, dir, 'admin\n\n/system reset-configuration\ny\n');
  t.match(reset.out, /\[admin@Branch\] > Dangerous! Reset anyway\? \[y\/N\]: system configuration will be reset\n/);
  t.match(reset.out, /system configuration will be reset\ninterrupted\n\nLogin: /, 'the session ends and a login is asked');
  const stored = readFileSync(join(dir, 'config.json'), 'utf8');
  t.notMatch(stored, /lkjrht|Branch/, 'the file on disk holds the defaults');

  const after = await runRouterdScript(t, dir, 'admin\n\n/ppp secret print\n');
  t.match(after.out, /\[admin@MikroTik\] > /, 'identity is the default after a restart');
  t.notMatch(after.out, /lkjrht|name="ex"/);
});

t.test('n on the console keeps the configuration', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-reset-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = await runRouterdScript(t, dir, 'admin\n\n/system identity set name=Branch\n/system reset-configuration\nn\n');
  t.match(out.out, /Dangerous! Reset anyway\? \[y\/N\]: action cancelled\n\[admin@Branch\] > /);
  t.match(readFileSync(join(dir, 'config.json'), 'utf8'), /Branch/);
});
