// /ip firewall at the console: rules as RouterOS prints and exports them, and every rule that
// nftables could not load is refused with one line, leaving the configuration as it was.
import t from 'tap';
import { makeRouter } from '../cli/harness.js';

const ports = [
  { defaultName: 'ether1', mac: '02:00:00:00:00:01', running: true },
  { defaultName: 'ether2', mac: '02:00:00:00:00:02', running: true },
];

async function router() {
  const r = makeRouter();
  r.runtime.ports = ports;
  await r.type('/interface ethernet print');
  return r;
}

t.test('rules print inline with only what was set, in order', async (t) => {
  const r = await router();
  for (const line of [
    '/ip firewall filter add chain=input connection-state=established,related action=accept',
    '/ip firewall filter add chain=input protocol=tcp dst-port=1723 in-interface=ether1',
    '/ip firewall filter add chain=input protocol=47',
    '/ip firewall filter add chain=input in-interface=ether1 action=drop comment=wan',
    '/ip firewall nat add chain=srcnat out-interface=ether1 action=masquerade',
  ]) t.equal(await r.type(line), '', line);
  const filter = await r.type('/ip firewall filter print');
  t.equal(filter, [
    'Flags: X - disabled',
    ' 0  chain=input action=accept connection-state=established,related',
    ' 1  chain=input action=accept protocol=tcp dst-port=1723 in-interface=ether1',
    ' 2  chain=input action=accept protocol=gre',
    ' 3  ;;; wan',
    '    chain=input action=drop in-interface=ether1',
    '',
  ].join('\n'));
  t.match(await r.type('/ip firewall nat print'), / 0 {2}chain=srcnat action=masquerade out-interface=ether1/);
  const stats = await r.type('/ip firewall filter print stats');
  t.match(stats, /#\s+CHAIN\s+ACTION\s+BYTES\s+PACKETS/, 'print stats has the counter columns');
  r.runtime.ruleCounters = (path, id) => (path === '/ip firewall filter' && id === 4 ? { bytes: 1234, packets: 7 } : { bytes: 0, packets: 0 });
  t.match(await r.type('/ip firewall filter print stats'), / 3\s+;;; wan\s+input\s+drop\s+1234\s+7/, 'the runtime\'s counters show per rule');
});

t.test('rules follow a renamed interface', async (t) => {
  const r = await router();
  await r.type('/ip firewall filter add chain=forward in-interface=ether2 out-interface=ether1');
  await r.type('/interface ethernet set ether1 name=wan');
  t.match(await r.type('/ip firewall filter print'), /in-interface=ether2 out-interface=wan/);
  await r.type('/interface pptp-client add name=hq connect-to=198.18.0.1 user=x');
  t.equal(await r.type('/ip firewall filter add chain=input in-interface=hq'), '');
  t.match(await r.type('/interface pptp-client remove hq'), /^failure: hq is used by \/ip firewall filter\n$/, 'an interface a rule names is not removed under it');
});

t.test('a rule that cannot be loaded is refused with one line and changes nothing', async (t) => {
  const r = await router();
  await r.type('/ip firewall filter add chain=input action=accept');
  const before = JSON.stringify(r.model.snapshot());
  const refused: [string, RegExp][] = [
    ['/ip firewall filter add chain=input dst-port=80', /^failure: dst-port can be used only with protocol=tcp or protocol=udp\n$/],
    ['/ip firewall filter add chain=input protocol=icmp dst-port=80', /dst-port can be used only/],
    ['/ip firewall filter add chain=output in-interface=ether1', /^failure: in-interface cannot be used in chain output\n$/],
    ['/ip firewall filter add chain=input out-interface=ether1', /out-interface cannot be used in chain input/],
    ['/ip firewall filter add chain=prerouting', /^input does not match any value of chain\n$/],
    ['/ip firewall filter add action=drop', /^failure: chain must be set\n$/],
    ['/ip firewall filter add chain=input action=masquerade', /input does not match any value of action/],
    ['/ip firewall filter add chain=input src-address=10.0.0.300', /invalid value for argument src-address/],
    ['/ip firewall filter add chain=input src-address=10.0.0.0/33', /invalid value for argument src-address/],
    ['/ip firewall filter add chain=input protocol=tcp dst-port=0', /out of range/],
    ['/ip firewall filter add chain=input protocol=tcp dst-port=90-80', /out of range/],
    ['/ip firewall filter add chain=input protocol=500', /input does not match any value of protocol/],
    ['/ip firewall filter add chain=input in-interface=ether9', /input does not match any value of in-interface/],
    ['/ip firewall filter add chain=input connection-state=bogus', /input does not match any value of connection-state/],
    ['/ip firewall filter add chain=input log-prefix="a\\"b"', /invalid value for argument log-prefix/],
    ['/ip firewall filter set 0 dst-port=22', /dst-port can be used only/],
    ['/ip firewall nat add chain=dstnat action=masquerade', /^failure: action masquerade works only in chain srcnat\n$/],
    ['/ip firewall nat add chain=srcnat action=dst-nat to-addresses=10.0.0.1', /dst-nat works only in chain dstnat/],
    ['/ip firewall nat add chain=srcnat action=src-nat', /^failure: action src-nat needs to-addresses\n$/],
    ['/ip firewall nat add chain=dstnat action=dst-nat to-addresses=10.0.0.1 to-ports=80', /to-ports can be used only with protocol/],
    ['/ip firewall nat add chain=srcnat action=accept protocol=tcp to-ports=80', /to-ports has no meaning for action accept/],
    ['/ip firewall nat add chain=dstnat action=dst-nat to-addresses=10.0.0.1 protocol=tcp to-ports=80,81', /invalid value for argument to-ports/],
    ['/ip firewall nat add chain=srcnat in-interface=ether1 action=masquerade', /in-interface cannot be used in chain srcnat/],
    ['/ip firewall address-list add list=x', /failure: address must be set/],
  ];
  for (const [line, want] of refused) {
    const out = await r.type(line);
    t.match(out, want, line);
    t.equal(out.split('\n').length, 2, `one line: ${line}`);
  }
  t.equal(JSON.stringify(r.model.snapshot()), before, 'the configuration is as it was');
});

t.test('export round-trips the firewall', async (t) => {
  const a = await router();
  for (const line of [
    '/ip firewall address-list add list=hq address=198.18.5.0/24',
    '/ip firewall address-list add list=hq address=198.18.7.7 comment=admin',
    '/ip firewall filter add chain=input src-address-list=hq action=accept',
    '/ip firewall filter add chain=forward protocol=udp dst-port=53,5000-5010 src-address=10.0.0.9/24 action=reject',
    '/ip firewall filter add chain=input action=log log-prefix="dropped in" disabled=yes',
    '/ip firewall nat add chain=dstnat in-interface=ether1 protocol=tcp dst-port=8080 action=dst-nat to-addresses=192.168.88.10 to-ports=80',
    '/ip firewall nat add chain=srcnat out-interface=ether1 action=src-nat to-addresses=198.18.1.1',
  ]) t.equal(await a.type(line), '', line);
  t.match(await a.type('/ip firewall filter print'), /src-address=10\.0\.0\.0\/24/, 'a prefix is stored with its host bits cleared');
  const script = await a.type('/ip firewall export');
  t.match(script, /\/ip firewall filter\nadd chain=input src-address-list=hq\n/);
  const b = await router();
  for (const line of script.split('\n')) {
    const out = await b.type(line);
    t.equal(out, '', `pasted: ${line}`);
  }
  const strip = (r: typeof a) => JSON.stringify(Object.fromEntries(Object.entries(r.model.snapshot().lists)
    .filter(([p]) => p.startsWith('/ip firewall')).map(([p, s]) => [p, s.rows.map((row) => row.values)])));
  t.equal(strip(b), strip(a), 'the same rules, lists and order');
});

t.test('/ip firewall connection print shows what the runtime tracks', async (t) => {
  const r = await router();
  r.runtime.connections = () => [{
    protocol: 'tcp', src: '192.168.88.10:40000', dst: '198.18.0.1:80', replySrc: '198.18.0.1:80', replyDst: '198.18.3.2:40000',
    tcpState: 'established', timeout: 431999, seenReply: true, assured: true,
  }];
  const out = await r.type('/ip firewall connection print');
  t.match(out, /Flags: S - seen-reply, A - assured, N - srcnat, D - dstnat/);
  t.match(out, / 0 SAN\s+tcp\s+192\.168\.88\.10:40000\s+198\.18\.0\.1:80\s+established\s+4d23h59m59s/);
  t.match(await r.type('/ip firewall connection print detail'), /reply-dst-address=198\.18\.3\.2:40000/);
});
