// SPEC.md example 5, the seed's client section: `add name=test2 ... add-default-route=yes`,
// `enable 0`, `monitor test2`. The client's default route goes into the tunnel while the server
// itself stays reachable along the old path, and everything is undone when the client stops.
import t from 'tap';
import { createVethPair } from '../lib/netns.js';
import { createNetns, pings, startRouter } from '../lib/routers.js';

t.test('add-default-route: the internet goes through the tunnel, the server along the old path', async (t) => {
  // client --(198.18.20.0/24)-- isp --(198.18.21.0/24)-- server; a "far" host behind the server.
  const [isp, serverNs, clientNs, far] = [
    await createNetns(t, 'dr-isp'), await createNetns(t, 'dr-srv'), await createNetns(t, 'dr-cli'), await createNetns(t, 'dr-far'),
  ];
  await createVethPair(isp, clientNs, { nameA: 'to-client', nameB: 'ether1', addrA: '198.18.20.254/24' });
  await createVethPair(isp, serverNs, { nameA: 'to-server', nameB: 'ether1', addrA: '198.18.21.254/24' });
  await createVethPair(far, serverNs, { nameA: 'eth0', nameB: 'ether2', addrA: '198.18.22.10/24' });
  await isp.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  await far.run(['ip', 'route', 'add', 'default', 'via', '198.18.22.1']);
  const [server, client] = await Promise.all([
    startRouter(t, serverNs, ['ether1', 'ether2'], { identity: 'Server' }),
    startRouter(t, clientNs, ['ether1'], { identity: 'MikroTik' }),
  ]);
  await server.routerd.configure('/ip address add address=198.18.21.12/24 interface=ether1');
  await server.routerd.configure('/ip address add address=198.18.22.1/24 interface=ether2');
  await server.routerd.configure('/ip route add gateway=198.18.21.254');
  await server.routerd.configure('/ppp secret add name=john password=john local-address=10.1.1.1 remote-address=10.1.1.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  // The far host is not routed by the ISP: only through the tunnel can the client reach it.
  await client.routerd.configure('/ip address add address=198.18.20.2/24 interface=ether1');
  await client.routerd.configure('/ip route add dst-address=198.18.21.0/24 gateway=198.18.20.254');

  const c = client.routerd;
  await c.configure('/interface pptp-client');
  await c.configure('add name=test2 connect-to=198.18.21.12 user=john add-default-route=yes password=john');
  const printed = await c.command('print');
  t.match(printed, /0 X name="test2" max-mtu=1460 max-mru=1460 mrru=disabled\s+connect-to=198\.18\.21\.12/, `prints as in the seed\n${printed}`);
  await c.configure('enable 0');
  const monitor = await c.poll('monitor test2 once', (o) => /status: "connected"/.test(o), 30_000);
  for (const field of ['uptime', 'idle-time', 'encoding', 'mtu', 'mru']) t.match(monitor, new RegExp(`${field}: `), `monitor shows ${field}`);
  await c.command('/');

  const routes = (await clientNs.run(['ip', '-4', 'route', 'show'])).stdout;
  t.match(routes, /default dev test2 .*metric 1/, `the default route points into the tunnel\n${routes}`);
  t.match(routes, /198\.18\.21\.12 via 198\.18\.20\.254 dev ether1/, 'a host route keeps the server on the old path');
  const far1 = await pings(clientNs, '198.18.22.10');
  t.ok(far1.ok, `a host behind the server is reached through the tunnel\n${far1.output}`);

  // The routes the tunnel brought are dynamic rows of /ip route print, and cannot be changed.
  const table = await c.command('/ip route print');
  t.match(table, /^Flags: X - disabled, A - active, D - dynamic, C - connect, S - static\n/, `route legend\n${table}`);
  t.match(table, /\n +\d+ AS +198\.18\.21\.0\/24 +198\.18\.20\.254 +1\n/, 'the configured route: active static');
  t.match(table, /\n +\d+ ADC 10\.1\.1\.1\/32 +test2 +0\n/, "the server's tunnel address: dynamic, connected");
  t.match(table, /\n +\d+ ADS 0\.0\.0\.0\/0 +test2 +1\n/, 'add-default-route: dynamic static, through test2');
  t.match(table, /\n +\d+ ADC 198\.18\.20\.0\/24 +ether1 +0\n/, "ether1's address: a connected route");
  t.match(await c.command('/ip address print detail where dynamic'), /D address=10\.1\.1\.2\/32 network=10\.1\.1\.1 interface=test2/);
  t.equal(await c.command('/ip route remove [find dynamic]'), 'failure: can not change dynamic entry\n');
  t.equal(await c.command('/ip route set [find dst-address=0.0.0.0/0] distance=3'), 'failure: can not change dynamic entry\n');
  t.match((await clientNs.run(['ip', '-4', 'route', 'show'])).stdout, /default dev test2 .*metric 1/, 'the default route is still there');

  await c.configure('/interface pptp-client disable test2');
  const after = await (async () => {
    for (let i = 0; i < 50; i++) {
      const r = (await clientNs.run(['ip', '-4', 'route', 'show'])).stdout;
      if (!/default|198\.18\.21\.12 via/.test(r)) return r;
      await new Promise((res) => setTimeout(res, 200));
    }
    return (await clientNs.run(['ip', '-4', 'route', 'show'])).stdout;
  })();
  t.notMatch(after, /default/, `the default route is gone with the tunnel\n${after}`);
  t.notMatch(after, /198\.18\.21\.12 via/, 'and so is the host route to the server');
  const left = await c.command('/ip route print where dynamic');
  t.notMatch(left, /test2/, `and the tunnel's dynamic rows with it\n${left}`);
  t.match(left, /ADC 198\.18\.20\.0\/24/, 'the connected route of ether1 stays');
});
