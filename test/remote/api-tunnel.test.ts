// An API client watches /ppp/active (listen) while a PPTP tunnel comes up (issue 17): the
// server router is managed by node-routeros from a host on its management network, the client
// router dials it; the tunnel's row arrives as a `!re` of the listen.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createNetns, createVethPair } from '../lib/netns.js';
import { twoRouters } from '../lib/routers.js';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

t.test('node-routeros listen on /ppp/active sees a tunnel come up', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.79' });
  const admin = await createNetns(t, 'apiadm');
  await createVethPair(server.ns, admin, { addrA: '10.79.0.1/24', addrB: '10.79.0.2/24' });
  const s = server.routerd;
  await s.poll('/log print', (out) => /api: listening on port 8728/.test(out), 60_000);
  await s.configure('/user set admin password=Adm1n-pw');
  await s.configure('/interface pptp-server server set enabled=yes');
  await s.configure('/ppp secret add name=user password=passwd local-address=10.0.0.1 remote-address=10.0.0.2');

  const watcher = admin.spawn('node', ['--import', tsLoader, join(root, 'test', 'remote', 'clients', 'node-routeros-client.ts'), '10.79.0.1', 'admin', 'Adm1n-pw', 'watch-active']);
  let out = '';
  watcher.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  watcher.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => watcher.on('exit', () => resolve()));
  for (let i = 0; i < 600 && !out.includes('listening') && watcher.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
  t.match(out, /listening/, 'the API client is logged in and listening');

  await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.79.1 user=user password=passwd disabled=no');
  await exited;
  const res = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
  t.notOk(res.error, String(res.error ?? ''));
  t.same(res.initial, [], 'no tunnel before');
  const events = res.events as Record<string, string>[];
  t.ok(events.some((e) => e.name === 'user' && e.address === '10.0.0.2'), `listen saw the tunnel: ${JSON.stringify(events)}`);
  t.match(res.printed, [{ name: 'user', service: 'pptp', address: '10.0.0.2', encoding: /MPPE/ }]);
});
