// The host view (src/system/netlink-view.ts): one dump, then the kernel's link and address
// notifications. After every kind of change a router makes or meets (iproute2 adding, renaming
// and deleting links, TUN devices, addresses with and without a peer, a bridge port leaving its
// bridge) what it reads equals a fresh dump, without dumping again; when notifications are lost
// it dumps again. Also the changes made on libuv's thread pool (setLinkAsync, addressAsync).
import t, { type Test } from 'tap';
import { createNetns, uniqueName, type Netns } from '../lib/netns.js';
import { openNetlink, type NetlinkSocket } from '../../src/system/netlink.js';
import { NetlinkView } from '../../src/system/netlink-view.js';

const IFF_UP = 1;

function linksOf(list: { ifindex: number; name: string; mtu: number; flags: number }[]): string[] {
  return list.map((l) => `${l.ifindex} ${l.name} mtu ${l.mtu} ${l.flags & IFF_UP ? 'up' : 'down'}`).sort();
}
function addressesOf(list: { ifindex: number; local: string; prefixLength: number; peer?: string }[]): string[] {
  return list.map((a) => `${a.ifindex} ${a.local}/${a.prefixLength} peer ${a.peer ?? '-'}`).sort();
}

async function withView(t: Test, ns: Netns, receiveBufferBytes?: number): Promise<{ view: NetlinkView; dump: NetlinkSocket }> {
  const view = new NetlinkView(openNetlink(ns.name), receiveBufferBytes);
  const dump = openNetlink(ns.name);
  // Sockets hold the namespace: closed before it is deleted (teardowns run last-in first-out).
  t.teardown(() => {
    view.close();
    dump.close();
  });
  return { view, dump };
}

function same(t: Test, view: NetlinkView, dump: NetlinkSocket, what: string): void {
  t.same(linksOf(view.links()), linksOf(dump.links()), `${what}: the links match a dump`);
  t.same(addressesOf(view.addresses()), addressesOf(dump.addresses()), `${what}: the addresses match a dump`);
}

t.test('the view follows links and addresses changed by ip, with one dump', async (t) => {
  const ns = await createNetns(t, 'nlv');
  const { view, dump } = await withView(t, ns);
  same(t, view, dump, 'at first');
  const a = uniqueName('va');
  await ns.run(['ip', 'link', 'add', 'name', a, 'type', 'veth', 'peer', 'name', `${a}p`]);
  same(t, view, dump, 'a veth pair added');
  await ns.run(['ip', 'link', 'set', 'dev', a, 'mtu', '1400', 'up']);
  same(t, view, dump, 'mtu and up');
  await ns.run(['ip', 'address', 'add', '192.168.91.1/24', 'dev', a]);
  await ns.run(['ip', 'address', 'add', '10.91.0.1', 'peer', '10.91.0.2/32', 'dev', a]);
  same(t, view, dump, 'two addresses added');
  t.ok(view.addresses().some((x) => x.local === '10.91.0.1' && x.peer === '10.91.0.2'), 'the point-to-point address has its peer');
  await ns.run(['ip', 'address', 'del', '192.168.91.1/24', 'dev', a]);
  same(t, view, dump, 'an address removed');
  t.notOk(view.addresses().some((x) => x.local === '192.168.91.1'), 'the removed address is gone from the view');

  const renamed = uniqueName('vr');
  await ns.run(['ip', 'link', 'set', 'dev', a, 'down']);
  await ns.run(['ip', 'link', 'set', 'dev', a, 'name', renamed]);
  same(t, view, dump, 'a link renamed');
  const index = view.links().find((l) => l.name === renamed)?.ifindex;
  t.ok(index !== undefined && view.linkName(index) === renamed, 'linkName gives the new name');

  const tun = uniqueName('vt');
  await ns.run(['ip', 'tuntap', 'add', 'dev', tun, 'mode', 'tun']);
  await ns.run(['ip', 'address', 'add', '10.92.0.1', 'peer', '10.92.0.2/32', 'dev', tun]);
  same(t, view, dump, 'a TUN device with an address');
  await ns.run(['ip', 'link', 'del', 'dev', tun]);
  same(t, view, dump, 'the TUN device deleted');
  t.notOk(view.addresses().some((x) => x.local === '10.92.0.1'), 'its address went with it');

  await ns.run(['ip', 'link', 'del', 'dev', renamed]);
  same(t, view, dump, 'the veth pair deleted');
  t.equal(view.dumps, 1, 'all of it from one dump');
});

