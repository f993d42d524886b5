// Issue 12: an address and a route stay on their physical port when ports are renamed. routerd
// with two veth ports: an address and a route on ether1, then ether1 -> WAN and ether2 -> ether1.
// The kernel must still have them on the first port (and nothing on the second), and the console
// prints the new name.
import t from 'tap';
import { createNetns, link, startRouter } from '../lib/routers.js';
import { waitFor } from '../lib/netns.js';

t.test('renaming ports moves no address or route to another port', async (t) => {
  const [routerNs, peer] = [await createNetns(t, 'ren-r'), await createNetns(t, 'ren-p')];
  await link(routerNs, 'ether1', peer, 'p1');
  await link(routerNs, 'ether2', peer, 'p2');
  const { routerd: r } = await startRouter(t, routerNs, ['ether1', 'ether2']);

  const addrs = async (dev: string): Promise<string> => (await routerNs.exec(['ip', '-4', '-o', 'addr', 'show', 'dev', dev])).stdout;
  const routes = async (): Promise<string> => (await routerNs.exec(['ip', '-4', 'route', 'show'])).stdout;

  await r.configure('/ip address add address=198.18.30.1/24 interface=ether1');
  await r.configure('/ip route add dst-address=198.18.40.0/24 gateway=ether1');
  t.ok(await waitFor(async () => (await addrs('ether1')).includes('198.18.30.1/24'), 10_000), 'the address is on the first port');
  t.ok(await waitFor(async () => /198\.18\.40\.0\/24 dev ether1/.test(await routes()), 10_000), 'the route goes out of the first port');

  await r.configure('/interface ethernet set ether1 name=WAN');
  await r.configure('/interface ethernet set ether2 name=ether1');
  // Host changes run one after another, so once this one shows, the renames were applied too.
  await r.configure('/ip address add address=198.18.31.1/24 interface=ether1');
  t.ok(await waitFor(async () => (await addrs('ether2')).includes('198.18.31.1/24'), 10_000), 'the name ether1 now means the second port');

  t.match(await addrs('ether1'), /198\.18\.30\.1\/24/, 'the first address is still on the first port');
  t.notMatch(await addrs('ether2'), /198\.18\.30\.1/, 'and not on the port now named ether1');
  t.match(await routes(), /198\.18\.40\.0\/24 dev ether1/, 'the route still leaves by the first port');
  t.notMatch(await routes(), /198\.18\.40\.0\/24 dev ether2/);

  const printed = await r.command('/ip address print');
  t.match(printed, /198\.18\.30\.1\/24 +WAN/, `print shows the new name\n${printed}`);
  t.match(printed, /198\.18\.31\.1\/24 +ether1/);
  t.match(await r.command('/ip address print detail'), /address=198\.18\.30\.1\/24 interface=WAN/);
  t.match(await r.command('/ip route print'), /198\.18\.40\.0\/24 +WAN/);
  t.equal(await r.command('/ip address add address=198.18.32.1/24 interface=nosuch'), 'input does not match any value of interface\n');

  // Issue 12 §2: disabling a port takes its link down, enabling brings it back.
  const state = async (dev: string): Promise<string> => (await routerNs.exec(['ip', '-o', 'link', 'show', 'dev', dev])).stdout;
  await r.configure('/interface ethernet disable WAN');
  t.ok(await waitFor(async () => !/[<,]UP[,>]/.test(await state('ether1')), 10_000), 'a disabled port is down in the kernel');
  t.match(await r.command('/interface ethernet print'), / X +WAN/, 'and flagged X');
  await r.configure('/interface ethernet enable WAN');
  t.ok(await waitFor(async () => /[<,]UP[,>]/.test(await state('ether1')), 10_000), 'enabled, it is up again');
});
