// /interface bridge and /interface bridge port typed at the console become a Linux bridge on the
// host with its ports enslaved; admin-mac, mtu, disabling and removing follow.
import t from 'tap';
import { createNetns, lanHost, startRouter } from '../lib/routers.js';
import { waitFor, type Netns } from '../lib/netns.js';

async function linkInfo(ns: Netns, dev: string): Promise<{ master?: string; address?: string; mtu?: number; kind?: string } | undefined> {
  const r = await ns.exec(['ip', '-json', '-details', 'link', 'show', 'dev', dev]);
  if (r.code !== 0) return undefined;
  const [j] = JSON.parse(r.stdout) as { master?: string; address?: string; mtu?: number; linkinfo?: { info_kind?: string } }[];
  return j && { master: j.master, address: j.address, mtu: j.mtu, kind: j.linkinfo?.info_kind };
}

t.test('a bridge and its port typed at the console are a Linux bridge on the host', async (t) => {
  const ns = await createNetns(t, 'br');
  await lanHost(t, ns, 'ether2', '192.168.88.10/24', '192.168.88.1');
  const { routerd } = await startRouter(t, ns, ['ether2']);
  await routerd.configure('/interface bridge add name=br-lan auto-mac=no admin-mac=02:00:00:00:0B:01 mtu=1400');
  await routerd.configure('/interface bridge port add interface=ether2 bridge=br-lan');
  await routerd.configure('/ip address add address=192.168.88.1/24 interface=br-lan');
  t.ok(await waitFor(async () => (await linkInfo(ns, 'ether2'))?.master === 'br-lan', 10_000, 100), 'ether2 is a port of br-lan');
  const br = await linkInfo(ns, 'br-lan');
  t.equal(br?.kind, 'bridge', 'br-lan is a Linux bridge');
  t.equal(br?.address, '02:00:00:00:0b:01', 'with the admin-mac');
  t.equal(br?.mtu, 1400, 'and the mtu');
  t.ok(await waitFor(async () => (await ns.exec(['ping', '-c', '1', '-W', '1', '192.168.88.10'])).code === 0, 10_000, 200), 'the address on the bridge reaches the LAN host through the port');
  t.match(await routerd.command('/interface print'), /br-lan\s+bridge\s+1400/, '/interface print lists the bridge');
  t.match(await routerd.command('/interface bridge port add interface=ether2 bridge=ether2'), /input does not match any value of bridge/, 'bridge= must name a bridge');
  t.match(await routerd.command('/ppp profile add name=p bridge=nope'), /input does not match any value of bridge/, 'a profile names an existing bridge');
  t.match(await routerd.command('/interface bridge remove br-lan'), /failure: .*is used by/, 'a bridge with ports cannot be removed');

  await routerd.configure('/interface bridge port disable 0');
  t.ok(await waitFor(async () => (await linkInfo(ns, 'ether2'))?.master === undefined, 10_000, 100), 'a disabled port leaves the bridge');
  await routerd.configure('/interface bridge port enable 0');
  t.ok(await waitFor(async () => (await linkInfo(ns, 'ether2'))?.master === 'br-lan', 10_000, 100), 'and joins it again');
  await routerd.configure('/interface bridge set br-lan admin-mac=02:00:00:00:0B:02');
  t.ok(await waitFor(async () => (await linkInfo(ns, 'br-lan'))?.address === '02:00:00:00:0b:02' && (await linkInfo(ns, 'ether2'))?.master === 'br-lan', 10_000, 100), 'a new admin-mac applies and the port follows');
  await routerd.configure('/interface bridge disable br-lan');
  t.ok(await waitFor(async () => (await linkInfo(ns, 'br-lan')) === undefined, 10_000, 100), 'a disabled bridge is gone from the host');
  await routerd.configure('/interface bridge enable br-lan');
  t.ok(await waitFor(async () => (await linkInfo(ns, 'ether2'))?.master === 'br-lan', 10_000, 100), 'enabled again, with its port');
});
