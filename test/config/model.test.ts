// The configuration model as the router will read it: typed rows and settings, change events,
// all-or-nothing changes.
import t from 'tap';
import { ConfigModel, type ChangeEvent } from '../../src/config/model.js';
import { pptpClient, pptpServerSettings, pppSecret } from '../../src/config/menus/index.js';
import { ValueError } from '../../src/config/types.js';

t.test('typed reads give the values with their defaults', async (t) => {
  const m = new ConfigModel();
  t.type(m.add('/interface pptp-client', { 'connect-to': '198.18.0.1', user: 'ex', allow: 'mschap2,pap' }), 'number');
  const [c] = m.list(pptpClient);
  t.equal(c!.name, 'pptp-out1', 'default name pptp-outN');
  t.equal(c!['connect-to'], '198.18.0.1');
  t.equal(c!['max-mtu'], 1460);
  t.equal(c!.mrru, 0, 'mrru disabled is 0');
  t.equal(c!.disabled, true, 'disabled on add');
  t.same(c!.allow, ['pap', 'mschap2'], 'a set in its fixed order');
  const s = m.settings(pptpServerSettings);
  t.equal(s.enabled, false);
  t.same(s.authentication, ['mschap2', 'mschap1']);
  t.equal(s['keepalive-timeout'], 30);
  t.equal(s['max-mru'], 1460);
});

t.test('every change is announced', async (t) => {
  const m = new ConfigModel();
  const events: ChangeEvent[] = [];
  m.onChange((e) => events.push(e));
  const id = m.add('/ppp secret', { name: 'ex', password: 'p' }) as number;
  m.set('/ppp secret', id, { password: 'q' });
  m.set('/interface pptp-server server', undefined, { enabled: 'yes' });
  m.remove('/ppp secret', [id]);
  t.same(events, [
    { op: 'add', path: '/ppp secret', id },
    { op: 'set', path: '/ppp secret', id },
    { op: 'settings', path: '/interface pptp-server server' },
    { op: 'remove', path: '/ppp secret', id },
  ]);
  t.equal(m.list(pppSecret).length, 0);
});

t.test('a change to several rows is all or nothing', async (t) => {
  const m = new ConfigModel();
  const a = m.add('/ppp secret', { name: 'a' }) as number;
  const b = m.add('/ppp secret', { name: 'b' }) as number;
  const before = JSON.stringify(m.snapshot());
  const events: ChangeEvent[] = [];
  m.onChange((e) => events.push(e));
  // Renaming both to the same name fails at the second row: the first must not keep it.
  t.ok(m.setMany('/ppp secret', [a, b], { name: 'same' }) instanceof ValueError);
  t.same(m.snapshot(), JSON.parse(before));
  t.same(events, [], 'nothing announced');
  t.equal(m.setMany('/ppp secret', [a, b], { disabled: 'yes' }), undefined);
  t.same(m.list(pppSecret).map((r) => r.disabled), [true, true]);
  t.equal(events.length, 2);
});

t.test('interface names are unique across interface menus', async (t) => {
  const m = new ConfigModel();
  m.add('/interface pptp-server', { user: 'ex' });
  t.match((m.add('/interface pptp-client', { name: 'pptp-in1', 'connect-to': '198.18.0.1', user: 'u' }) as ValueError).message, /already exists/);
});
