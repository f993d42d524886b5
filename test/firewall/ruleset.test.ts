// The nftables script built from /ip firewall (a pure function), checked line by line and then
// handed to the real nft in check mode (`nft -c`, inside a namespace of its own), so every rule
// shape the console accepts is one nftables loads. Also: counters and conntrack read back, and
// the hint for a filter that blocks the PPTP server's own tunnels.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { firewallAddressList, firewallFilter, firewallNat } from '../../src/config/menus/index.js';
import { parseConntrack } from '../../src/system/conntrack.js';
import { emptyRuleset, firewallRuleset, parseCounters, tunnelBlockers } from '../../src/system/nftables-ruleset.js';
import { twoPortRouter } from '../cli/harness.js';

async function configured(lines: readonly string[]) {
  const r = await twoPortRouter(lines);
  const m = r.model;
  const ethernetByRef = (ref: string) => m.interfaceById(ref);
  return {
    model: m,
    script: () => firewallRuleset({
      filter: m.list(firewallFilter),
      nat: m.list(firewallNat),
      addressLists: m.list(firewallAddressList),
      device: (ref) => {
        const found = ethernetByRef(ref);
        return found ? String(found.row.values['default-name'] ?? found.row.values.name) : undefined;
      },
    }),
  };
}

/** nft's own check of a script, in a fresh network namespace (nothing is loaded anywhere). */
function nftCheck(script: string): { ok: boolean; stderr: string } {
  const r = spawnSync('unshare', ['-n', 'nft', '-c', '-f', '-'], { input: script, encoding: 'utf8' });
  return { ok: r.status === 0, stderr: r.stderr };
}

t.test('no firewall configured: no table', async (t) => {
  const { script } = await configured([]);
  t.equal(script(), undefined);
  t.equal(emptyRuleset(), 'table ip routerd\ndelete table ip routerd\n', 'removing works whether the table is there or not');
  t.ok(nftCheck(emptyRuleset()).ok);
});

t.test('the default configuration\'s rules as one transaction', async (t) => {
  const { script } = await configured([
    '/interface ethernet set ether1 name=wan',
    '/ip firewall address-list add list=office address=192.168.88.0/24',
    '/ip firewall filter add chain=input action=accept connection-state=established,related',
    '/ip firewall filter add chain=input action=drop connection-state=invalid',
    '/ip firewall filter add chain=input action=accept protocol=icmp',
    '/ip firewall filter add chain=input action=accept protocol=tcp dst-port=1723',
    '/ip firewall filter add chain=input action=accept protocol=gre',
    '/ip firewall filter add chain=input action=accept src-address-list=office',
    '/ip firewall filter add chain=input action=drop in-interface=wan',
    '/ip firewall filter add chain=input action=drop disabled=yes',
    '/ip firewall nat add chain=srcnat action=masquerade out-interface=wan',
  ]);
  const text = script()!;
  t.equal(text, [
    'table ip routerd',
    'delete table ip routerd',
    'table ip routerd {',
    '  set list0 {',
    '    type ipv4_addr; flags interval; auto-merge;',
    '    elements = { 192.168.88.0/24 }',
    '  }',
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '    ct state { established, related } counter accept comment "filter:1"',
    '    ct state { invalid } counter drop comment "filter:2"',
    '    meta l4proto 1 counter accept comment "filter:3"',
    '    meta l4proto 6 tcp dport { 1723 } counter accept comment "filter:4"',
    '    meta l4proto 47 counter accept comment "filter:5"',
    '    ip saddr @list0 counter accept comment "filter:6"',
    '    iifname "ether1" counter drop comment "filter:7"',
    '  }',
    '  chain srcnat {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    '    oifname "ether1" counter masquerade comment "nat:1"',
    '  }',
    '}',
    '',
  ].join('\n'), 'the kernel name of a renamed port; disabled rules left out');
  const check = nftCheck(text);
  t.ok(check.ok, `nft -c accepts it\n${check.stderr}`);
});

