// routerd on stdio: starts without the router or native addon, reports a damaged configuration
// on the console and starts from defaults, and keeps what was configured across a restart.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const daemon = new URL('../../src/daemon.ts', import.meta.url).pathname;

function run(dataDir: string, input: string, extra: string[] = []): Promise<{ code: number | null; out: string }> {
  const loader = process.execArgv.filter((a) => a.includes('typescript'));
  const proc = spawn(process.execPath, [...loader, daemon, '--data', dataDir, '--console', 'stdio', ...extra], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' },
  });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (out += d.toString()));
  proc.stdin.end(input);
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, out })));
}

t.test('routerd --help explains every option', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-d-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { code, out } = await run(dir, '', ['--help']);
  t.equal(code, 0);
  for (const opt of ['--data', '--console', '--baud', '--identity']) t.match(out, opt);
});

t.test('a damaged configuration is reported on the console; changes survive a restart', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-d-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), '{"format":1,"lists":');
  const first = await run(
    dir,
    'admin\n\n/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 \\\n\\... remote-address=10.0.103.2\n/system identity set name=HomeOffice\nquit\n',
    ['--identity', 'Branch'],
  );
  t.equal(first.code, 0, 'exits when stdin closes');
  t.match(first.out, /NOTICE: configuration is damaged.*started with the default configuration/);
  t.match(first.out, /\[admin@Branch\] > /, '--identity names the router');
  t.equal(readdirSync(dir).filter((f) => f.includes('.damaged-')).length, 1, 'the damaged file is kept aside');

  const second = await run(dir, 'admin\n\n/ppp secret print detail\n');
  t.notMatch(second.out, /NOTICE/);
  t.match(second.out, /\[admin@HomeOffice\] > /, 'identity kept');
  t.match(second.out, / 0  name="ex" service=any caller-id="" password="lkjrht" profile=default\n   local-address=10.0.103.1 remote-address=10.0.103.2 routes=""/);
});
