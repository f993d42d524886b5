// SPEC.md example 2: HomeOffice serves RemoteOffice over the "internet"; the LANs reach each
// other through the tunnel, first with /ip route on both routers (typed in the seed's
// `dst-address 10.150.1.0/24 gateway 10.0.103.2` form), then with routes= on the secret, which
// is installed only while the user is connected.
import t from 'tap';
import { offices, pings } from '../lib/routers.js';
import type { Routerd } from '../lib/routerd.js';
import { waitFor } from '../lib/netns.js';
import { mssSeenByServer } from '../lib/transfer.js';

async function serveEx(home: Routerd): Promise<void> {
  await home.configure('/ppp secret add name=ex service=pptp password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2');
  await home.configure('/interface pptp-server add user=ex');
  await home.configure('/interface pptp-server server set enabled=yes');
}

async function dialHome(remote: Routerd, home: Routerd): Promise<void> {
  await remote.configure('/interface pptp-client add connect-to=198.18.80.1 user=ex password=lkjrht disabled=no');
  await remote.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  await home.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 10_000);
}

t.test('router to router with /ip route on both routers', async (t) => {
  const { home, remote, homeLan, remoteLan } = await offices(t);
  await serveEx(home.routerd);
  await dialHome(remote.routerd, home.routerd);
  await home.routerd.configure('ip route add dst-address 10.150.1.0/24 gateway 10.0.103.2');
  await remote.routerd.configure('ip route add dst-address 10.150.2.0/24 gateway 10.0.103.1');

  const servers = await home.routerd.command('/interface pptp-server print');
  t.match(servers, /0\s+R\s+pptp-in1\s+ex\s+1460\s+198\.18\.81\.1/, `the static entry pptp-in1 runs the user's tunnel\n${servers}`);
  t.notMatch(servers, /<pptp-ex>/, 'no dynamic row when a static entry names the user');

  for (const target of ['10.0.103.1', '10.150.2.254']) {
    const out = await remote.routerd.command(`/ping ${target} count=3`, 30_000);
    t.match(out, /3 packets transmitted, 3 packets received, 0% packet loss/, `RemoteOffice> /ping ${target}\n${out}`);
  }
  const across = await pings(remoteLan, '10.150.2.10');
  t.ok(across.ok, `a RemoteOffice LAN host pings a HomeOffice LAN host\n${across.output}`);
  const back = await pings(homeLan, '10.150.1.10');
  t.ok(back.ok, `and back\n${back.output}`);

  // The LAN hosts have MTU 1500 and offer MSS 1460; the default profile's change-tcp-mss=yes
  // lowers it to what the 1460-byte tunnel carries (1420; ss shows it less 12 for timestamps).
  const clamped = await mssSeenByServer(t, homeLan, '10.150.2.10', 7000, remoteLan);
  t.ok(clamped.mss <= 1420, `change-tcp-mss=yes: the SYN arrives with MSS <= 1420 (ss mss:${clamped.mss})\n${clamped.ss}`);
  for (const r of [home, remote]) await r.routerd.configure('/ppp profile set default change-tcp-mss=no');
  // A profile change makes the client dial again; the server reads the profile at login.
  await remote.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  // "connected" is the client's view; the server may still be configuring its side of the new call.
  t.ok(await waitFor(async () => (await pings(remoteLan, '10.150.2.10')).ok, 20_000, 500), 'the tunnel is back');
  const unclamped = await mssSeenByServer(t, homeLan, '10.150.2.10', 7001, remoteLan);
  t.ok(unclamped.mss > 1420, `change-tcp-mss=no: the SYN keeps the host's MSS (ss mss:${unclamped.mss})\n${unclamped.ss}`);
});

t.test('router to router with routes= on the secret', async (t) => {
  const { home, remote, homeLan, remoteLan } = await offices(t);
  await serveEx(home.routerd);
  await home.routerd.configure('/ppp secret set 0 routes="10.150.1.0/24 10.0.103.2 1"');
  await remote.routerd.configure('ip route add dst-address 10.150.2.0/24 gateway 10.0.103.1');
  const before = await home.ns.run(['ip', '-4', 'route', 'show', '10.150.1.0/24']);
  t.equal(before.stdout.trim(), '', 'no route to the remote LAN before the user connects');
  await dialHome(remote.routerd, home.routerd);

  const route = await home.ns.run(['ip', '-4', 'route', 'show', '10.150.1.0/24']);
  t.match(route.stdout, /10\.150\.1\.0\/24 via 10\.0\.103\.2 dev pptp-in1/, `the secret's route is installed through the tunnel\n${route.stdout}`);
  const table = await home.routerd.command('/ip route print');
  t.match(table, /\n +\d+ ADS 10\.150\.1\.0\/24 +10\.0\.103\.2 +1\n/, `/ip route print: the secret's routes= as a dynamic row\n${table}`);
  t.match(table, /\n +\d+ ADC 10\.0\.103\.2\/32 +pptp-in1 +0\n/, "and the peer's /32, connected");
  const across = await pings(homeLan, '10.150.1.10');
  t.ok(across.ok, `a HomeOffice LAN host pings a RemoteOffice LAN host\n${across.output}`);
  const back = await pings(remoteLan, '10.150.2.10');
  t.ok(back.ok, `and back\n${back.output}`);

  await remote.routerd.configure('/interface pptp-client disable pptp-out1');
  await home.routerd.poll('/ppp active print', (o) => !/\bex\b/.test(o), 15_000);
  const after = await home.ns.run(['ip', '-4', 'route', 'show', '10.150.1.0/24']);
  t.equal(after.stdout.trim(), '', 'the route goes when the user disconnects');
  t.notMatch(await home.routerd.command('/ip route print'), /10\.150\.1\.0|10\.0\.103\.2/, 'and its dynamic rows');
  const links = await home.ns.run(['ip', '-o', 'link', 'show']);
  t.notMatch(links.stdout, /pptp-in1/, 'and so does the tunnel interface');
});
