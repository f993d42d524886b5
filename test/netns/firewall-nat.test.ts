// /ip firewall on a real router between namespaces (issue 16): a LAN host reaches an "internet"
// host through the masquerade (which sees the router's WAN address), counters and tracked
// connections show at the console, an input rule takes effect at once while an open connection
// lives on, a rule nftables could not load is refused and leaves the kernel's rule set as it
// was, and a filter that drops the PPTP server's own packets is named in the log.
import t from 'tap';
import { connects, echoClient, echoServer } from '../lib/echo.js';
import { createNetns, createVethPair, waitFor, type Netns } from '../lib/netns.js';
import { lanHost, pings, startRouter } from '../lib/routers.js';

t.test('masquerade, counters, connections and an input filter', async (t) => {
  const [inet, routerNs] = [await createNetns(t, 'fw-inet'), await createNetns(t, 'fw-rtr')];
  await createVethPair(inet, routerNs, { nameA: 'isp', nameB: 'ether1', addrA: '198.18.16.1/24' });
  const lan = await lanHost(t, routerNs, 'ether2', '192.168.88.10/24', '192.168.88.1');
  const { routerd } = await startRouter(t, routerNs, ['ether1', 'ether2']);
  await routerd.configure('/ip address add address=198.18.16.2/24 interface=ether1');
  await routerd.configure('/ip address add address=192.168.88.1/24 interface=ether2');
  await echoServer(t, inet, '198.18.16.1', 7000);

  // The internet host has no route back to the office LAN: only the masquerade makes this work.
  t.equal(await connects(lan, '198.18.16.1', 7000, 2000), 'timeout', 'without NAT the internet host cannot answer the LAN');
  await routerd.configure('/ip firewall nat add chain=srcnat out-interface=ether1 action=masquerade');
  const conn = await echoClient(t, lan, '198.18.16.1', 7000);
  t.equal(conn.peer, '198.18.16.2', 'the internet host sees the router\'s WAN address');
  t.equal(await conn.roundTrip('one'), 'one');

  const connections = await routerd.command('/ip firewall connection print');
  t.match(connections, /\d+ SAN\s+tcp\s+192\.168\.88\.10:\d+\s+198\.18\.16\.1:7000\s+established/, `the connection is tracked, source-translated\n${connections}`);
  const stats = await routerd.poll('/ip firewall nat print stats', (o) => /0\s+srcnat\s+masquerade\s+[1-9]\d*\s+[1-9]/.test(o), 10_000);
  t.pass(`the masquerade rule counts the connection's first packet\n${stats}`);

  // An input filter: the WAN may no longer ping the router; the LAN still may.
  t.ok((await pings(inet, '198.18.16.2', 1)).ok, 'the WAN pings the router before the filter');
  const before = await routerNs.run(['nft', 'list', 'table', 'ip', 'routerd']);
  const refused = await routerd.command('/ip firewall filter add chain=input in-interface=ether1 dst-port=22 action=drop');
  t.equal(refused, 'failure: dst-port can be used only with protocol=tcp or protocol=udp\n', 'a rule nftables could not load is refused in one line');
  const after = await routerNs.run(['nft', 'list', 'table', 'ip', 'routerd']);
  t.equal(after.stdout.replace(/packets \d+ bytes \d+/g, ''), before.stdout.replace(/packets \d+ bytes \d+/g, ''), 'the kernel\'s rule set is as it was');

  await routerd.configure('/ip firewall filter add chain=input connection-state=established,related action=accept');
  await routerd.configure('/ip firewall filter add chain=input in-interface=ether1 protocol=icmp action=drop');
  // The console answers when the configuration has changed; the kernel follows a moment later.
  t.ok(await waitNft(routerNs, (text) => text.includes('"filter:2"')), 'the rule reaches the kernel');
  t.notOk((await pings(inet, '198.18.16.2', 2)).ok, 'the WAN ping is dropped');
  t.ok((await pings(lan, '192.168.88.1', 1)).ok, 'the LAN still pings the router');
  t.equal(await conn.roundTrip('two'), 'two', 'the open connection went on through the rule set change');
  t.notOk(conn.closed);
  const filterStats = await routerd.poll('/ip firewall filter print stats', (o) => /1\s+input\s+drop\s+[1-9]\d*\s+[1-9]/.test(o), 10_000);
  t.pass(`the drop rule counted the pings\n${filterStats}`);

  await routerd.configure('/ip firewall filter disable 1');
  t.ok(await waitNft(routerNs, (text) => !text.includes('"filter:2"')), 'the disabled rule leaves the kernel');
  t.ok((await pings(inet, '198.18.16.2', 1)).ok, 'a disabled rule no longer drops');

  // The seed's troubleshooting hint: a server whose input filter drops its own tunnels.
  await routerd.configure('/ip firewall filter add chain=input in-interface=ether1 action=drop');
  await routerd.configure('/interface pptp-server server set enabled=yes');
  const log = await routerd.poll('/log print', (o) => /blocks IP protocol 47/.test(o), 10_000);
  t.match(log, /rule 2 \(action=drop\) blocks TCP port 1723 \(PPTP control\) in chain input/, 'the log names the rule that blocks the tunnels');

  // Removing every rule removes the table: the router holds nothing of ours in nftables.
  await routerd.configure('/ip firewall filter remove [ find ]');
  await routerd.configure('/ip firewall nat remove [ find ]');
  t.ok(await waitNft(routerNs, (_, exists) => !exists), 'no firewall configured: our table is gone');
});

/** Polls our table in the router's namespace until check is true (10 s at most). */
async function waitNft(ns: Netns, check: (text: string, exists: boolean) => boolean): Promise<boolean> {
  return waitFor(async () => {
    const r = await ns.exec(['nft', 'list', 'table', 'ip', 'routerd']);
    return check(r.stdout, r.code === 0);
  }, 10_000, 100);
}
