// Host configuration of addresses on a tunnel interface that is renamed while it is up: the
// address follows the interface row (by id) and stays on the tunnel's kernel link; a tunnel that
// comes up under the old name afterwards gets nothing. The tunnels' links are persistent TUN
// devices in a namespace of the test, driven through HostConfig as the router drives it.
import t from 'tap';
import { ConfigModel } from '../../src/config/model.js';
import { silentLogger } from '../../src/log.js';
import { HostConfig } from '../../src/router/host-config.js';
import { Host } from '../../src/system/host.js';
import { createNetns } from '../lib/netns.js';

t.test('an address on a static tunnel entry follows a rename of the entry', async (t) => {
  const ns = await createNetns(t, 'tun-ren');
  for (const dev of ['tun-a', 'tun-b']) {
    await ns.run(['ip', 'tuntap', 'add', 'dev', dev, 'mode', 'tun']);
    await ns.run(['ip', 'link', 'set', dev, 'up']);
  }
  const addrs = async (dev: string): Promise<string> => (await ns.exec(['ip', '-4', '-o', 'addr', 'show', 'dev', dev])).stdout;

  const model = new ConfigModel();
  t.type(model.add('/interface pptp-server', { name: 'office', user: 'ex' }), 'number');
  t.type(model.add('/ip address', { address: '198.18.50.1/24', interface: 'office' }), 'number');
  const hc = new HostConfig(model, new Host(ns.name), silentLogger);
  t.teardown(() => hc.clear());

  await hc.reconcile();
  t.notMatch(await addrs('tun-a'), /198\.18\.50\.1/, 'inactive while the tunnel is down');
  await hc.tunnelUp('office', 'tun-a');
  t.match(await addrs('tun-a'), /198\.18\.50\.1\/24/, 'on the tunnel once it is up');

  const id = model.rows('/interface pptp-server')[0]!.id;
  t.notOk(model.set('/interface pptp-server', id, { name: 'branch' }));
  await hc.reconcile();
  t.match(await addrs('tun-a'), /198\.18\.50\.1\/24/, 'still on the tunnel after the entry was renamed');

  // A new entry under the old name, and its tunnel: not the interface the address was given to.
  t.type(model.add('/interface pptp-server', { name: 'office', user: 'john' }), 'number');
  await hc.tunnelUp('office', 'tun-b');
  t.notMatch(await addrs('tun-b'), /198\.18\.50\.1/, 'nothing moves to a tunnel that took the old name');
  t.match(await addrs('tun-a'), /198\.18\.50\.1\/24/);

  await hc.tunnelDown('tun-a');
  t.notMatch(await addrs('tun-b'), /198\.18\.50\.1/, 'nor when the first tunnel goes down');
  await hc.tunnelUp('branch', 'tun-a');
  t.match(await addrs('tun-a'), /198\.18\.50\.1\/24/, 'back on the tunnel when the renamed entry comes up again');
});
