// A bad value for every property of every menu gives exactly one error line and changes nothing.
import t from 'tap';
import type { PropSpec } from '../../src/config/schema.js';
import { makeRouter } from './harness.js';

/** A value the property's type must refuse, or undefined for free text. */
function badValue(spec: PropSpec): string | undefined {
  const d = spec.type.describe;
  if (spec.ref && d === 'name') return 'no-such-entry';
  if (d === 'yes | no') return 'maybe';
  if (d.startsWith('integer:')) return '70000000';
  if (d.startsWith('multiple choice')) return 'mschap1,bogus';
  if (d === 'IP address') return '10.0.0.256';
  if (d === 'IP address | pool name') return spec.ref ? 'no-such-pool' : '1.2.3.4.5';
  if (d === 'IP address/prefix' || d === 'IP prefix') return '10.0.0.0/33';
  if (d === 'IP address list') return '10.0.0.1,x';
  if (d.startsWith('IP ranges')) return '10.0.0.9-10.0.0.1';
  if (d === 'time') return 'soon';
  if (d.startsWith('text: "dst')) return 'not a route';
  if (d === 'name') return '';
  if (d === 'name or empty') return 'x'.repeat(70);
  if (d.startsWith('MAC address')) return '02:00:00:00:00';
  if (d.includes(' | ')) return 'bogus';
  return undefined;
}

const ROWS: Record<string, string> = {
  '/interface pptp-client': 'add connect-to=198.18.0.1 user=u',
  '/interface pptp-server': 'add user=u',
  '/ppp secret': 'add name=u',
  '/ppp profile': 'add name=p',
  '/ip pool': 'add name=pool1 ranges=10.0.0.200-10.0.0.250',
  '/ip address': 'add address=10.0.0.1/24 interface=ether1',
  '/ip route': 'add gateway=10.0.0.2',
  '/user group': 'add name=ops policy=read',
  '/user': 'add name=viewer',
  '/ip dhcp-client': 'add interface=ether1',
  '/ip dhcp-server': 'add interface=ether1 address-pool=pool1',
  '/ip dhcp-server network': 'add address=10.0.0.0/24',
  '/ip dhcp-server lease': 'add address=10.0.0.9 mac-address=02:00:00:00:00:09',
  '/ip dns static': 'add name=nas.lan address=10.0.0.9',
  '/ip firewall address-list': 'add list=office address=10.0.0.0/24',
  '/ip firewall filter': 'add chain=input',
  '/ip firewall nat': 'add chain=srcnat action=masquerade',
  '/user ssh-keys': 'add user=admin key="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOn6A2NibUStBsZD3H4KXw942JkV1+5omuNgPFW3kdio ops"',
  '/radius': 'add address=192.0.2.1',
  '/interface bridge': 'add name=br-lan',
  '/interface bridge port': 'add interface=ether1 bridge=br-lan',
};

t.test('a bad value of each property type is one error line and changes nothing', async (t) => {
  const r = makeRouter();
  r.runtime.ports = [{ defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true }];
  let checked = 0;
  const kinds = new Set<string>();
  for (const menu of r.model.menus) {
    if (menu.kind === 'status') continue;
    await r.type(menu.path);
    if (menu.kind === 'list') {
      const add = ROWS[menu.path];
      if (add) t.equal(await r.type(add), '', `${menu.path}: ${add}`);
      await r.type('print');
    }
    // The row the test added (the last one), or the hardware/builtin row when none is added.
    const last = menu.kind === 'list' ? r.model.rows(menu.path).length - 1 : 0;
    for (const [key, spec] of Object.entries(menu.props)) {
      if (spec.readOnly) continue;
      const bad = badValue(spec);
      if (bad === undefined) continue;
      const before = JSON.stringify(r.model.snapshot());
      const cmd = menu.kind === 'list' ? `set ${last} ${key}="${bad}"` : `set ${key}="${bad}"`;
      const out = await r.type(cmd);
      t.match(out, /^(input does not match any value of|invalid value for argument|value of .* out of range)[^\n]*\n$/, `${menu.path} ${cmd}`);
      t.equal(JSON.stringify(r.model.snapshot()), before, `${menu.path} ${cmd} changed nothing`);
      kinds.add(spec.type.describe);
      checked++;
      if (menu.kind === 'list' && ROWS[menu.path]) {
        const addOut = await r.type(`${ROWS[menu.path]!.replace(/^add/, 'add')} ${key}="${bad}"`);
        t.equal(addOut.split('\n').length, 2, `${menu.path} add with ${key}="${bad}" is one line`);
        t.equal(JSON.stringify(r.model.snapshot()), before, `${menu.path} add with bad ${key} changed nothing`);
      }
    }
  }
  t.ok(checked > 30, `${checked} properties checked`);
  t.ok(kinds.size >= 12, `${kinds.size} property types checked: ${[...kinds].join('; ')}`);
});

t.test('other refused commands are one line and change nothing', async (t) => {
  const r = makeRouter();
  const before = JSON.stringify(r.model.snapshot());
  const cases: [string, RegExp][] = [
    ['/interface pptp-client add user=u', /^failure: connect-to must be set\n$/],
    ['/interface pptp-client add connect-to=198.18.0.1 user=u mtu=1400', /^expected end of command/],
    ['/interface pptp-client set 5 user=x', /^no such item\n$/],
    ['/interface pptp-client frobnicate', /^bad command name frobnicate/],
    ['/ppp profile remove default', /^failure: default entry cannot be removed\n$/],
    ['/interface pptp-client add connect-to=198.18.0.1 user="unterminated', /^unterminated quote/],
    ['/ppp active remove 0', /^no such item\n$/],
  ];
  for (const [line, want] of cases) t.match(await r.type(line), want, line);
  t.equal(JSON.stringify(r.model.snapshot()), before);
  t.equal(await r.type('/ppp secret add name=a'), '');
  t.match(await r.type('/ppp secret add name=a'), /^failure: entry with name a already exists\n$/, 'duplicate name refused');
  t.equal(await r.type('/ppp profile add name=p1'), '');
  t.equal(await r.type('/ppp secret set a profile=p1'), '');
  t.match(await r.type('/ppp profile remove p1'), /^failure: p1 is used by \/ppp secret\n$/, 'profile in use');
  t.equal(await r.type('/ppp profile set p1 name=p2'), '');
  t.equal(r.model.rows('/ppp secret')[0]!.values.profile, 'p2', 'renaming a profile renames its users');
});