t.test('every kind of matcher and action loads in nft', async (t) => {
  const { script } = await configured([
    '/ip firewall address-list add list=a address=10.0.0.0/8',
    '/ip firewall address-list add list=a address=10.1.0.0/16',
    '/ip firewall address-list add list="with space" address=10.9.9.9 disabled=yes',
    '/ip firewall filter add chain=forward src-address=10.0.0.1 dst-address=198.18.0.0/15 protocol=udp dst-port=53,5000-5010 in-interface=ether2 out-interface=ether1 connection-state=new action=reject',
    '/ip firewall filter add chain=output protocol=tcp dst-port=22 out-interface=ether1 action=log log-prefix=ssh',
    '/ip firewall filter add chain=input src-address-list="with space" action=drop',
    '/ip firewall filter add chain=input protocol=112 action=accept',
    '/ip firewall filter add chain=input action=log',
    '/ip firewall nat add chain=dstnat in-interface=ether1 protocol=tcp dst-port=8080 action=dst-nat to-addresses=192.168.88.10 to-ports=80',
    '/ip firewall nat add chain=dstnat protocol=udp dst-port=53 action=dst-nat to-addresses=192.168.88.1',
    '/ip firewall nat add chain=srcnat protocol=udp action=masquerade to-ports=10000-20000',
    '/ip firewall nat add chain=srcnat src-address=192.168.88.0/24 action=src-nat to-addresses=198.18.1.1',
    '/ip firewall nat add chain=srcnat protocol=tcp action=src-nat to-addresses=198.18.1.1 to-ports=1024-2000',
    '/ip firewall nat add chain=srcnat dst-address=10.0.0.0/8 action=accept',
    '/ip firewall nat add chain=srcnat action=log log-prefix=nat',
  ]);
  const text = script()!;
  t.match(text, /set list0 \{\n {4}type ipv4_addr; flags interval; auto-merge;\n {4}elements = \{ 10\.0\.0\.0\/8, 10\.1\.0\.0\/16 \}\n {2}\}\n {2}set list1 \{\n {4}type ipv4_addr; flags interval; auto-merge;\n {2}\}/, 'a list with no enabled entry is an empty set');
  t.match(text, /iifname "ether2" oifname "ether1" ip saddr 10\.0\.0\.1 ip daddr 198\.18\.0\.0\/15 meta l4proto 17 udp dport \{ 53, 5000-5010 \} ct state \{ new \} counter reject comment "filter:1"/);
  t.match(text, /counter log prefix "ssh " comment "filter:2"/);
  t.match(text, /counter dnat to 192\.168\.88\.10:80 comment "nat:1"/);
  t.match(text, /counter masquerade to :10000-20000 comment "nat:3"/);
  t.match(text, /counter snat to 198\.18\.1\.1:1024-2000 comment "nat:5"/);
  const check = nftCheck(text);
  t.ok(check.ok, `nft -c accepts it\n${check.stderr}`);
});

t.test('a rule whose interface is gone matches nothing and is left out', async (t) => {
  const { model, script } = await configured(['/ip firewall filter add chain=input in-interface=ether2 action=drop']);
  const rows = model.list(firewallFilter);
  const text = firewallRuleset({ filter: rows, nat: [], addressLists: [], device: () => undefined });
  t.equal(text, undefined);
  t.match(script()!, /iifname "ether2" counter drop/);
});

t.test('counters are read back by rule', async (t) => {
  const json = JSON.stringify({ nftables: [
    { metainfo: { version: '1.0.6' } },
    { table: { family: 'ip', name: 'routerd' } },
    { rule: { chain: 'input', comment: 'filter:4', expr: [{ match: {} }, { counter: { packets: 12, bytes: 3400 } }, { accept: null }] } },
    { rule: { chain: 'srcnat', comment: 'nat:1', expr: [{ counter: { packets: 1, bytes: 60 } }, { masquerade: null }] } },
    { rule: { chain: 'input', expr: [{ counter: { packets: 9, bytes: 9 } }] } },
  ] });
  const c = parseCounters(json);
  t.same(c.get('filter:4'), { bytes: 3400, packets: 12 });
  t.same(c.get('nat:1'), { bytes: 60, packets: 1 });
  t.equal(c.size, 2, 'rules without our tag are not ours');
  t.equal(parseCounters('not json').size, 0);
});

