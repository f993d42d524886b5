// Interfaces referred to by internal id: one id counter across the interface menus, references
// stored as ids and shown as current names, renames followed, unknown names and removing a
// referenced interface refused, and configurations saved with names migrated on load.
import t from 'tap';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigModel, type ChangeEvent } from '../../src/config/model.js';
import { ipAddress, ipRoute } from '../../src/config/menus/index.js';
import { ConfigStore } from '../../src/config/store.js';
import { ValueError } from '../../src/config/types.js';

const ports = [
  { defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true },
  { defaultName: 'ether2', mac: '02:00:00:00:00:02', running: true },
];

function withPorts(): ConfigModel {
  const m = new ConfigModel();
  m.syncHardware(ports);
  return m;
}

const idOf = (m: ConfigModel, path: string, name: string): number => m.rows(path).find((r) => r.values.name === name)!.id;

t.test('interfaces share one id counter and ids are never reused', async (t) => {
  const m = withPorts();
  t.same(m.rows('/interface ethernet').map((r) => r.id), [1, 2], 'ports first');
  const client = m.add('/interface pptp-client', { name: 'vpn', 'connect-to': '198.18.0.1', user: 'ex' });
  const server = m.add('/interface pptp-server', { name: 'in1', user: 'ex' });
  t.equal(client, 3, 'the client continues the ports counter');
  t.equal(server, 4, 'the server entry continues it too');
  t.notOk(m.remove('/interface pptp-server', [4]));
  t.equal(m.add('/interface pptp-client', { 'connect-to': '198.18.0.2', user: 'ex' }), 5, 'a removed id is not handed out again');
  t.equal(m.add('/ppp secret', { name: 'ex' }), 1, 'other menus keep their own counters');
});

t.test('a reference is stored as the id and shown as the current name', async (t) => {
  const m = withPorts();
  t.type(m.add('/ip address', { address: '198.18.1.1/24', interface: 'ether1' }), 'number');
  t.type(m.add('/ip route', { 'dst-address': '198.18.2.0/24', gateway: 'ether1' }), 'number');
  t.type(m.add('/ip route', { gateway: '198.18.1.254' }), 'number');
  const [address] = m.list(ipAddress);
  t.equal(address!.interface, '*1', 'stored as the id of ether1');
  t.same(m.list(ipRoute).map((r) => r.gateway), ['*1', '198.18.1.254'], 'an address gateway stays an address');

  t.notOk(m.set('/interface ethernet', idOf(m, '/interface ethernet', 'ether1'), { name: 'WAN' }));
  t.notOk(m.set('/interface ethernet', idOf(m, '/interface ethernet', 'ether2'), { name: 'ether1' }));
  const row = m.rows('/ip address')[0]!;
  t.equal(row.values.interface, '*1', 'renames change nothing stored');
  t.equal(m.shownValues('/ip address', row.values).interface, 'WAN', 'shown as the new name');
  t.equal(m.shownValues('/ip route', m.rows('/ip route')[0]!.values).gateway, 'WAN');
  t.equal(m.interfaceById('*1')?.row.values['default-name'], 'ether1', 'still the first port');

  t.type(m.add('/ip address', { address: '198.18.3.1/24', interface: 'ether1' }), 'number');
  t.equal(m.rows('/ip address')[1]!.values.interface, '*2', 'the name ether1 now means the second port');
  t.type(m.add('/ip address', { address: '198.18.4.1/24', interface: '*1' }), 'number');
  t.equal(m.rows('/ip address')[2]!.values.interface, '*1', 'an id may be typed as RouterOS allows');
});

t.test('an unknown interface is refused and nothing is stored', async (t) => {
  const m = withPorts();
  const events: ChangeEvent[] = [];
  m.onChange((e) => events.push(e));
  const bad = (v: unknown): string => (v instanceof ValueError ? v.message : `accepted: ${String(v)}`);
  t.equal(bad(m.add('/ip address', { address: '198.18.1.1/24', interface: 'nosuch' })), 'input does not match any value of interface');
  t.equal(bad(m.add('/ip address', { address: '198.18.1.1/24', interface: '10.0.0.1' })), 'input does not match any value of interface', 'an address is no interface');
  t.equal(bad(m.add('/ip address', { address: '198.18.1.1/24', interface: '*7' })), 'input does not match any value of interface', 'an id of no interface');
  t.equal(bad(m.add('/ip route', { gateway: 'nosuch' })), 'input does not match any value of gateway');
  t.equal(m.rows('/ip address').length + m.rows('/ip route').length, 0);
  const id = m.add('/ip address', { address: '198.18.1.1/24', interface: 'ether1' }) as number;
  t.ok(m.set('/ip address', id, { interface: 'nosuch' }) instanceof ValueError, 'set refuses it too');
  t.equal(m.rows('/ip address')[0]!.values.interface, '*1', 'and keeps the old reference');
  t.equal(events.length, 1, 'only the good add was announced');
});

