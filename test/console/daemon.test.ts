// routerd on stdio: starts without the router or native addon, reports a damaged configuration
// on the console and starts from defaults, and keeps what was configured across a restart.
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRouterdScript } from '../lib/routerd.js';

t.test('routerd --help explains every option', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-d-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await runRouterdScript(t, dir, '', ['--help']);
  t.equal(code, 0);
  for (const opt of ['--data', '--console', '--baud', '--identity', '--ethernet', '--vendor-key', '--power-command']) t.match(out, opt);
});

t.test('a damaged configuration is reported on the console; changes survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-d-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), '{"format":1,"lists":');
  const first = await runRouterdScript(t, dir,
    'admin\n\n/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 \\\n\\... remote-address=10.0.103.2\n/system identity set name=HomeOffice\nquit\n',
    ['--identity', 'Branch'],
  );
  t.equal(first.code, 0, 'exits when stdin closes');
  t.match(first.out, /NOTICE: configuration is damaged.*started with the default configuration/);
  t.match(first.out, /\[admin@Branch\] > /, '--identity names the router');
  t.equal(readdirSync(dir).filter((f) => f.includes('.damaged-')).length, 1, 'the damaged file is kept aside');

  const second = await runRouterdScript(t, dir, 'admin\n\n/ppp secret print detail\n');
  t.notMatch(second.out, /NOTICE/);
  t.match(second.out, /\[admin@HomeOffice\] > /, 'identity kept');
  t.match(second.out, / 0  name="ex" service=any caller-id="" password="lkjrht" profile=default\n   local-address=10.0.103.1 remote-address=10.0.103.2 routes=""/);
});
