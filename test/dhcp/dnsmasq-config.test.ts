// /ip dhcp-server and /ip dns as dnsmasq's configuration (a pure function), checked line by
// line and by dnsmasq's own `--test`; the lease file read back as dynamic leases.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dhcpServer, dhcpServerLease, dhcpServerNetwork, dns, dnsStatic, ipPool } from '../../src/config/menus/index.js';
import { dnsmasqConfig, inRanges, parseLeases, rangeBounds } from '../../src/system/dnsmasq-config.js';
import { makeRouter, twoPortRouter } from '../cli/harness.js';

async function config(lines: readonly string[]) {
  const r = await twoPortRouter(lines);
  const m = r.model;
  const s = m.settings(dns);
  return dnsmasqConfig({
    servers: m.list(dhcpServer),
    networks: m.list(dhcpServerNetwork),
    leases: m.list(dhcpServerLease),
    pools: new Map(m.list(ipPool).map((p) => [p.name, p.ranges])),
    dns: { servers: s.servers, allowRemoteRequests: s['allow-remote-requests'], cacheSize: s['cache-size'] },
    statics: m.list(dnsStatic),
    dynamicServers: ['198.18.18.53'],
    device: (ref) => {
      const found = m.interfaceById(ref);
      return found ? String(found.row.values['default-name']) : undefined;
    },
    ports: ['ether1', 'ether2'],
    leaseFile: '/run/routerd/dnsmasq.leases',
  });
}

