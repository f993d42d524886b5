// What a server user gets: secret over profile, pool addresses handed out and given back, the
// secret's routes= parsed, and RouterOS's use-encryption values.
import t from 'tap';
import { ConfigModel } from '../../src/config/model.js';
import { AddressPools } from '../../src/router/address-pools.js';
import { encryptionOf, linkProfileOf, parsePppRoutes, planUser, profileOf, secretOf } from '../../src/router/user-plan.js';
import { pppProfile } from '../../src/config/menus/index.js';
import { ValueError } from '../../src/config/types.js';

function model(lines: [string, Record<string, string>][]): ConfigModel {
  const m = new ConfigModel();
  for (const [path, values] of lines) {
    const r = m.add(path, values);
    if (typeof r !== 'number') throw new Error(`${path}: ${r.message}`);
  }
  return m;
}

t.test('routes= is "dst [gateway] [distance]", comma separated', async (t) => {
  t.same(parsePppRoutes(''), []);
  t.same(parsePppRoutes('10.150.1.0/24 10.0.103.2 1'), [{ dst: '10.150.1.0/24', gateway: '10.0.103.2', distance: 1 }]);
  t.same(parsePppRoutes('10.1.0.0/16, 10.9.9.9 10.0.0.1 5'), [
    { dst: '10.1.0.0/16', gateway: undefined, distance: 1 },
    { dst: '10.9.9.9/32', gateway: '10.0.0.1', distance: 5 },
  ]);
});

t.test('use-encryption: default lets MPPE be negotiated, no and required as written', async (t) => {
  t.equal(encryptionOf('default'), 'yes');
  t.equal(encryptionOf('yes'), 'yes');
  t.equal(encryptionOf('no'), 'no');
  t.equal(encryptionOf('required'), 'required');
});

t.test('the secret wins over the profile; the profile fills what the secret leaves empty', async (t) => {
  const m = model([
    ['/ppp profile', { name: 'office', 'local-address': '10.0.0.1', 'remote-address': '10.0.0.9', 'dns-server': '10.0.0.53', 'use-encryption': 'required', 'only-one': 'yes' }],
    ['/ppp secret', { name: 'ex', password: 'lkjrht', profile: 'office', 'remote-address': '10.0.0.2', routes: '10.150.1.0/24 10.0.0.2 1' }],
  ]);
  const plan = planUser(m, new AddressPools(), secretOf(m, 'ex')!, 'default');
  if (typeof plan === 'string') throw new Error(plan);
  t.same(plan.network, { localAddress: '10.0.0.1', remoteAddress: '10.0.0.2', dnsServers: ['10.0.0.53'], useEncryption: 'required', mppeKeyLengths: [128] });
  t.same(plan.routes, [{ dst: '10.150.1.0/24', gateway: '10.0.0.2', distance: 1 }]);
  t.equal(plan.onlyOne, true);
});

t.test('a pool hands out its lowest free address and takes it back', async (t) => {
  const m = model([
    ['/ip pool', { name: 'vpn', ranges: '10.0.0.200-10.0.0.201' }],
    ['/ppp profile', { name: 'pooled', 'local-address': '10.0.0.1', 'remote-address': 'vpn' }],
    ['/ppp secret', { name: 'a', profile: 'pooled' }],
  ]);
  const pools = new AddressPools();
  const secret = secretOf(m, 'a')!;
  const first = planUser(m, pools, secret, 'default');
  const second = planUser(m, pools, secret, 'default');
  const third = planUser(m, pools, secret, 'default');
  if (typeof first === 'string' || typeof second === 'string') throw new Error('pool refused');
  t.equal(first.network.remoteAddress, '10.0.0.200');
  t.equal(second.network.remoteAddress, '10.0.0.201');
  t.equal(third, 'pool vpn has no free address', 'an exhausted pool refuses with a reason');
  first.release();
  const again = planUser(m, pools, secret, 'default');
  t.equal(typeof again !== 'string' && again.network.remoteAddress, '10.0.0.200', 'a released address is handed out again');
});

