// A PPTP server behind its own input filter (issue 16): the default configuration's rules drop
// a new connection from the WAN, while TCP 1723 and GRE come in and a tunnel comes up; then the
// rule set is replaced again and again while a TCP connection runs through the tunnel, and that
// connection, the tunnel's control connection and its GRE all live on.
import t from 'tap';
import { connects, echoClient, echoServer } from '../lib/echo.js';
import { waitFor, type Netns } from '../lib/netns.js';
import { pings, twoRouters } from '../lib/routers.js';

async function waitNft(ns: Netns, check: (text: string) => boolean): Promise<boolean> {
  return waitFor(async () => check((await ns.exec(['nft', 'list', 'table', 'ip', 'routerd'])).stdout), 10_000, 100);
}

t.test('the input filter keeps the WAN out, lets tunnels in, and changes without dropping them', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.17' });
  const s = server.routerd;
  for (const line of [
    '/ip firewall filter add chain=input action=accept connection-state=established,related',
    '/ip firewall filter add chain=input action=drop connection-state=invalid',
    '/ip firewall filter add chain=input action=accept protocol=icmp',
    '/ip firewall filter add chain=input action=accept protocol=tcp dst-port=1723',
    '/ip firewall filter add chain=input action=accept protocol=gre',
    '/ip firewall filter add chain=input action=drop in-interface=ether1',
    '/ppp secret add name=ex password=lkjrht local-address=10.0.0.1 remote-address=10.0.0.2',
    '/interface pptp-server server set enabled=yes',
  ]) await s.configure(line);
  t.ok(await waitNft(server.ns, (text) => text.includes('"filter:6"')), 'the filter is in the kernel');
  await echoServer(t, server.ns, '0.0.0.0', 7100);

  t.equal(await connects(client.ns, '198.18.17.1', 7100, 2000), 'timeout', 'a new connection from the WAN is dropped');
  await client.routerd.configure('/interface pptp-client add name=hq connect-to=198.18.17.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor hq once', (o) => /status: "connected"/.test(o), 30_000);
  t.pass('TCP 1723 and GRE come in: the tunnel is up');
  t.ok(await waitFor(async () => (await pings(client.ns, '10.0.0.1', 1)).ok, 15_000, 200), 'the tunnel carries pings');

  const conn = await echoClient(t, client.ns, '10.0.0.1', 7100);
  t.equal(conn.peer, '10.0.0.2', 'a connection through the tunnel (from inside it, so the WAN rule does not apply)');
  const stats = await s.command('/ip firewall filter print stats');
  t.match(stats, /4\s+input\s+accept\s+[1-9]\d*\s+[1-9]/, `the GRE rule counted the tunnel's packets\n${stats}`);

  // Replace the rule set five times while lines go back and forth.
  const changes: [string, (text: string) => boolean][] = [
    ['/ip firewall filter add chain=input action=drop protocol=udp dst-port=5000-6000 in-interface=ether1', (x) => x.includes('"filter:7"')],
    ['/ip firewall filter disable 2', (x) => !x.includes('"filter:3"')],
    ['/ip firewall address-list add list=friends address=198.18.99.0/24', (x) => x.includes('198.18.99.0/24')],
    ['/ip firewall filter add chain=input src-address-list=friends action=accept', (x) => x.includes('"filter:8"')],
    ['/ip firewall nat add chain=srcnat out-interface=ether1 action=masquerade', (x) => x.includes('"nat:1"')],
  ];
  let n = 0;
  for (const [line, loaded] of changes) {
    await s.command('/ip firewall filter print');
    await s.configure(line);
    t.ok(await waitNft(server.ns, loaded), `loaded: ${line}`);
    n++;
    t.equal(await conn.roundTrip(`after-change-${n}`), `after-change-${n}`, `the connection answers after change ${n}`);
  }
  t.notOk(conn.closed, 'the connection was never reset');
  const monitor = await client.routerd.command('/interface pptp-client monitor hq once');
  t.match(monitor, /status: "connected"/, 'the tunnel stayed up');
  const log = await client.routerd.logText();
  t.equal((log.match(/connected/g) ?? []).filter(() => true).length > 0, true);
  t.notMatch(log, /redial|terminated|disconnected/i, `the client never redialled\n${log}`);
  t.equal(await connects(client.ns, '198.18.17.1', 7100, 2000), 'timeout', 'the WAN is still kept out');
  t.notMatch(await s.logText(), /blocks (TCP port 1723|IP protocol 47)/, 'no tunnel warning for a filter that lets tunnels in');
});