function dnsmasqTest(text: string): { ok: boolean; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dnsmasq-test-'));
  try {
    writeFileSync(join(dir, 'c.conf'), text);
    const r = spawnSync('dnsmasq', ['--test', `--conf-file=${join(dir, 'c.conf')}`], { encoding: 'utf8' });
    return { ok: r.status === 0, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('nothing to serve: no dnsmasq', async (t) => {
  t.equal(await config([]), undefined);
  t.equal(await config(['/ip dns set servers=198.18.18.1']), undefined, 'upstream servers alone serve nobody');
});

t.test('the default configuration\'s LAN: DHCP from a pool, the router as gateway and DNS', async (t) => {
  const text = (await config([
    '/interface ethernet set ether2 name=lan',
    '/ip pool add name=dhcp ranges=192.168.88.10-192.168.88.254',
    '/ip dhcp-server add interface=lan address-pool=dhcp lease-time=10m',
    '/ip dhcp-server network add address=192.168.88.0/24 gateway=192.168.88.1 dns-server=192.168.88.1 domain=lan',
    '/ip dhcp-server lease add address=192.168.88.50 mac-address=02:aa:bb:cc:dd:ee',
    '/ip dns set servers=198.18.18.1,198.18.18.2 allow-remote-requests=yes cache-size=500',
    '/ip dns static add name=Router.LAN address=192.168.88.1 ttl=5m',
    '/ip dns static add name=old.lan address=192.168.88.2 disabled=yes',
  ]))!;
  t.equal(text, [
    '# written by routerd from /ip dhcp-server and /ip dns; changes here are overwritten',
    'no-resolv',
    'no-hosts',
    'bind-dynamic',
    'cache-size=500',
    'server=198.18.18.1',
    'server=198.18.18.2',
    'server=198.18.18.53',
    'host-record=router.lan,192.168.88.1,300',
    'dhcp-leasefile=/run/routerd/dnsmasq.leases',
    'dhcp-authoritative',
    'no-dhcp-interface=ether1',
    'dhcp-range=set:srv0,192.168.88.10,192.168.88.254,255.255.255.0,600',
    'dhcp-option=tag:srv0,option:router,192.168.88.1',
    'dhcp-option=tag:srv0,option:dns-server,192.168.88.1',
    'dhcp-option=tag:srv0,option:domain-name,lan',
    'dhcp-host=02:aa:bb:cc:dd:ee,192.168.88.50',
    '',
  ].join('\n'));
  const check = dnsmasqTest(text);
  t.ok(check.ok, `dnsmasq --test accepts it: ${check.out}`);
});

t.test('DNS only, no DHCP; a disabled server serves nothing', async (t) => {
  const text = (await config([
    '/ip pool add name=p ranges=10.0.0.0/29',
    '/ip dhcp-server add interface=ether2 address-pool=p disabled=yes',
    '/ip dns set allow-remote-requests=yes',
  ]))!;
  t.notMatch(text, /dhcp-range|dhcp-leasefile/);
  t.match(text, /server=198\.18\.18\.53\n/);
  t.ok(dnsmasqTest(text).ok);
  const dhcpOnly = (await config([
    '/ip pool add name=p ranges=10.0.0.0/29',
    '/ip dhcp-server add interface=ether2 address-pool=p',
  ]))!;
  t.match(dhcpOnly, /\nport=0\n/, 'DHCP without remote DNS requests: no DNS port');
  t.match(dhcpOnly, /dhcp-range=set:srv0,10\.0\.0\.1,10\.0\.0\.6,1800\n/, 'a prefix pool without network and broadcast; the mask from the interface');
  t.ok(dnsmasqTest(dhcpOnly).ok);
});

t.test('console checks of the DHCP and DNS menus', async (t) => {
  const r = makeRouter();
  r.runtime.ports = [{ defaultName: 'ether2', mac: '02:00:00:00:00:02', running: true }];
  await r.type('/interface ethernet print');
  t.match(await r.type('/ip dhcp-server add interface=ether2 address-pool=none'), /input does not match any value of address-pool/);
  t.equal(await r.type('/ip pool add name=p ranges=10.0.0.10-10.0.0.20'), '');
  t.equal(await r.type('/ip dhcp-server add interface=ether2 address-pool=p'), '');
  t.match(await r.type('/ip dhcp-server print'), /0\s+dhcp1\s+ether2\s+p\s+30m/);
  t.match(await r.type('/ip dhcp-server set 0 lease-time=10s'), /out of range/);
  t.match(await r.type('/ip dhcp-server network add address=10.0.0.0/33'), /invalid value for argument address/);
  t.match(await r.type('/ip dns static add name=bad..name address=1.2.3.4'), /invalid value for argument name/);
  t.match(await r.type('/ip dns set servers=1.2.3'), /invalid value for argument servers/);
  t.match(await r.type('/ip pool remove p'), /failure: p is used by \/ip dhcp-server/);
  r.runtime.dhcpLeases = () => [{ address: '10.0.0.15', mac: '02:11:22:33:44:55', hostName: 'laptop', server: 'dhcp1', expiresAfter: 590 }];
  const leases = await r.type('/ip dhcp-server lease print');
  t.match(leases, /Flags: X - disabled, D - dynamic/);
  t.match(leases, /0 D\s+10\.0\.0\.15\s+02:11:22:33:44:55\s+laptop\s+dhcp1\s+bound\s+9m50s/);
  t.equal(await r.type('/ip dhcp-server lease make-static 0'), '');
  t.match(await r.type('/ip dhcp-server lease export'), /add address=10\.0\.0\.15 mac-address=02:11:22:33:44:55 server=dhcp1/);
});

t.test('leases read back from dnsmasq\'s lease file', async (t) => {
  const text = [
    '1765100000 02:aa:bb:cc:dd:ee 192.168.88.254 lanhost 01:02:aa:bb:cc:dd:ee',
    '0 02:aa:bb:cc:dd:ef 192.168.88.50 * *',
    'duid 00:01:00:01',
    'nonsense',
  ].join('\n');
  const leases = parseLeases(text, 1765099400, (a) => (a.startsWith('192.168.88.') ? 'dhcp1' : ''));
  t.same(leases, [
    { address: '192.168.88.254', mac: '02:AA:BB:CC:DD:EE', hostName: 'lanhost', server: 'dhcp1', expiresAfter: 600 },
    { address: '192.168.88.50', mac: '02:AA:BB:CC:DD:EF', hostName: '', server: 'dhcp1', expiresAfter: 0 },
  ]);
  t.same(rangeBounds('192.168.88.10-192.168.88.254'), ['192.168.88.10', '192.168.88.254']);
  t.same(rangeBounds('10.0.0.0/24'), ['10.0.0.1', '10.0.0.254']);
  t.ok(inRanges('10.0.0.5', ['10.0.0.0/29']));
  t.notOk(inRanges('10.0.0.9', ['10.0.0.0/29', '10.0.1.1-10.0.1.9']));
});
