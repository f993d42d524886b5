import t from 'tap';
import { createNetns, uniqueName } from '../lib/netns.js';
import { Host } from '../../src/system/host.js';

t.test('links, point-to-point addresses, routes with distance, proxy-arp and forwarding inside a namespace', async (t) => {
  const ns = await createNetns(t, 'sys');
  const host = new Host(ns.name);
  const dev = uniqueName('dm');

  // veth rather than dummy: the dummy driver is not in every kernel (it is not in this machine's).
  t.ok((await host.createLink(dev, 'veth', ['peer', 'name', `${dev}p`])).ok, 'veth link created');
  t.ok((await host.setLinkUp(`${dev}p`, true)).ok);
  t.ok((await host.setLinkMtu(dev, 1400)).ok);
  t.ok((await host.setLinkUp(dev, true)).ok);
  const link = await host.getLink(dev);
  t.ok(link.ok && link.value !== undefined && link.value.mtu === 1400 && link.value.up && link.value.kind === 'veth', 'link read back with ip -json');

  t.ok((await host.addAddress({ device: dev, local: '10.9.0.1', prefixLength: 32, peer: '10.9.0.2' })).ok, 'p2p address added');
  t.ok((await host.addAddress({ device: dev, local: '192.168.77.1', prefixLength: 24 })).ok);
  const addrs = await host.listAddresses(dev);
  t.same(addrs.ok && addrs.value.map((a) => [a.local, a.prefixLength, a.peer ?? null]).sort(), [
    ['10.9.0.1', 32, '10.9.0.2'],
    ['192.168.77.1', 24, null],
  ]);

  t.ok((await host.addRoute({ dst: '10.50.0.0/16', gateway: '192.168.77.254', distance: 5 })).ok, 'route via gateway');
  t.ok((await host.addRoute({ dst: '10.60.0.0/16', device: dev })).ok, 'route via device');
  const routes = await host.listRoutes();
  t.ok(routes.ok);
  if (routes.ok) {
    t.match(routes.value.find((r) => r.dst === '10.50.0.0/16'), { gateway: '192.168.77.254', distance: 5, device: dev });
    t.match(routes.value.find((r) => r.dst === '10.60.0.0/16'), { device: dev });
    t.match(routes.value.find((r) => r.dst === '10.9.0.2/32'), { device: dev }, 'the peer address is routed through the device');
  }
  t.ok((await host.removeRoute({ dst: '10.50.0.0/16', gateway: '192.168.77.254', distance: 5 })).ok);
  const after = await host.listRoutes();
  t.notOk(after.ok && after.value.some((r) => r.dst === '10.50.0.0/16'), 'route removed');

  t.ok((await host.setProxyArp(dev, true)).ok);
  t.same(await host.readSysctl(['net', 'ipv4', 'conf', dev, 'proxy_arp']), { ok: true, value: '1' });
  t.ok((await host.setIpForwarding(true)).ok);
  t.same(await host.readSysctl('net.ipv4.ip_forward'), { ok: true, value: '1' });

  t.ok((await host.removeAddress({ device: dev, local: '10.9.0.1', prefixLength: 32, peer: '10.9.0.2' })).ok);
  t.ok((await host.deleteLink(dev)).ok);
  const gone = await host.getLink(dev);
  t.same(gone, { ok: true, value: undefined }, 'deleted link is gone');
});

t.test('a failing command comes back as a typed error with iproute2 stderr', async (t) => {
  const ns = await createNetns(t, 'sys');
  const host = new Host(ns.name);
  const r = await host.setLinkUp('nosuchdev0', true);
  t.equal(r.ok, false);
  if (!r.ok) {
    t.equal(r.error.kind, 'SystemError');
    t.not(r.error.code, 0);
    t.match(r.error.stderr, /nosuchdev0|Cannot find device/);
    t.same(r.error.argv.slice(-5), ['link', 'set', 'dev', 'nosuchdev0', 'up']);
  }
  const route = await host.addRoute({ dst: '10.1.0.0/16' });
  t.equal(route.ok, false, 'a route without gateway or device is refused');
});

t.test('interfaces named like iproute2 keywords (help, mtu) can be created, set, renamed and deleted', async (t) => {
  const ns = await createNetns(t, 'sys');
  const host = new Host(ns.name);
  // Without `dev`/`name` before them, `ip link set help up` prints usage and `ip link set mtu up`
  // fails to parse: both names are iproute2 keywords.
  t.ok((await host.createLink('help', 'veth', ['peer', 'name', 'mtu'])).ok, 'veth pair help/mtu created');
  for (const name of ['help', 'mtu']) {
    t.ok((await host.setLinkMtu(name, 1400)).ok, `mtu of ${name} set`);
    t.ok((await host.setLinkUp(name, true)).ok, `${name} set up`);
    const link = await host.getLink(name);
    t.ok(link.ok && link.value?.mtu === 1400 && link.value.up, `${name} reads back up with mtu 1400`);
  }
  t.ok((await host.setLinkUp('help', false)).ok);
  t.ok((await host.renameLink('help', 'name')).ok, 'help renamed to name');
  t.same(await host.getLink('help'), { ok: true, value: undefined });
  t.ok((await host.deleteLink('name')).ok, 'deleted by its keyword-like name');
  t.same(await host.getLink('mtu'), { ok: true, value: undefined }, 'its peer went with it');
});
