// The vendor tool issues keys the router accepts and verifies them.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { License, softwareIdFrom } from '../../src/config/license.js';
import { tsLoader } from '../lib/ts-loader.js';

const tool = new URL('../../tools/license.ts', import.meta.url).pathname;
const run = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', tsLoader, tool, ...args], { encoding: 'utf8' });

t.test('keygen, issue and verify', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-tool-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const priv = join(dir, 'vendor.pem');
  const pub = join(dir, 'vendor.pub.pem');
  t.equal(run('keygen', '--private', priv, '--public', pub).status, 0);
  const id = softwareIdFrom('board-1');
  const key = join(dir, 'license.key');
  t.equal(run('issue', '--key', priv, '--software-id', id, '--level', '4', '--out', key).status, 0);
  const ok = run('verify', '--public', pub, '--software-id', id, key);
  t.equal(ok.status, 0);
  t.match(ok.stdout, new RegExp(`valid: software-id ${id}, level 4`));
  const foreign = run('verify', '--public', pub, '--software-id', softwareIdFrom('board-2'), key);
  t.equal(foreign.status, 1);
  t.match(foreign.stderr, /licence key is for software-id/);
  const lic = new License({ dir, softwareId: id, publicKey: readFileSync(pub, 'utf8') });
  t.equal(lic.load(), undefined, 'the router accepts the issued key');
  t.equal(lic.tunnelLimit, 200);
  t.equal(run('issue', '--key', priv, '--software-id', id, '--level', '2').status, 1, 'level 2 refused');
});