t.test("the server's default-profile applies when the secret names none", async (t) => {
  const m = model([['/ppp profile', { name: 'enc', 'use-encryption': 'required', 'local-address': '10.0.0.1', 'remote-address': '10.0.0.2' }], ['/ppp secret', { name: 'b' }]]);
  const secret = { ...secretOf(m, 'b')!, profile: '' };
  const plan = planUser(m, new AddressPools(), secret, 'enc');
  t.equal(typeof plan !== 'string' && plan.network.useEncryption, 'required');
});

t.test('change-tcp-mss and session-timeout: a profile\'s "default" follows the default profile', async (t) => {
  const m = model([
    ['/ppp profile', { name: 'plain' }],
    ['/ppp profile', { name: 'short', 'change-tcp-mss': 'no', 'session-timeout': '3600' }],
  ]);
  const of = (name: string) => linkProfileOf(m, profileOf(m, name));
  const id = (name: string) => m.list(pppProfile).find((p) => p.name === name)!.id;
  t.same(of('default'), { changeTcpMss: true, sessionTimeout: 0, idleTimeout: 0 }, 'the default profile clamps, no timeout');
  t.same(of('plain'), { changeTcpMss: true, sessionTimeout: 0, idleTimeout: 0 }, '"default" takes the default profile\'s yes');
  t.same(of('short'), { changeTcpMss: false, sessionTimeout: 3600, idleTimeout: 0 }, 'as set; 3600 is one hour');
  t.equal(m.list(pppProfile).find((p) => p.name === 'short')!['session-timeout'], '1h', 'stored and printed RouterOS style');
  t.equal(m.set('/ppp profile', id('default'), { 'change-tcp-mss': 'no' }), undefined);
  t.same(of('plain'), { changeTcpMss: false, sessionTimeout: 0, idleTimeout: 0 }, 'and follows it when the default profile changes');
  t.type(m.set('/ppp profile', id('short'), { 'session-timeout': 'soon' }), ValueError, 'a bad time is refused');
  t.equal(m.list(pppProfile).find((p) => p.name === 'short')!['session-timeout'], '1h', 'and changes nothing');
});

t.test('a user with no address for one end is refused with a reason, and a pool address it took is given back', async (t) => {
  const m = model([
    ['/ip pool', { name: 'vpn', ranges: '10.0.0.200-10.0.0.200' }],
    ['/ppp profile', { name: 'half', 'remote-address': 'vpn' }],
    ['/ppp secret', { name: 'none' }],
    ['/ppp secret', { name: 'nolocal', profile: 'half' }],
    ['/ppp secret', { name: 'noremote', 'local-address': '10.0.0.1' }],
  ]);
  const pools = new AddressPools();
  t.equal(planUser(m, pools, secretOf(m, 'none')!, 'default'), 'no local-address for user none: set it on the secret or its profile default (an address or an /ip pool)');
  t.match(planUser(m, pools, secretOf(m, 'nolocal')!, 'default'), /^no local-address for user nolocal: .*profile half/);
  t.match(planUser(m, pools, secretOf(m, 'noremote')!, 'default'), /^no remote-address for user noremote/);
  const served = planUser(m, pools, { ...secretOf(m, 'nolocal')!, localAddress: '10.0.0.1' }, 'default');
  t.equal(typeof served !== 'string' && served.network.remoteAddress, '10.0.0.200', 'the refused user did not keep the pool\'s only address');
});

t.test('use-encryption=yes and required offer MPPE-128 only, as RouterOS', async (t) => {
  for (const enc of ['default', 'yes', 'required']) {
    const m = model([['/ppp profile', { name: 'p', 'use-encryption': enc, 'local-address': '10.0.0.1', 'remote-address': '10.0.0.2' }], ['/ppp secret', { name: 'u', profile: 'p' }]]);
    const plan = planUser(m, new AddressPools(), secretOf(m, 'u')!, 'default');
    t.same(typeof plan !== 'string' && plan.network.mppeKeyLengths, [128], `use-encryption=${enc}`);
  }
});
