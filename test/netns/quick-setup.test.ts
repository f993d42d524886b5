// SPEC.md example 1, the seed's quick setup, between two routerd processes in namespaces: the
// server gets a secret and is enabled, the client dials it; checked with ping, a TCP transfer and
// the consoles' own print and monitor output.
import t from 'tap';
import { pings, twoRouters } from '../lib/routers.js';
import { transferChecked } from '../lib/transfer.js';

t.test('quick setup: one client, one server, addresses from the secret', async (t) => {
  // The seed's 10.5.8.104 / 10.1.0.172 "internet" addresses become 198.18.0.0/15 ones.
  const { server, client } = await twoRouters(t, { subnet: '198.18.8', hosts: [104, 172] });
  const [serverNs, clientNs] = [server.ns, client.ns];
  await server.routerd.configure('/ppp secret add name=user password=passwd local-address=10.0.0.1 remote-address=10.0.0.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure('/interface pptp-client add name=pptp-out1 connect-to=198.18.8.104 user=user password=passwd disabled=no');

  const monitor = await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  t.match(monitor, /encoding: "MPPE128 stateless"/, 'monitor shows the encoding the seed shows');
  t.match(monitor, /mtu: 1460/, 'monitor shows the MTU');

  const ping = await pings(clientNs, '10.0.0.1');
  t.ok(ping.ok, `the client pings the server's tunnel address\n${ping.output}`);
  const back = await pings(serverNs, '10.0.0.2');
  t.ok(back.ok, `the server pings the client's tunnel address\n${back.output}`);

  const active = await server.routerd.command('/ppp active print');
  t.match(active, /user\s+pptp\s+198\.18\.8\.172\s+10\.0\.0\.2/, `/ppp active lists the user\n${active}`);
  const servers = await server.routerd.command('/interface pptp-server print');
  t.match(servers, /DR\s+<pptp-user>\s+user\s+1460\s+198\.18\.8\.172/, `a dynamic running server interface\n${servers}`);

  const transfer = await transferChecked(t, serverNs, '10.0.0.1', clientNs, 4 << 20);
  t.ok(transfer.ok, `4 MiB over TCP through the tunnel, checksums match (${transfer.detail})`);

  // Accounting: the 4 MiB show up in both routers' interface counters and in /ppp active.
  const stats = await client.routerd.command('/interface print stats');
  const row = /pptp-out1\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(stats);
  t.ok(row && Number(row[1]) > 4 << 20, `the client's pptp-out1 received more than 4 MiB\n${stats}`);
  t.match(stats, /ether1\s+\d+/, 'the ethernet port is listed too');
  const serverStats = await server.routerd.command('/interface print stats');
  const srow = /<pptp-user>\s+(\d+)\s+(\d+)/.exec(serverStats);
  t.ok(srow && Number(srow[2]) > 4 << 20, `the server's <pptp-user> sent more than 4 MiB\n${serverStats}`);
  const list = await server.routerd.command('/interface print');
  t.match(list, /DR\s+<pptp-user>\s+pptp-in\s+1460/, `/interface print lists the dynamic tunnel\n${list}`);
  const detail = await server.routerd.command('/ppp active print detail');
  const bytesOut = /bytes-out=(\d+)/.exec(detail);
  t.ok(bytesOut && Number(bytesOut[1]) > 4 << 20, `/ppp active counts the user's bytes\n${detail}`);
});
