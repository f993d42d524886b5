// Interface references at the console (issue 12): typed as names, printed and exported as the
// interface's current name after any rename, unknown names and removing a used interface refused
// with one line, and an export pasted into a fresh router gives the same references.
import t from 'tap';
import { makeRouter, type TestRouter } from './harness.js';

const ports = [
  { defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true },
  { defaultName: 'ether2', mac: '02:00:00:00:00:02', running: true },
];

async function router(): Promise<TestRouter> {
  const r = makeRouter();
  r.runtime.ports = ports;
  await r.type('/interface ethernet print');
  return r;
}

t.test('renames are followed by print, print detail, where, get and export', async (t) => {
  const r = await router();
  t.equal(await r.type('/ip address add address=198.18.1.1/24 interface=ether1'), '');
  t.equal(await r.type('/ip route add dst-address=198.18.2.0/24 gateway=ether1'), '');
  t.equal(await r.type('/interface ethernet set ether1 name=WAN'), '');
  t.equal(await r.type('/interface ethernet set ether2 name=ether1'), '');
  t.equal(await r.type('/ip address add address=198.18.3.1/24 interface=ether1'), '');

  const print = await r.type('/ip address print');
  t.match(print, /\n 0 +198\.18\.1\.1\/24 +WAN\n/, 'the first address is on WAN');
  t.match(print, /\n 1 +198\.18\.3\.1\/24 +ether1\n/, 'the second on the port now called ether1');
  t.match(await r.type('/ip address print detail'), /address=198\.18\.1\.1\/24 interface=WAN/);
  t.match(await r.type('/ip route print'), /198\.18\.2\.0\/24 +WAN/);
  t.match(await r.type('/ip address print where interface=WAN'), /198\.18\.1\.1\/24/);
  t.notMatch(await r.type('/ip address print where interface=WAN'), /198\.18\.3\.1/);
  t.equal(await r.type('/ip address get 0 interface'), 'WAN\n');
  const exported = await r.type('/ip address export');
  t.match(exported, /add address=198\.18\.1\.1\/24 interface=WAN\n/);
  t.match(exported, /add address=198\.18\.3\.1\/24 interface=ether1\n/);
  t.notMatch(exported, /\*[0-9A-F]/, 'no internal ids in the export');
});

t.test('an unknown interface is one line and changes nothing', async (t) => {
  const r = await router();
  t.equal(await r.type('/ip address add address=198.18.1.1/24 interface=nosuch'), 'input does not match any value of interface\n');
  t.equal(await r.type('/ip route add gateway=nosuch'), 'input does not match any value of gateway\n');
  t.equal(r.model.rows('/ip address').length + r.model.rows('/ip route').length, 0);
  t.equal(await r.type('/ip address add address=198.18.1.1/24 interface=ether1'), '');
  t.equal(await r.type('/ip address set 0 interface=nosuch'), 'input does not match any value of interface\n');
  t.match(await r.type('/ip address print'), /198\.18\.1\.1\/24 +ether1/, 'still on ether1');
});

t.test('an interface in use cannot be removed', async (t) => {
  const r = await router();
  t.equal(await r.type('/interface pptp-client add name=vpn connect-to=198.18.0.1 user=ex'), '');
  t.equal(await r.type('/interface pptp-server add name=office user=ex'), '');
  t.equal(await r.type('/ip route add dst-address=10.1.0.0/16 gateway=vpn'), '');
  t.equal(await r.type('/ip address add address=10.2.0.1/24 interface=office'), '');
  t.equal(await r.type('/interface pptp-client remove vpn'), 'failure: vpn is used by /ip route\n');
  t.equal(await r.type('/interface pptp-server remove office'), 'failure: office is used by /ip address\n');
  t.equal(r.model.rows('/interface pptp-client').length + r.model.rows('/interface pptp-server').length, 2, 'both still there');
  t.equal(await r.type('/ip route remove 0'), '');
  t.equal(await r.type('/interface pptp-client remove vpn'), '', 'free once nothing names it');
});

t.test('completion offers interface names', async (t) => {
  const r = await router();
  await r.type('/interface ethernet set ether1 name=WAN');
  await r.type('/ip address');
  t.same(r.shell.complete('add interface=')[0], ['interface=WAN', 'interface=ether2']);
  await r.type('/ip route');
  t.same(r.shell.complete('add gateway=W')[0], ['gateway=WAN']);
});

t.test('an export pasted into a fresh router gives the same references', async (t) => {
  const setup = [
    '/interface ethernet set ether1 name=WAN',
    '/interface ethernet set ether2 name=ether1',
    '/interface pptp-client add name=vpn connect-to=198.18.0.1 user=ex',
    '/interface pptp-server add name=office user=ex',
    '/ip address add address=198.18.1.1/24 interface=WAN',
    '/ip address add address=10.0.0.1/24 interface=ether1',
    '/ip address add address=10.9.0.1/24 interface=office',
    '/ip route add dst-address=10.1.0.0/16 gateway=vpn',
    '/ip route add gateway=198.18.1.254',
  ];
  const a = await router();
  for (const line of setup) t.equal(await a.type(line), '', line);
  const script = await a.type('/export');
  const b = await router();
  for (const line of script.split('\n')) t.equal(await b.type(line), '', `paste: ${line}`);

  // The same physical port and the same tunnel row behind every reference, by their identity.
  const identity = (r: TestRouter, ref: unknown): string => {
    const target = r.model.interfaceById(String(ref));
    if (!target) return String(ref);
    return `${target.path}:${String(target.row.values['default-name'] ?? target.row.values.name)}`;
  };
  const refs = (r: TestRouter) => [
    ...r.model.rows('/ip address').map((row) => identity(r, row.values.interface)),
    ...r.model.rows('/ip route').map((row) => identity(r, row.values.gateway)),
  ];
  t.same(refs(b), refs(a), 'every reference names the same interface');
  t.same(refs(a), [
    '/interface ethernet:ether1',
    '/interface ethernet:ether2',
    '/interface pptp-server:office',
    '/interface pptp-client:vpn',
    '198.18.1.254',
  ]);
  t.equal((await b.type('/export')).split('\n').slice(1).join('\n'), script.split('\n').slice(1).join('\n'), 'the paste exports the same script');
});
