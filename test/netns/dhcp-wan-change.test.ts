// Issue 16: a branch office whose ISP hands its WAN port a new address. The pptp-client whose
// route to headquarters leaves through that DHCP-client port dials again from the new address
// at once, instead of waiting for its keepalive to give up on the dead tunnel. The ISP is
// Debian's dnsmasq, told the new address through a dhcp-hostsfile (re-read on SIGHUP).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ispDnsmasq } from '../lib/dhcp-peers.js';
import { createNetns, createVethPair, waitFor } from '../lib/netns.js';
import { startRouter } from '../lib/routers.js';

const MAC = '02:00:00:18:20:02';

t.test('a pptp-client follows a new WAN address from DHCP', async (t) => {
  const [hq, branchNs] = [await createNetns(t, 'wan-hq'), await createNetns(t, 'wan-br')];
  await createVethPair(hq, branchNs, { nameA: 'ether1', nameB: 'ether1' });
  await branchNs.run(['ip', 'link', 'set', 'ether1', 'address', MAC]);
  const [server, branch] = await Promise.all([
    // Level 3: the dead tunnel holds a licence slot on both sides until its keepalive ends it.
    startRouter(t, hq, ['ether1'], { identity: 'HQ', level: 3 }),
    startRouter(t, branchNs, ['ether1'], { identity: 'Branch', level: 3 }),
  ]);
  const s = server.routerd;
  await s.configure('/ip address add address=198.18.20.1/24 interface=ether1');
  // A pool, not a fixed remote-address: the stale session keeps its address until headquarters'
  // keepalive gives up on it, and a fixed one would refuse the new login until then.
  await s.configure('/ip pool add name=branches ranges=10.20.0.10-10.20.0.20');
  await s.configure('/ppp secret add name=branch1 password=Br4nch-pw local-address=10.20.0.1 remote-address=branches');
  await s.configure('/interface pptp-server server set enabled=yes');
  // The ISP's DHCP server shares the segment (it runs beside headquarters' router).
  const dir = mkdtempSync(join(tmpdir(), `wan-change-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hosts = join(dir, 'hosts');
  await waitFor(async () => (await hq.exec(['ip', '-4', 'addr', 'show', 'ether1'])).stdout.includes('198.18.20.1'), 10_000);
  writeFileSync(hosts, `${MAC},198.18.20.50\n`);
  const dnsmasq = await ispDnsmasq(t, hq, '198.18.20.1', ['dhcp-range=198.18.20.40,198.18.20.90,255.255.255.0,10m', `dhcp-hostsfile=${hosts}`, 'port=0']);

  const b = branch.routerd;
  await b.configure('/ip dhcp-client add interface=ether1 disabled=no');
  await b.poll('/ip dhcp-client print', (o) => /bound\s+198\.18\.20\.50\/24/.test(o), 60_000);
  await b.configure('/interface pptp-client add name=to-hq connect-to=198.18.20.1 user=branch1 password=Br4nch-pw disabled=no');
  await b.poll('/interface pptp-client monitor to-hq once', (o) => /status: "?connected/.test(o), 30_000);
  t.match(await s.command('/ppp active print detail'), /caller-id="?198\.18\.20\.50/, 'the tunnel comes from the first address');

  // The ISP moves the branch to .60: the old address is released and a new one taken.
  writeFileSync(hosts, `${MAC},198.18.20.60\n`);
  dnsmasq.kill('SIGHUP');
  t.equal(await b.command('/ip dhcp-client release 0'), '');
  await b.poll('/ip dhcp-client print', (o) => /bound\s+198\.18\.20\.60\/24/.test(o), 60_000);
  const active = await s.poll('/ppp active print detail', (o) => /caller-id="?198\.18\.20\.60/.test(o), 30_000);
  t.match(active, /caller-id="?198\.18\.20\.60/, `headquarters sees the tunnel from the new address\n${active}`);
  await b.poll('/interface pptp-client monitor to-hq once', (o) => /status: "?connected/.test(o), 30_000);
  t.match(await b.command('/log print'), /to-hq: address on ether1 changed \(198\.18\.20\.50\/24 -> 198\.18\.20\.60\/24\): dialing again/);
  const routes = (await branchNs.run(['ip', '-4', 'addr', 'show', 'ether1'])).stdout;
  t.notMatch(routes, /198\.18\.20\.50/, 'the old address is gone from the port');
});
