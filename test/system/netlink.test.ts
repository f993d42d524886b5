// The rtnetlink binding (native/src/net/netlink.cc) in a namespace of the test: what it sets is
// read back with iproute2's own `ip -json`, what iproute2 sets is read back through it, and
// arguments of the wrong type or shape are refused before anything reaches the kernel.
import t from 'tap';
import { createNetns, uniqueName } from '../lib/netns.js';
import { Host } from '../../src/system/host.js';
import { netlinkAvailable, openNetlink } from '../../src/system/netlink.js';

interface IpLink {
  ifname: string;
  mtu: number;
  flags: string[];
}
interface IpAddr {
  ifname: string;
  addr_info: { family: string; local: string; prefixlen: number; address?: string }[];
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev: string;
  metric?: number;
}

t.test('links, addresses and routes set over netlink read back with ip -json', async (t) => {
  t.ok(netlinkAvailable(), 'the addon has the netlink module');
  const ns = await createNetns(t, 'nl');
  const host = new Host(ns.name);
  const dev = uniqueName('nl');
  await ns.run(['ip', 'link', 'add', 'name', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
  const json = async <T>(args: string[]): Promise<T> => JSON.parse((await ns.run(['ip', '-json', ...args])).stdout) as T;

  t.ok((await host.setLinkMtu(dev, 1400)).ok, 'mtu');
  t.ok((await host.setLinkUp(dev, true)).ok, 'up');
  t.ok((await host.setLinkUp(`${dev}p`, true)).ok, 'peer up');
  let [link] = await json<IpLink[]>(['link', 'show', 'dev', dev]);
  t.equal(link!.mtu, 1400, 'ip sees the mtu');
  t.ok(link!.flags.includes('UP'), 'ip sees it up');

  t.ok((await host.addAddress({ device: dev, local: '10.77.0.1', prefixLength: 32, peer: '10.77.0.2' })).ok, 'p2p address');
  t.ok((await host.addAddress({ device: dev, local: '192.168.78.1', prefixLength: 24 })).ok, 'subnet address');
  const [addrs] = await json<IpAddr[]>(['-4', 'address', 'show', 'dev', dev]);
  t.same(
    addrs!.addr_info.map((a) => [a.local, a.prefixlen, a.address ?? null]).sort(),
    [
      ['10.77.0.1', 32, '10.77.0.2'],
      ['192.168.78.1', 24, null],
    ],
    'ip sees both addresses, the peer on the first',
  );
  const dup = await host.addAddress({ device: dev, local: '192.168.78.1', prefixLength: 24 });
  t.equal(dup.ok, false, 'the same address twice is refused');
  if (!dup.ok) t.match(dup.error.stderr, /exists/i);

  t.ok((await host.addRoute({ dst: '10.51.0.0/16', gateway: '192.168.78.254', distance: 7 })).ok, 'route via gateway');
  t.ok((await host.replaceRoute({ dst: '10.61.0.0/16', device: dev })).ok, 'route via device (replace)');
  t.ok((await host.replaceRoute({ dst: '10.61.0.0/16', device: dev })).ok, 'replace is idempotent');
  t.ok((await host.addRoute({ dst: 'default', gateway: '192.168.78.254' })).ok, 'default route');
  const routes = await json<IpRoute[]>(['-4', 'route', 'show', 'table', 'main']);
  t.match(routes.find((r) => r.dst === '10.51.0.0/16'), { gateway: '192.168.78.254', dev, metric: 7 }, 'ip sees the gateway route and its metric');
  t.match(routes.find((r) => r.dst === '10.61.0.0/16'), { dev }, 'ip sees the device route');
  t.match(routes.find((r) => r.dst === 'default'), { gateway: '192.168.78.254' }, 'ip sees the default route');

  // And the other way: what ip put there, read through netlink.
  await ns.run(['ip', 'route', 'add', '10.71.0.0/24', 'dev', dev, 'metric', '9']);
  const listed = await host.listRoutes();
  t.ok(listed.ok && listed.value.some((r) => r.dst === '10.71.0.0/24' && r.device === dev && r.distance === 9), 'a route ip added is listed');
  t.ok(listed.ok && listed.value.some((r) => r.dst === '0.0.0.0/0'), 'the default route is listed as 0.0.0.0/0');
  const got = await host.getLink(dev);
  t.ok(got.ok && got.value?.kind === 'veth' && got.value.mtu === 1400 && got.value.up, 'link listed with kind, mtu, up');

  t.ok((await host.removeRoute({ dst: '10.51.0.0/16', gateway: '192.168.78.254', distance: 7 })).ok, 'route removed');
  t.notOk((await json<IpRoute[]>(['-4', 'route'])).some((r) => r.dst === '10.51.0.0/16'), 'ip no longer sees it');
  t.ok((await host.removeAddress({ device: dev, local: '10.77.0.1', prefixLength: 32, peer: '10.77.0.2' })).ok, 'address removed');

  t.ok((await host.setLinkUp(dev, false)).ok);
  t.ok((await host.renameLink(dev, `${dev}r`)).ok, 'renamed while down');
  [link] = await json<IpLink[]>(['link', 'show', 'dev', `${dev}r`]);
  t.equal(link!.mtu, 1400, 'ip finds it under the new name');
  t.ok((await host.deleteLink(`${dev}r`)).ok, 'deleted');
  const after = await ns.exec(['ip', 'link', 'show', 'dev', `${dev}r`]);
  t.not(after.code, 0, 'ip no longer finds it');
});

t.test('the binding refuses bad arguments with one clear error and changes nothing', async (t) => {
  const ns = await createNetns(t, 'nl');
  const dev = uniqueName('nb');
  await ns.run(['ip', 'link', 'add', 'name', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
  const nl = openNetlink(ns.name);
  t.teardown(() => nl.close());
  const bad: [string, () => unknown, RegExp][] = [
    ['name not a string', () => nl.setLink(7 as unknown as string, { up: true }), /interface name/],
    ['name too long', () => nl.setLink('a'.repeat(16), { up: true }), /not a valid interface name/],
    ['name with a slash', () => nl.deleteLink('a/b'), /not a valid interface name/],
    ['empty name', () => nl.deleteLink(''), /not a valid interface name/],
    ['changes not an object', () => nl.setLink(dev, 'up' as unknown as { up: boolean }), /must be an object/],
    ['up not a boolean', () => nl.setLink(dev, { up: 1 as unknown as boolean }), /boolean/],
    ['mtu too large', () => nl.setLink(dev, { mtu: 70000 }), /mtu must be an integer/],
    ['mtu fractional', () => nl.setLink(dev, { mtu: 1400.5 }), /mtu must be an integer/],
    ['mtu a string', () => nl.setLink(dev, { mtu: '1400' as unknown as number }), /mtu must be a number/],
    ['address op unknown', () => nl.address('replace' as 'add', dev, '10.0.0.1', 24), /op must be/],
    ['local not IPv4', () => nl.address('add', dev, '10.0.0.256', 24), /not an IPv4 address/],
    ['prefix 33', () => nl.address('add', dev, '10.0.0.1', 33), /prefixLength/],
    ['peer not IPv4', () => nl.address('add', dev, '10.0.0.1', 32, 'peer'), /not an IPv4 address/],
    ['route without target', () => nl.route('add', '10.1.0.0', 16, {}), /gateway or a device/],
    ['route host bits', () => nl.route('add', '10.1.2.0', 16, { device: dev }), /host bits/],
    ['route metric negative', () => nl.route('add', '10.1.0.0', 16, { device: dev, metric: -1 }), /metric/],
    ['route target not an object', () => nl.route('add', '10.1.0.0', 16, undefined as unknown as object), /fourth argument/],
    ['gateway a number', () => nl.route('add', '10.1.0.0', 16, { gateway: 5 as unknown as string }), /gateway must be an IPv4 address/],
  ];
  for (const [what, fn, message] of bad) t.throws(fn, { name: 'TypeError', message }, what);
  t.throws(() => openNetlink('no-such-namespace-here'), /cannot enter network namespace/, 'an unknown namespace is an error');

  const [link] = JSON.parse((await ns.run(['ip', '-json', 'link', 'show', 'dev', dev])).stdout) as IpLink[];
  t.notOk(link!.flags.includes('UP'), 'the link was not brought up');
  t.not(link!.mtu, 70000);
  const addrs = JSON.parse((await ns.run(['ip', '-json', '-4', 'address', 'show', 'dev', dev])).stdout) as IpAddr[];
  t.same(addrs[0]?.addr_info ?? [], [], 'no address was added');
  t.equal(nl.setLink('nosuch0', { up: true }), 'No such device: Cannot find device "nosuch0"', 'a missing device is the kernel\'s answer, as text');

  // A Host turns a refusal into a failed result, never a throw.
  const host = new Host(ns.name);
  const r = await host.setLinkMtu(dev, 70000);
  t.equal(r.ok, false);
  if (!r.ok) t.match(r.error.stderr, /mtu must be an integer/);
  nl.close();
  t.throws(() => nl.links(), /closed/, 'a closed socket says so');
});
