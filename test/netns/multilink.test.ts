// Issue 14 section 2, the seed's promise of MP over one link: with mrru=1600 typed at both
// consoles, a tunnel whose MTU is 1450 carries whole 1500-byte packets (MP fragments them and
// the other end reassembles, under MPPE-128), so `ping -M do -s 1472` crosses, TCP keeps
// 1460-byte segments with change-tcp-mss=no, and nothing on the LANs learns a smaller path MTU.
import t from 'tap';
import { offices, pings } from '../lib/routers.js';
import { waitFor } from '../lib/netns.js';
import { mssSeenByServer, transferChecked } from '../lib/transfer.js';

t.test('mrru=1600 over a 1450-byte tunnel: 1500-byte packets cross whole', async (t) => {
  const { home, remote, homeLan, remoteLan } = await offices(t);
  for (const r of [home.routerd, remote.routerd]) await r.configure('/ppp profile set default change-tcp-mss=no');
  await home.routerd.configure('/ppp secret add name=ex service=pptp password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2');
  await home.routerd.configure('/interface pptp-server server set enabled=yes max-mtu=1450 max-mru=1450 mrru=1600');
  await remote.routerd.configure('/interface pptp-client add connect-to=198.18.80.1 user=ex password=lkjrht max-mtu=1450 max-mru=1450 mrru=1600 disabled=no');
  const monitor = await remote.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  t.match(monitor, /mtu: 1450\b/, 'the link MTU stays 1450');
  t.match(monitor, /mrru: 1600\b/, 'monitor shows the negotiated MRRU');
  t.match(monitor, /encoding: "MPPE128 stateless"/, 'encrypted: MPPE sits above MP');
  t.match(await remote.routerd.command('/interface pptp-client print'), /mrru=1600/, 'print shows the mrru');
  t.match(await home.routerd.command('/interface pptp-server server print'), /mrru: 1600/, 'and the server\'s');
  await home.routerd.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 10_000);
  await home.routerd.configure('ip route add dst-address 10.150.1.0/24 gateway 10.0.103.2');
  await remote.routerd.configure('ip route add dst-address 10.150.2.0/24 gateway 10.0.103.1');
  t.ok(await waitFor(async () => (await pings(remoteLan, '10.150.2.10')).ok, 20_000, 500), 'the LANs reach each other');

  for (const [from, to] of [[remoteLan, '10.150.2.10'], [homeLan, '10.150.1.10']] as const) {
    const r = await from.exec(['ping', '-c', '3', '-i', '0.2', '-W', '3', '-M', 'do', '-s', '1472', to]);
    t.equal(r.code, 0, `ping -M do -s 1472 ${to}: a 1500-byte packet with DF crosses the 1450 tunnel\n${r.stdout}${r.stderr}`);
  }
  const mss = await mssSeenByServer(t, homeLan, '10.150.2.10', 7000, remoteLan);
  t.equal(mss.mss, 1448, `the SYN keeps MSS 1460 (ss shows 1448 with timestamps)\n${mss.ss}`);
  const moved = await transferChecked(t, homeLan, '10.150.2.10', remoteLan, 4 << 20);
  t.ok(moved.ok, `4 MiB over TCP, checksummed: ${moved.detail}`);
  for (const [ns, to] of [[homeLan, '10.150.1.10'], [remoteLan, '10.150.2.10']] as const) {
    const route = await ns.exec(['ip', 'route', 'get', to]);
    t.notMatch(route.stdout, /\bmtu\b/, `no smaller path MTU was learned towards ${to}: 1460-byte segments went whole (${route.stdout.trim()})`);
  }
});
