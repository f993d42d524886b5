// The board's default configuration: applied by /system reset-configuration on a board with
// ether1 and ether2 (not with no-defaults=yes, not on a board without those ports), shown by
// /system default-configuration print, and made of console lines that all apply.
import t from 'tap';
import { DEFAULT_CONFIGURATION } from '../../src/config/default-configuration.js';
import { followPptpServer } from '../../src/config/defconf-pptp.js';
import { firewallFilter } from '../../src/config/menus/index.js';
import { makeRouter } from './harness.js';

function board(ports: readonly string[]) {
  const r = makeRouter();
  r.runtime.ports = ports.map((p, i) => ({ defaultName: p, mac: `02:00:00:00:00:0${i + 1}`, running: true }));
  return r;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

t.test('reset-configuration applies the defaults on a two-port board', async (t) => {
  const r = board(['ether1', 'ether2']);
  await r.type('/interface ethernet print');
  await r.type('/ppp secret add name=ex password=lkjrht');
  await r.type('/system reset-configuration');
  t.equal(await r.type('y'), 'system configuration will be reset\n');
  await settle();
  t.equal(r.model.rows('/ppp secret').length, 0, 'the old configuration is gone');
  t.match(await r.type('/ip dhcp-client print'), /0\s+;;; defconf\s+ether1\s+yes\s+yes/, 'ether1 takes its address by DHCP');
  t.match(await r.type('/ip address print'), /192\.168\.88\.1\/24\s+ether2/, 'ether2 is the LAN');
  t.match(await r.type('/ip dhcp-server print'), /defconf\s+ether2\s+default-dhcp/);
  t.match(await r.type('/ip dns print'), /allow-remote-requests: yes/);
  t.match(await r.type('/ip firewall nat print'), /chain=srcnat action=masquerade out-interface=ether1/);
  const filter = await r.type('/ip firewall filter print');
  // The PPTP server is off after a reset: its two rules are there, disabled, until it is on.
  t.match(filter, /\d+ X ;;; defconf: accept PPTP control\s+chain=input action=accept protocol=tcp dst-port=1723/);
  t.match(filter, /\d+ X ;;; defconf: accept PPTP GRE\s+chain=input action=accept protocol=gre/);
  t.match(filter, /chain=input action=drop in-interface=ether1/);
  t.match(r.runtime ? (await r.type('/log print')) : '', /default configuration applied/);
  const exported = await r.type('/export');
  t.equal(exported.split('\n').filter((l) => l.startsWith('add ') || l.startsWith('set ')).length, DEFAULT_CONFIGURATION.filter((l) => !l.startsWith('#')).length,
    'every line of the script made one change');
});

t.test('the defconf PPTP rules follow the PPTP server; an operator\'s own rules are left alone', async (t) => {
  const r = board(['ether1', 'ether2']);
  await r.type('/interface ethernet print');
  await r.type('/system reset-configuration');
  await r.type('y');
  await settle();
  const pptpRules = () => r.model.list(firewallFilter).filter((f) => f.comment.startsWith('defconf: accept PPTP')).map((f) => f.disabled);
  t.same(pptpRules(), [true, true], 'off with the server');
  t.equal(await r.type('/ip firewall filter add chain=input protocol=tcp dst-port=1723 action=accept disabled=yes comment=mine'), '');
  t.equal(await r.type('/interface pptp-server server set enabled=yes'), '');
  t.equal(followPptpServer(r.model), 'defconf PPTP rules enabled: the PPTP server is enabled');
  t.same(pptpRules(), [false, false], 'on with the server');
  t.equal(followPptpServer(r.model), undefined, 'nothing more to do');
  t.equal(r.model.list(firewallFilter).find((f) => f.comment === 'mine')?.disabled, true, 'a rule of the operator\'s stays as it is');
  await r.type('/interface pptp-server server set enabled=no');
  t.equal(followPptpServer(r.model), 'defconf PPTP rules disabled: the PPTP server is disabled');
  t.same(pptpRules(), [true, true]);
});

t.test('no-defaults=yes leaves it empty; a board without the ports gets none', async (t) => {
  const r = board(['ether1', 'ether2']);
  await r.type('/interface ethernet print');
  await r.type('/system reset-configuration no-defaults=yes');
  await r.type('y');
  await settle();
  t.notMatch(await r.type('/ip firewall export'), /\badd /, 'no rules');
  t.equal(r.model.rows('/ip dhcp-client').length, 0);

  const one = board(['ether1']);
  await one.type('/interface ethernet print');
  await one.type('/system reset-configuration');
  await one.type('y');
  await settle();
  t.equal(one.model.rows('/ip firewall filter').length, 0);
  t.match(await one.type('/log print'), /default configuration not applied: this board has no ether2/);
});

t.test('/system default-configuration print shows the script', async (t) => {
  const r = board([]);
  const out = await r.type('/system default-configuration print');
  const lines = out.trimEnd().split('\n');
  t.equal(lines.length, DEFAULT_CONFIGURATION.length);
  t.match(lines[0], /^ {2}script: #\| Branch office/);
  t.match(out, /\n {10}\/ip dhcp-client add interface=ether1 disabled=no comment=defconf\n/);
});