t.test('a port leaving its bridge stays in the view', async (t) => {
  const ns = await createNetns(t, 'nlb');
  const { view, dump } = await withView(t, ns);
  const br = uniqueName('vb');
  const port = uniqueName('vp');
  const made = await ns.exec(['ip', 'link', 'add', 'name', br, 'type', 'bridge']);
  if (made.code !== 0) {
    t.skip(`this kernel makes no bridge: ${made.stderr.trim()}`);
    return;
  }
  await ns.run(['ip', 'link', 'add', 'name', port, 'type', 'veth', 'peer', 'name', `${port}p`]);
  await ns.run(['ip', 'link', 'set', 'dev', port, 'master', br]);
  view.links();
  await ns.run(['ip', 'link', 'set', 'dev', port, 'nomaster']);
  t.ok(view.links().some((l) => l.name === port), 'the port is still a link');
  same(t, view, dump, 'after nomaster');
});

t.test('lost notifications make the view dump again', async (t) => {
  const ns = await createNetns(t, 'nlo');
  const { view, dump } = await withView(t, ns, 4096);
  const dev = uniqueName('vo');
  await ns.run(['ip', 'link', 'add', 'name', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
  view.links();
  t.equal(view.dumps, 1, 'one dump so far');
  // Far more notifications than a 4 KiB queue holds, none read meanwhile.
  const batch = Array.from({ length: 200 }, (_, i) => `address add 10.93.${i >> 8}.${(i & 255) + 1}/32 dev ${dev}`).join('\n');
  await ns.run(['ip', '-batch', '-'], `${batch}\n`);
  same(t, view, dump, 'after the flood');
  t.equal(view.dumps, 2, 'the view dumped again');
  t.equal(view.addresses().filter((a) => a.local.startsWith('10.93.')).length, 200, 'every address is there');
});

t.test('setLinkAsync and addressAsync change the host off the event loop; errors come back as text, bad arguments throw', async (t) => {
  const ns = await createNetns(t, 'nla');
  const nl = openNetlink(ns.name);
  t.teardown(() => nl.close());
  const dev = uniqueName('vn');
  const to = uniqueName('vm');
  await ns.run(['ip', 'link', 'add', 'name', dev, 'type', 'veth', 'peer', 'name', `${dev}p`]);
  t.equal(await nl.setLinkAsync(dev, { name: to, mtu: 1300 }), null, 'renamed');
  const [link] = JSON.parse((await ns.run(['ip', '-json', 'link', 'show', 'dev', to])).stdout) as { mtu: number }[];
  t.equal(link!.mtu, 1300, 'ip sees the new name and the mtu');
  t.equal(await nl.setLinkAsync(to, { up: true }), null, 'set up');
  t.match(await nl.setLinkAsync('nosuchlink0', { name: 'x1' }), /No such device|Cannot find device/, 'a missing link is the kernel error');
  t.throws(() => nl.setLinkAsync('bad name', { name: 'x' }), TypeError, 'a bad name throws before anything is queued');
  t.throws(() => nl.setLinkAsync(to, { mtu: 5 }), TypeError, 'a bad mtu throws');

  t.equal(await nl.addressAsync('add', to, '10.94.0.1', 32, '10.94.0.2'), null, 'a point-to-point address added off the loop');
  t.equal(await nl.addressAsync('add', to, '192.168.94.1', 24), null, 'a subnet address added off the loop');
  const [addrs] = JSON.parse((await ns.run(['ip', '-json', '-4', 'address', 'show', 'dev', to])).stdout) as {
    addr_info: { local: string; prefixlen: number; address?: string; broadcast?: string }[];
  }[];
  t.same(
    addrs!.addr_info.map((a) => [a.local, a.prefixlen, a.address ?? null, a.broadcast ?? null]).sort(),
    [
      ['10.94.0.1', 32, '10.94.0.2', null],
      ['192.168.94.1', 24, null, '192.168.94.255'],
    ],
    'ip sees both, the peer on one and the broadcast address on the other',
  );
  t.match(await nl.addressAsync('add', to, '10.94.0.1', 32, '10.94.0.2'), /exists/i, 'the same address twice is the kernel error');
  t.equal(await nl.addressAsync('del', to, '10.94.0.1', 32, '10.94.0.2'), null, 'removed off the loop');
  t.throws(() => nl.addressAsync('add', to, '10.94.0.300', 32), TypeError, 'a bad address throws');
});
