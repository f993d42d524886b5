// routerd --dataplane: the same encrypted router-to-router tunnel with the server on the
// reference path and the client on the native one (the default), then the other way round. Both
// paths run a real tunnel under routerd, and every packet checks they agree on the wire.
import t from 'tap';
import { pings, twoRouters } from '../lib/routers.js';
import { transferChecked } from '../lib/transfer.js';

for (const [serverPlane, clientPlane] of [
  ['reference', 'native'],
  ['native', 'reference'],
] as const) {
  t.test(`MPPE-128 tunnel: server on the ${serverPlane} path, client on the ${clientPlane} path`, async (t) => {
    const { server, client } = await twoRouters(t, {
      subnet: '198.18.9',
      server: { dataplane: serverPlane },
      // The client's default is what routerd picks without the option: native here.
      client: clientPlane === 'native' ? {} : { dataplane: clientPlane },
    });
    await server.routerd.configure('/ppp secret add name=user password=passwd local-address=10.0.0.1 remote-address=10.0.0.2');
    await server.routerd.configure('/interface pptp-server server set enabled=yes');
    await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.9.1 user=user password=passwd disabled=no');
    const monitor = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 30_000);
    t.match(monitor, /encoding: "MPPE128 stateless"/, 'connected with MPPE-128');
    t.match(await server.routerd.logText(), new RegExp(`data plane: ${serverPlane}`), `the server runs the ${serverPlane} path`);
    t.match(await client.routerd.logText(), new RegExp(`data plane: ${clientPlane}`), `the client runs the ${clientPlane} path`);
    const ping = await pings(client.ns, '10.0.0.1');
    t.ok(ping.ok, `ping through the tunnel\n${ping.output}`);
    const transfer = await transferChecked(t, server.ns, '10.0.0.1', client.ns, 2 * 1024 * 1024);
    t.ok(transfer.ok, `2 MiB over TCP arrive intact\n${transfer.detail}`);
  });
}

t.test('an unknown --dataplane is refused with one line', async (t) => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const r = spawnSync('node', ['--import', `${root}node_modules/@tapjs/typescript/dist/esm/import.mjs`, `${root}src/daemon.ts`, '--dataplane', 'fast'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(r.status, 1, 'routerd exits with status 1');
  t.equal(r.stderr.trim(), 'routerd: --dataplane: "fast" is not one of native, reference', 'and says why in one line');
});
