// `/interface disable|enable` in the general menu changes the `disabled` of the menu the
// interface lives in (ethernet, pptp-client, pptp-server binding); dynamic tunnels and unknown
// names are one line that changes nothing. The tunnel really going down is
// test/netns/interface-disable.test.ts.
import t from 'tap';
import type { InterfaceStats } from '../../src/config/runtime.js';
import { makeRouter, twoPortRouter } from './harness.js';

function stats(name: string, type: string, dynamic = false): InterfaceStats {
  return { name, type, running: false, dynamic, disabled: false, rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0 };
}

t.test('/interface disable and enable reach every kind of interface', async (t) => {
  const r = await twoPortRouter([
    '/interface pptp-client add name=out1 connect-to=198.18.0.1 user=u password=p',
    '/interface pptp-server add name=in-john user=john',
  ]);
  // What the router's runtime lists (src/router/index.ts interfaces()), a dynamic server tunnel too.
  r.runtime.stats = [stats('ether1', 'ether'), stats('ether2', 'ether'), stats('in-john', 'pptp-in'), stats('<pptp-ann>', 'pptp-in', true), stats('out1', 'pptp-out')];
  const disabled = (path: string, name: string) => r.model.rows(path).find((row) => row.values.name === name)?.values.disabled;

  t.equal(await r.type('/interface enable out1'), '', 'a client is added disabled');
  t.equal(disabled('/interface pptp-client', 'out1'), false);
  t.equal(await r.type('/interface disable out1,in-john'), '');
  t.equal(disabled('/interface pptp-client', 'out1'), true, 'the client row is disabled');
  t.equal(disabled('/interface pptp-server', 'in-john'), true, 'the binding is disabled');
  t.match(await r.type('/interface pptp-server export'), /add name=in-john user=john disabled=yes/, 'and exported so');
  t.equal(await r.type('/interface enable in-john'), '');
  t.equal(disabled('/interface pptp-server', 'in-john'), false);

  await r.type('/interface print');
  t.equal(await r.type('/interface disable 1'), '', 'numbers of the last print');
  t.equal(disabled('/interface ethernet', 'ether2'), true, 'item 1 is ether2');
  t.equal(await r.type('/interface enable 1'), '');

  t.equal(await r.type('/interface disable "<pptp-ann>"'), 'failure: can not change dynamic entry\n');
  t.equal(await r.type('/interface disable ether1,nosuch'), 'no such item\n');
  t.equal(disabled('/interface ethernet', 'ether1'), false, 'one bad item: nothing changed');
  t.equal(await r.type('/interface disable'), 'failure: no item given\n');
  t.equal(await r.type('/interface disable ether1 mtu=1400'), 'expected end of command (unknown parameter mtu)\n');
  t.equal(await r.type(':foreach i in=[/interface find where type=pptp-out] do={/interface disable [/interface get $i name]}'), '', 'from a script');
  t.equal(disabled('/interface pptp-client', 'out1'), true);
});

t.test('a read-only user cannot', async (t) => {
  const admin = makeRouter();
  await admin.type('/interface pptp-client add name=out1 connect-to=198.18.0.1 user=u password=p');
  await admin.type('/user add name=reader group=read password=pw-reader');
  admin.runtime.stats = [stats('out1', 'pptp-out')];
  const reader = makeRouter('MikroTik', { user: 'reader', model: admin.model, runtime: admin.runtime });
  t.equal(await reader.type('/interface disable out1'), 'not enough permissions (9)\n');
  t.equal(admin.model.rows('/interface pptp-client')[0]!.values.disabled, true, 'still as added (clients start disabled)');
  t.equal(await admin.type('/interface enable out1'), '');
  t.equal(await reader.type('/interface disable out1'), 'not enough permissions (9)\n');
  t.equal(admin.model.rows('/interface pptp-client')[0]!.values.disabled, false);
});