t.test('tracked connections from /proc/net/nf_conntrack', async (t) => {
  const text = [
    'ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.88.10 dst=198.18.0.1 sport=40000 dport=80 src=198.18.0.1 dst=198.18.3.2 sport=80 dport=40000 [ASSURED] mark=0 zone=0 use=2',
    'ipv4     2 udp      17 29 src=192.168.88.10 dst=192.168.88.1 sport=5353 dport=53 [UNREPLIED] src=192.168.88.1 dst=192.168.88.10 sport=53 dport=5353 mark=0 zone=0 use=2',
    'ipv4     2 icmp     1 29 src=127.0.0.1 dst=127.0.0.1 type=8 code=0 id=18195 src=127.0.0.1 dst=127.0.0.1 type=0 code=0 id=18195 mark=0 zone=0 use=2',
    'ipv4     2 gre      47 599 src=198.18.0.2 dst=198.18.0.1 srckey=0x0 dstkey=0x0 src=198.18.0.1 dst=198.18.0.2 srckey=0x0 dstkey=0x0 mark=0 use=1',
    'ipv6     10 tcp      6 10 SYN_SENT src=::1 dst=::1 sport=1 dport=2 src=::1 dst=::1 sport=2 dport=1 mark=0 use=1',
    'garbage',
  ].join('\n');
  const rows = parseConntrack(text);
  t.equal(rows.length, 4, 'IPv4 only, nonsense skipped');
  t.same(rows[0], {
    protocol: 'tcp', src: '192.168.88.10:40000', dst: '198.18.0.1:80', replySrc: '198.18.0.1:80', replyDst: '198.18.3.2:40000',
    tcpState: 'established', timeout: 431999, seenReply: true, assured: true,
  });
  t.equal(rows[1]!.seenReply, false);
  t.equal(rows[1]!.tcpState, '');
  t.equal(rows[2]!.src, '127.0.0.1', 'no ports for ICMP');
  t.equal(rows[3]!.protocol, 'gre');
});

t.test('a filter that blocks the server\'s tunnels is named', async (t) => {
  const blockers = async (lines: readonly string[]) => tunnelBlockers((await configured(lines)).model.list(firewallFilter));
  t.same(await blockers([]), [], 'no filter: nothing blocked');
  t.same(await blockers([
    '/ip firewall filter add chain=input connection-state=established,related',
    '/ip firewall filter add chain=input protocol=tcp dst-port=1723',
    '/ip firewall filter add chain=input protocol=gre',
    '/ip firewall filter add chain=input in-interface=ether1 action=drop',
  ]), [], 'the default configuration lets both in');
  const both = await blockers([
    '/ip firewall filter add chain=input connection-state=established,related',
    '/ip firewall filter add chain=input action=drop',
  ]);
  t.same(both, [
    '/ip firewall filter rule 1 (action=drop) blocks TCP port 1723 (PPTP control) in chain input: PPTP clients may not connect',
    '/ip firewall filter rule 1 (action=drop) blocks IP protocol 47 (GRE) in chain input: PPTP clients may not connect',
  ]);
  t.same(await blockers([
    '/ip firewall filter add chain=input protocol=tcp dst-port=1000-2000',
    '/ip firewall filter add chain=input protocol=47 action=reject',
  ]), ['/ip firewall filter rule 1 (action=reject) blocks IP protocol 47 (GRE) in chain input: PPTP clients may not connect'], 'a port range that holds 1723 lets control in');
  t.same(await blockers([
    '/ip firewall filter add chain=input protocol=tcp dst-port=1723 src-address=198.18.0.9',
    '/ip firewall filter add chain=input protocol=tcp action=drop',
  ]), ['/ip firewall filter rule 1 (action=drop) blocks TCP port 1723 (PPTP control) in chain input: PPTP clients may not connect'], 'accepting one address is not accepting the clients');
  t.same(await blockers([
    '/ip firewall filter add chain=forward action=drop',
    '/ip firewall filter add chain=input protocol=udp action=drop',
    '/ip firewall filter add chain=input action=drop disabled=yes',
    '/ip firewall filter add chain=input connection-state=invalid action=drop',
  ]), [], 'rules that never see a new tunnel packet');
});