t.test('removing a referenced interface is refused', async (t) => {
  const m = withPorts();
  const vpn = m.add('/interface pptp-client', { name: 'vpn', 'connect-to': '198.18.0.1', user: 'ex' }) as number;
  const route = m.add('/ip route', { 'dst-address': '10.1.0.0/16', gateway: 'vpn' }) as number;
  const err = m.remove('/interface pptp-client', [vpn]);
  t.equal(err?.message, 'failure: vpn is used by /ip route');
  t.equal(m.rows('/interface pptp-client').length, 1, 'still there');
  t.notOk(m.remove('/ip route', [route]));
  t.notOk(m.remove('/interface pptp-client', [vpn]), 'removable once nothing uses it');
  t.ok(m.remove('/interface ethernet', [1]) instanceof ValueError, 'ports come from the hardware');
});

t.test('a port that disappears keeps its row; a new port takes no reference', async (t) => {
  const m = withPorts();
  m.add('/ip address', { address: '198.18.1.1/24', interface: 'ether2' });
  m.syncHardware([ports[0]!, { defaultName: 'ether3', mac: '02:00:00:00:00:03', running: true }]);
  t.equal(m.interfaceById('*2')?.row.values['default-name'], 'ether2', 'the address still names the missing port');
  t.equal(m.rows('/interface ethernet').find((r) => r.values.name === 'ether3')?.id, 3, 'the new port gets a new id');
});

/** A configuration as routerd wrote it before ids (format 1): names in references, ids per list. */
function formatOne(): unknown {
  const eth = (id: number, n: string) => ({
    id,
    values: { name: n, 'default-name': n, mtu: 1500, 'mac-address': `02:00:00:00:00:0${id}`, arp: 'enabled', disabled: false },
  });
  return {
    format: 1,
    lists: {
      '/interface ethernet': { nextId: 3, rows: [eth(1, 'ether1'), { ...eth(2, 'ether2'), values: { ...eth(2, 'ether2').values, name: 'LAN' } }] },
      '/interface pptp-client': {
        nextId: 2,
        rows: [{ id: 1, values: { name: 'vpn', 'max-mtu': 1460, 'max-mru': 1460, mrru: 0, 'connect-to': '198.18.0.1', user: 'ex', password: '', profile: 'default', 'add-default-route': false, allow: ['mschap2'], disabled: false } }],
      },
      '/ip address': {
        nextId: 3,
        rows: [
          { id: 1, values: { address: '198.18.1.1/24', interface: 'ether1', comment: '', disabled: false } },
          { id: 2, values: { address: '10.0.0.1/24', interface: 'LAN', comment: '', disabled: false } },
        ],
      },
      '/ip route': {
        nextId: 4,
        rows: [
          { id: 1, values: { 'dst-address': '0.0.0.0/0', gateway: '198.18.1.254', distance: 1, comment: '', disabled: false } },
          { id: 2, values: { 'dst-address': '10.1.0.0/16', gateway: 'vpn', distance: 1, comment: '', disabled: false } },
          { id: 3, values: { 'dst-address': '10.2.0.0/16', gateway: 'gone', distance: 1, comment: '', disabled: false } },
        ],
      },
    },
    settings: {},
  };
}

t.test('a configuration saved with names migrates to ids on load', async (t) => {
  const m = ConfigModel.fromData(formatOne());
  if (m instanceof ValueError) throw new Error(m.message);
  t.same(m.rows('/interface ethernet').map((r) => r.id), [1, 2], 'ports keep their ids');
  t.same(m.rows('/interface pptp-client').map((r) => r.id), [3], 'the client id that collided with a port is renumbered');
  t.same(m.list(ipAddress).map((r) => r.interface), ['*1', '*2'], 'names became ids');
  t.same(m.list(ipRoute).map((r) => r.gateway), ['198.18.1.254', '*3', '*4']);
  t.equal(m.interfaceById('*4'), undefined, 'a name no interface held points nowhere');
  t.same(m.migrationNotes, ['/ip route gateway=gone names no interface; kept as *4, inactive']);
  t.equal(m.shownValues('/ip route', m.rows('/ip route')[2]!.values).gateway, '*4', 'shown as RouterOS shows a dangling reference');
  t.equal(m.add('/interface pptp-server', { user: 'ex' }), 5, 'the counter continues past every id in use');
  t.equal(m.snapshot().format, 2);

  const again = ConfigModel.fromData(JSON.parse(JSON.stringify(m.snapshot())));
  if (again instanceof ValueError) throw new Error(again.message);
  t.same(again.snapshot(), m.snapshot(), 'a format-2 file loads back unchanged');
  t.same(again.migrationNotes, [], 'and needs no migration');
});

t.test('a format-2 file with a name where an id belongs is damaged', async (t) => {
  const m = withPorts();
  m.add('/ip address', { address: '198.18.1.1/24', interface: 'ether1' });
  const data = JSON.parse(JSON.stringify(m.snapshot())) as { lists: Record<string, { rows: { values: Record<string, unknown> }[] }> };
  data.lists['/ip address']!.rows[0]!.values.interface = 'ether1';
  const loaded = ConfigModel.fromData(data);
  t.ok(loaded instanceof ValueError);
  t.equal((loaded as ValueError).message, 'configuration is damaged: /ip address interface');
});

t.test('the store upgrades an old config.json and says what it could not resolve', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), `routerd-refs-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(formatOne()));
  const { model, notice } = new ConfigStore(dir).load();
  t.equal(notice, 'configuration upgraded: /ip route gateway=gone names no interface; kept as *4, inactive');
  t.equal(model.rows('/ip address').length, 2, 'the configuration was kept');
  t.same(readdirSync(dir), ['config.json'], 'nothing set aside as damaged');
});
