// Crash safety of the configuration store: kill -9 during a stream of writes never leaves a file
// that fails to load; a damaged file is set aside and the router starts from defaults.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore } from '../../src/config/store.js';
import { tsLoader } from '../lib/ts-loader.js';

function tempDir(t: Tap.Test): string {
  const dir = mkdtempSync(join(tmpdir(), `routerd-store-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
type Tap = typeof t;
declare namespace Tap {
  type Test = Tap;
}

t.test('kill -9 during repeated writes always leaves a configuration that loads', async (t) => {
  const dir = tempDir(t);
  const child = new URL('./writer-child.ts', import.meta.url).pathname;
  const rounds = 10;
  const seen = new Set<string>();
  for (let round = 0; round < rounds; round++) {
    const proc = spawn(process.execPath, ['--import', tsLoader, child, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    t.teardown(() => proc.kill('SIGKILL'));
    await new Promise<void>((resolve) => proc.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
    t.equal(proc.exitCode, null, `round ${round}: the writer was still writing when killed`);
    proc.kill('SIGKILL');
    await new Promise((r) => proc.once('exit', r));
    const { model, notice } = new ConfigStore(dir).load();
    t.equal(notice, undefined, `round ${round}: the file loads after kill -9`);
    seen.add(String(model.settingsValues('/system identity').name));
  }
  t.ok(seen.size >= rounds / 2, `the writer was killed at ${seen.size} different points`);
  const leftovers = readdirSync(dir).filter((f) => !f.startsWith('.config.json.tmp-') && f !== 'config.json');
  t.same(leftovers, [], 'only the file and temp files of killed writers');
});

t.test('a damaged file is kept aside and the router starts with defaults', async (t) => {
  for (const [what, text] of [
    ['truncated JSON', '{"format":1,"lists":{"/ppp sec'],
    ['a value of the wrong type', JSON.stringify({ format: 1, lists: { '/ppp secret': { nextId: 2, rows: [{ id: 1, values: { name: 'a', service: 'bogus' } }] } }, settings: {} })],
    ['binary noise', '\u0000\u00ff\u0013garbage'],
  ] as const) {
    const dir = tempDir(t);
    writeFileSync(join(dir, 'config.json'), text);
    const { model, notice } = new ConfigStore(dir).load();
    t.match(notice, /configuration is damaged.*kept it as .*config\.json\.damaged-.*started with the default configuration/, what);
    t.equal(model.rows('/ppp secret').length, 0, `${what}: defaults`);
    t.notOk(existsSync(join(dir, 'config.json')), `${what}: the damaged file is no longer in the way`);
    t.equal(readdirSync(dir).filter((f) => f.includes('.damaged-')).length, 1, `${what}: kept aside`);
  }
});

t.test('a saved configuration survives a restart', async (t) => {
  const dir = tempDir(t);
  const store = new ConfigStore(dir);
  const { model } = store.load();
  store.attach(model, (e) => t.fail(e.message));
  t.type(model.add('/ppp secret', { name: 'ex', password: 'lkjrht', 'local-address': '10.0.103.1' }), 'number');
  const again = new ConfigStore(dir).load();
  t.equal(again.notice, undefined);
  t.same(again.model.snapshot(), model.snapshot());
});
