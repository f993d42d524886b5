// Issue 16's branch office, typed at the console: the LAN host takes a lease from the router
// with Debian's dhclient, resolves names through the router's DNS cache (upstream: the ISP's
// dnsmasq; local: /ip dns static), and reaches an internet host through the masquerade, which
// sees the router's WAN address. The lease shows at the console and can be made static.
import t from 'tap';
import { ispDnsmasq, dhclient, resolve4 } from '../lib/dhcp-peers.js';
import { echoClient, echoServer } from '../lib/echo.js';
import { createNetns, createVethPair, waitFor } from '../lib/netns.js';
import { startRouter } from '../lib/routers.js';

t.test('a LAN host gets a lease, resolves names and reaches the internet through the router', async (t) => {
  const [isp, routerNs, lan] = [await createNetns(t, 'bo-isp'), await createNetns(t, 'bo-rtr'), await createNetns(t, 'bo-lan')];
  await createVethPair(isp, routerNs, { nameA: 'isp', nameB: 'ether1', addrA: '198.18.18.1/24' });
  await createVethPair(lan, routerNs, { nameA: 'eth0', nameB: 'ether2' });
  await ispDnsmasq(t, isp, '198.18.18.1', [
    'address=/www.example.test/198.18.18.1',
    'local-ttl=300', // its answers may be cached (dnsmasq's own are TTL 0 otherwise)
    'dhcp-range=198.18.18.100,198.18.18.150,255.255.255.0,10m',
    'dhcp-option=option:router,198.18.18.1',
    'dhcp-option=option:dns-server,198.18.18.1',
  ]);
  await echoServer(t, isp, '198.18.18.1', 7000);

  const { routerd } = await startRouter(t, routerNs, ['ether1', 'ether2']);
  for (const line of [
    '/ip dhcp-client add interface=ether1 disabled=no',
    '/ip address add address=192.168.88.1/24 interface=ether2',
    '/ip pool add name=dhcp ranges=192.168.88.10-192.168.88.254',
    '/ip dhcp-server add interface=ether2 address-pool=dhcp',
    '/ip dhcp-server network add address=192.168.88.0/24 gateway=192.168.88.1 dns-server=192.168.88.1',
    '/ip dns set allow-remote-requests=yes',
    '/ip dns static add name=router.lan address=192.168.88.1',
    '/ip firewall nat add chain=srcnat out-interface=ether1 action=masquerade',
  ]) await routerd.configure(line);

  // The WAN side: the ISP's dnsmasq gives the router its address, gateway and DNS server.
  const client = await routerd.poll('/ip dhcp-client print', (o) => /bound/.test(o), 60_000);
  const wan = /ether1\s+yes\s+yes\s+bound\s+(198\.18\.18\.\d+)\/24\s+198\.18\.18\.1\s+\d+m/.exec(client);
  t.ok(wan, `the WAN port is bound, with gateway and expiry\n${client}`);
  const wanAddress = wan?.[1] ?? '';
  t.match(await routerd.command('/ip address print'), new RegExp(`\\d+ D\\s+${wanAddress.replace(/\./g, '\\.')}/24\\s+ether1`), 'the leased address is a dynamic /ip address row');
  t.match(await routerd.command('/ip route print'), /\d+ ADS\s+0\.0\.0\.0\/0\s+198\.18\.18\.1\s+1/, 'and the default route a dynamic /ip route row');
  t.match(await routerd.command('/ip route print'), /\d+ ADC\s+198\.18\.18\.0\/24\s+ether1\s+0/, "and the lease's network a connected one");
  t.ok(await waitFor(async () => (await routerNs.exec(['ip', 'route', 'show', 'default'])).stdout.includes('via 198.18.18.1'), 10_000, 200), 'the kernel has the default route');

  const lease = await dhclient(t, lan, 'eth0', 'lanhost');
  t.match(lease.address, /^192\.168\.88\.(\d+)$/, `the host got an address from the pool (${lease.address})`);
  t.equal(lease.dns, '192.168.88.1', 'and the router as its DNS server');
  const leases = await routerd.poll('/ip dhcp-server lease print', (o) => o.includes(lease.address), 10_000);
  t.match(leases, new RegExp(`0 D\\s+${lease.address.replace(/\./g, '\\.')}\\s+[0-9A-F:]{17}\\s+lanhost\\s+dhcp1\\s+bound`), `the console lists the dynamic lease\n${leases}`);

  t.same(await resolve4(lan, '192.168.88.1', 'www.example.test'), ['198.18.18.1'], 'an internet name resolves through the router (upstream: the DNS server the lease named)');
  t.same(await resolve4(lan, '192.168.88.1', 'router.lan'), ['192.168.88.1'], '/ip dns static answers');

  // /ip dns cache: what dnsmasq holds, read from dnsmasq's own dump; flush empties it.
  const cached = await routerd.command('/ip dns cache print');
  const row = /^\s*(\d+)\s+www\.example\.test\s+A\s+198\.18\.18\.1\s+(\d+m)?(\d+s)?\s*$/m.exec(cached);
  t.ok(row, `the name the LAN host asked for is in the cache, with its TTL\n${cached}`);
  t.ok(row && (row[2] === '4m' || row[2] === '5m'), `about 5 minutes left (${row?.[2] ?? ''}${row?.[3] ?? ''})`);
  t.notMatch(cached, /router\.lan/, 'static names are configuration, not cache');
  t.notMatch(await routerd.command('/log print'), /query\[A\]|Host +Address/, 'neither queries nor the dump reach the log');
  t.equal(await routerd.command('/ip dns cache flush'), '');
  t.notMatch(await routerd.command('/ip dns cache print'), /www\.example\.test/, 'flushed');
  t.same(await resolve4(lan, '192.168.88.1', 'www.example.test'), ['198.18.18.1'], 'asked again');
  t.match(await routerd.command('/ip dns cache print'), /www\.example\.test\s+A\s+198\.18\.18\.1/, 'and cached again');

  const conn = await echoClient(t, lan, '198.18.18.1', 7000);
  t.equal(conn.peer, wanAddress, 'the internet host sees the router\'s WAN address');
  t.equal(await conn.roundTrip('hello'), 'hello');

  t.equal(await routerd.command('/ip dhcp-server lease make-static 0'), '');
  const after = await routerd.command('/ip dhcp-server lease print');
  t.match(after, new RegExp(`0\\s+${lease.address.replace(/\./g, '\\.')}\\s+[0-9A-F:]{17}\\s+dhcp1`), `make-static keeps the address for the host\n${after}`);
  t.notMatch(after, /^\s*\d+ D/m, 'and the dynamic row is gone');
  const exported = await routerd.command('/ip dhcp-server lease export');
  t.match(exported, new RegExp(`add address=${lease.address.replace(/\./g, '\\.')} mac-address=`));

  // renew keeps the lease; release gives it back and takes one again.
  t.equal(await routerd.command('/ip dhcp-client renew 0'), '');
  t.equal(await routerd.command('/ip dhcp-client release 0'), '');
  const again = await routerd.poll('/ip dhcp-client print', (o) => /bound/.test(o), 60_000);
  t.match(again, /ether1\s+yes\s+yes\s+bound\s+198\.18\.18\.\d+\/24/, 'bound again after release');
  t.notMatch(await routerd.command('/export'), /198\.18\.18\.1\d\d/, 'leased entries are not configuration: export leaves them out');
});
