import t from 'tap';
import { createNetns, createVethPair, exec } from '../lib/netns.js';

t.test('two namespaces joined by a veth pair ping each other and vanish at teardown', async (t) => {
  let names: string[] = [];
  await t.test('inner', async (t) => {
    const a = await createNetns(t, 'nsh');
    const b = await createNetns(t, 'nsh');
    names = [a.name, b.name];
    await createVethPair(a, b, { addrA: '198.18.7.1/24', addrB: '198.18.7.2/24' });
    const r = await a.exec(['ping', '-c1', '-W2', '198.18.7.2']);
    t.equal(r.code, 0, r.stderr);
  });
  const list = await exec(['ip', 'netns', 'list']);
  for (const n of names) t.notMatch(list.stdout, n, `${n} deleted`);
});
