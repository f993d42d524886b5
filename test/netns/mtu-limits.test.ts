// Issue 19, finding 8: max-mtu near 65535 made the GRE emitter throw in a packet callback and the
// daemon exit, taking every tunnel with it. The console now refuses what cannot fit one IPv4
// datagram, and routers set to the largest accepted values still connect and carry a 60000-byte
// ping. (The MTU settles at 1500 here: our LCP never asks for an MRU above Ethernet's, so the
// datagram bound matters against a peer offering a larger MRU; test/wire-pptp/gre.test.ts
// checks that a frame of that size fits.)
import t from 'tap';
import { MAX_TUNNEL_MTU } from '../../src/config/menus/interface.js';
import { pings, twoRouters } from '../lib/routers.js';

t.test('max-mtu past one IPv4 datagram is refused; the largest accepted one works end to end', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.16' });
  const before = await server.routerd.command('/interface pptp-server server print');
  const refused = await server.routerd.command('/interface pptp-server server set max-mtu=65535');
  t.equal(refused.trim(), `value of max-mtu out of range (64..${MAX_TUNNEL_MTU})`, 'one clear line');
  t.equal(await server.routerd.command('/interface pptp-server server print'), before, 'nothing changed');

  const big = `max-mtu=${MAX_TUNNEL_MTU} max-mru=${MAX_TUNNEL_MTU}`;
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2');
  await server.routerd.configure(`/interface pptp-server server set enabled=yes ${big}`);
  await client.routerd.configure(`/interface pptp-client add connect-to=198.18.16.1 user=ex password=lkjrht disabled=no ${big}`);
  const up = await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  t.match(up, /mtu: 1500\b/, 'the tunnel runs at the MRU our LCP asks for');
  const r = await client.ns.exec(['ping', '-c', '2', '-s', '60000', '-W', '3', '10.0.103.1']);
  t.equal(r.code, 0, `a 60000-byte ping crosses (GRE fragmented on the wire)\n${r.stdout}${r.stderr}`);
  t.ok((await pings(client.ns, '10.0.103.1')).ok, 'small packets too');
  t.match(await server.routerd.command('/ppp active print'), /\bex\s+pptp/, 'the server is still running its tunnel');
});
