// Crash safety of the configuration store: a damaged file is set aside and the router starts
// from defaults. kill -9 during a stream of writes: test/crash/kill-rounds.test.ts.
import t from 'tap';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigStore } from '../../src/config/store.js';

function tempDir(t: Tap.Test): string {
  const dir = mkdtempSync(join(tmpdir(), `routerd-store-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
type Tap = typeof t;
declare namespace Tap {
  type Test = Tap;
}

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
