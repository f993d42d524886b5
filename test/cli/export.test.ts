// export -> wipe -> paste the export back -> the same configuration.
import t from 'tap';
import { makeRouter } from './harness.js';

const SETUP = [
  '/system identity set name=HomeOffice',
  '/interface ethernet set ether1 name=ToInternet',
  '/interface ethernet set ether2 name=Office arp=proxy-arp mtu=1480',
  '/interface bridge add name=br-lan auto-mac=no admin-mac=02:00:00:00:0b:01 comment="BCP LAN"',
  '/interface bridge port add interface=Office bridge=br-lan',
  '/ip pool add name=laptops ranges=10.0.0.200-10.0.0.250,10.0.1.0/28',
  '/ppp profile add name=vpn local-address=10.0.103.1 remote-address=laptops dns-server=10.0.0.1,10.0.0.2 use-encryption=required',
  '/ppp profile set default-encryption only-one=yes',
  '/ppp profile add name=bcp bridge=br-lan use-encryption=no',
  '/ppp secret add name=ex service=pptp password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2',
  '/ppp secret set ex routes="10.150.1.0/24 10.0.103.2 1"',
  '/ppp secret add name="road warrior" password="with \\"quotes\\" and spaces" profile=vpn caller-id=198.18.0.7 disabled=yes',
  '/interface pptp-server server set enabled=yes authentication=mschap2 keepalive-timeout=1m mrru=1614',
  '/interface pptp-server add user=ex',
  '/interface pptp-server add name=FromLaptop user="road warrior"',
  '/interface pptp-client add connect-to=198.18.0.1 user=ex password=lkjrht disabled=no allow=mschap2,mschap1 mrru=1614',
  '/interface pptp-client add name=backup connect-to=198.18.0.2 user=john add-default-route=yes max-mtu=1400',
  '/ip address add address=10.150.2.254/24 interface=Office',
  '/ip address add address=198.18.0.2/15 interface=ToInternet comment="ISP link"',
  '/ip route add dst-address 10.150.1.0/24 gateway 10.0.103.2',
  '/ip route add gateway=198.18.0.1 distance=5 disabled=yes',
  '/user group add name=ops policy=local,read,test comment="no sensitive"',
  '/user add name=viewer group=read password=secret',
  '/user add name=operator group=ops',
  '/user set admin password=adminpw',
];

const ports = [
  { defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true },
  { defaultName: 'ether2', mac: '02:00:00:00:00:02', running: true },
];

/**
 * The configuration without internal ids (a pasted export numbers its rows afresh) and without
 * /user passwords, which no export carries (RouterOS: users are exported without them).
 */
function content(r: ReturnType<typeof makeRouter>): unknown {
  const snap = r.model.snapshot();
  const lists: Record<string, unknown> = {};
  for (const [path, state] of Object.entries(snap.lists)) {
    lists[path] = state.rows.map((row) => (path === '/user' ? { ...row.values, password: undefined } : row.values));
  }
  return { lists, settings: snap.settings };
}

t.test('a pasted export recreates the same configuration', async (t) => {
  const a = makeRouter();
  a.runtime.ports = ports;
  await a.type('/interface ethernet print');
  for (const line of SETUP) t.equal(await a.type(line), '', line);
  const script = await a.type('/export show-sensitive');
  t.match(script, /^# .* by routerd\n/);
  t.match(script, /\n\/ppp secret\nadd name=ex service=pptp password=lkjrht/);
  t.notMatch(script, /adminpw|password="?secret|scrypt/, 'no /user password, in clear or hashed');
  t.match(script, /\n\/user\nset \[ find name=admin \] comment|\n\/user\nadd name=viewer group=read\n/, '/user rows without password=');

  // Wipe: the same router back at its factory configuration.
  a.model.reset();
  t.not(JSON.stringify(content(a)), '', 'wiped');
  t.equal(a.model.rows('/ppp secret').length, 0, 'wipe removed the secrets');
  await a.type('/');
  for (const line of script.split('\n')) t.equal(await a.type(line), '', `paste: ${line}`);

  const b = makeRouter();
  b.runtime.ports = ports;
  await b.type('/interface ethernet print');
  for (const line of SETUP) await b.type(line);
  t.same(content(a), content(b), 'pasted configuration equals the original');
  t.equal((await a.type('/export show-sensitive')).split('\n').slice(1).join('\n'), script.split('\n').slice(1).join('\n'), 'export of the paste is the same script');
});
