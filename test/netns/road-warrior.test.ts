// SPEC.md example 3: RemoteOffice serves a laptop an address inside its office LAN
// (10.150.1.2), names the tunnel interface FromLaptop, and answers ARP for it on the Office port
// (arp=proxy-arp), so a host on the office LAN reaches the laptop as a neighbour.
import t from 'tap';
import { createNetns, lanHost, pings, startRouter } from '../lib/routers.js';
import { createVethPair, waitFor } from '../lib/netns.js';

t.test('road warrior: the laptop appears on the office LAN through proxy-arp', async (t) => {
  const [inet, officeNs, laptopNs] = [await createNetns(t, 'rw-inet'), await createNetns(t, 'rw-office'), await createNetns(t, 'rw-laptop')];
  await createVethPair(inet, officeNs, { nameA: 'isp-office', nameB: 'ether1', addrA: '198.18.81.254/24' });
  await createVethPair(inet, laptopNs, { nameA: 'isp-laptop', nameB: 'ether1', addrA: '198.18.82.254/24' });
  await inet.run(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
  const officeHost = await lanHost(t, officeNs, 'ether2', '10.150.1.10/24', '10.150.1.254');
  const [office, laptop] = await Promise.all([
    startRouter(t, officeNs, ['ether1', 'ether2'], { identity: 'RemoteOffice' }),
    startRouter(t, laptopNs, ['ether1'], { identity: 'Laptop' }),
  ]);
  const r = office.routerd;
  await r.configure('/interface ethernet set ether1 name=ToInternet');
  await r.configure('/interface ethernet set ether2 name=Office');
  await r.configure('/ip address add address=198.18.81.1/24 interface=ToInternet');
  await r.configure('/ip address add address=10.150.1.254/24 interface=Office');
  await r.configure('/ip route add gateway=198.18.81.254');
  // The seed's secret line, with its missing "\" restored (SPEC.md: two lines joined).
  await r.configure('/ppp secret add name=ex service=pptp password=lkjrht local-address=10.150.1.254 remote-address=10.150.1.2');
  await r.configure('/interface pptp-server add name=FromLaptop user=ex');
  await r.configure('/interface pptp-server server set enabled=yes');
  await r.configure('/interface ethernet set Office arp=proxy-arp');
  const ports = await r.command('/interface ethernet print');
  t.match(ports, /1\s+R\s+Office\s+1500\s+\S+\s+proxy-arp/, `the Office port shows proxy-arp as in the seed\n${ports}`);
  const proxyOn = await waitFor(async () => (await officeNs.run(['sysctl', '-n', 'net.ipv4.conf.ether2.proxy_arp'])).stdout.trim() === '1', 5000);
  t.ok(proxyOn, 'the kernel answers ARP for routed addresses on the Office port (proxy_arp=1)');

  await laptop.routerd.configure('/ip address add address=198.18.82.2/24 interface=ether1');
  await laptop.routerd.configure('/ip route add gateway=198.18.82.254');
  await laptop.routerd.configure('/interface pptp-client add connect-to=198.18.81.1 user=ex password=lkjrht disabled=no');
  // A Windows laptop sends everything into the VPN; this one routes the office LAN there.
  await laptop.routerd.configure('/ip route add dst-address=10.150.1.0/24 gateway=pptp-out1');
  await laptop.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  const servers = await r.poll('/interface pptp-server print', (o) => /R\s+FromLaptop/.test(o), 10_000);
  t.match(servers, /0\s+R\s+FromLaptop\s+ex\s+1460\s+198\.18\.82\.2/, `FromLaptop runs the laptop's tunnel\n${servers}`);

  const ping = await pings(officeHost, '10.150.1.2');
  t.ok(ping.ok, `a host on the office LAN pings the laptop's office address\n${ping.output}`);
  const neigh = await officeHost.run(['ip', 'neigh', 'show', '10.150.1.2']);
  t.match(neigh.stdout, /10\.150\.1\.2 dev eth0 lladdr/, `the office host reached it as a LAN neighbour (proxy ARP)\n${neigh.stdout}`);
  const fromLaptop = await pings(laptopNs, '10.150.1.10');
  t.ok(fromLaptop.ok, `the laptop pings the office host\n${fromLaptop.output}`);
});
