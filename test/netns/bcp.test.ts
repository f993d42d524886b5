// Issue 14 section 3, BCP (RFC 3518) between two of our routers: each has a LAN on the same
// 192.168.88.0/24 behind a bridge whose ports are its LAN port and, while the tunnel is up, the
// BCP link's TAP device. Configured only at the consoles. ARP crosses, pings go both ways and a
// checksummed TCP transfer passes, first on the daemon's default data plane (in clear, then under
// MPPE-128), then with mrru=1600 on both ends, where full 1514-byte frames cross. tshark dissects the capture of the WAN.
import t from 'tap';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createNetns, lanHost, link, startRouter } from '../lib/routers.js';
import { waitFor, type Netns } from '../lib/netns.js';
import { transferChecked } from '../lib/transfer.js';
import { startCapture, tsharkFields } from '../interop/capture.js';

async function macOf(ns: Netns, dev: string): Promise<string> {
  const r = await ns.run(['cat', `/sys/class/net/${dev}/address`]);
  return r.stdout.trim();
}

async function pingOk(ns: Netns, to: string, extra: readonly string[] = []): Promise<{ ok: boolean; out: string }> {
  const r = await ns.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', ...extra, to]);
  return { ok: r.code === 0, out: r.stdout + r.stderr };
}

t.test('two LANs on one /24 bridged over a PPTP tunnel with BCP', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bcp-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const [hqNs, branchNs] = [await createNetns(t, 'bcphq'), await createNetns(t, 'bcpbr')];
  await link(hqNs, 'ether1', branchNs, 'ether1');
  const lanA = await lanHost(t, hqNs, 'ether2', '192.168.88.10/24', '192.168.88.1');
  const lanB = await lanHost(t, branchNs, 'ether2', '192.168.88.20/24', '192.168.88.1');
  const capture = await startCapture(t, hqNs, 'ether1', join(dir, 'wan.pcap'));
  const [hq, branch] = (await Promise.all([
    startRouter(t, hqNs, ['ether1', 'ether2'], { identity: 'HQ' }),
    startRouter(t, branchNs, ['ether1', 'ether2'], { identity: 'Branch' }),
  ])).map((n) => n.routerd) as [typeof hq, typeof branch];
  // The seed's bridge example, as typed (README, BCP), on each side.
  for (const [r, mac] of [[hq, '02:00:00:00:0B:01'], [branch, '02:00:00:00:0B:02']] as const) {
    await r.configure(`/interface bridge add name=bridge-lan auto-mac=no admin-mac=${mac}`);
    await r.configure('/interface bridge port add interface=ether2 bridge=bridge-lan');
  }
  await hq.configure('/ip address add address=198.18.14.1/24 interface=ether1');
  await branch.configure('/ip address add address=198.18.14.2/24 interface=ether1');
  await hq.configure('/ppp profile add name=bridged bridge=bridge-lan use-encryption=no local-address=10.0.114.1 remote-address=10.0.114.2');
  await hq.configure('/ppp secret add name=branch password=br1dge profile=bridged');
  await hq.configure('/interface pptp-server server set enabled=yes authentication=mschap2');
  await branch.configure('/ppp profile add name=bridged bridge=bridge-lan use-encryption=no');
  await branch.configure('/interface pptp-client add connect-to=198.18.14.1 user=branch password=br1dge profile=bridged disabled=no');
  await branch.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);

  // The default data plane (native where the addon has it): bridged frames through sendData.
  t.ok(await waitFor(async () => (await pingOk(lanB, '192.168.88.10')).ok, 20_000, 500), 'the branch LAN host pings the HQ one on its own /24');
  const neigh = await lanB.run(['ip', 'neigh', 'show', '192.168.88.10']);
  t.match(neigh.stdout, await macOf(lanA, 'eth0'), `ARP crossed: the branch host learned the HQ host's own MAC (${neigh.stdout.trim()})`);
  const back = await pingOk(lanA, '192.168.88.20');
  t.ok(back.ok, `and the other way\n${back.out}`);
  const tooBig = await lanA.exec(['ping', '-c', '1', '-W', '1', '-M', 'do', '-s', '1472', '192.168.88.20']);
  t.not(tooBig.code, 0, 'without mrru a 1514-byte frame does not fit the 1460-byte link (the TAP port\'s MTU is 1444)');
  // A bridge does not fragment and sends no ICMP: without MP, LAN hosts must keep their frames
  // within the TAP port's MTU.
  for (const ns of [lanA, lanB]) await ns.run(['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1444']);
  const moved = await transferChecked(t, lanA, '192.168.88.10', lanB, 4 << 20);
  t.ok(moved.ok, `4 MiB of TCP across the bridge, checksummed: ${moved.detail}`);
  t.match(await hq.logText(), /BCP: bcp\d+ is a port of bridge bridge-lan/, 'the server\'s log names the TAP port');
  t.match(await hq.command('/interface bridge port print'), /\d+\s+D\s+<pptp-branch>\s+bridge-lan/, 'the server lists the link as a dynamic port');
  t.match(await branch.command('/interface bridge port print'), /\d+\s+D\s+pptp-out1\s+bridge-lan/, 'and so does the client');
  t.match(await branch.command('/interface bridge port remove 1'), /^failure: can not change dynamic entry\n$/, 'a dynamic port cannot be removed');

  // MPPE-128 on the same plane: bridged frames are encrypted both ways (each end drops them in
  // clear while MPPE is on, so a ping answered proves it).
  for (const r of [hq, branch]) await r.configure('/ppp profile set bridged use-encryption=required');
  await branch.configure('/interface pptp-client disable pptp-out1');
  await branch.configure('/interface pptp-client enable pptp-out1');
  const encrypted = await branch.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  t.match(encrypted, /encoding: "MPPE128 stateless"/, 'the bridged link is encrypted');
  t.ok(await waitFor(async () => (await pingOk(lanA, '192.168.88.20')).ok, 20_000, 500), 'the LANs reach each other through MPPE');
  const movedMppe = await transferChecked(t, lanB, '192.168.88.20', lanA, 1 << 20, 8082);
  t.ok(movedMppe.ok, `1 MiB of TCP under MPPE-128, checksummed: ${movedMppe.detail}`);
  for (const r of [hq, branch]) await r.configure('/ppp profile set bridged use-encryption=no');

  // mrru=1600 at both ends: MP carries whole 1514-byte frames over the 1460-byte link.
  for (const ns of [lanA, lanB]) await ns.run(['ip', 'link', 'set', 'dev', 'eth0', 'mtu', '1500']);
  await hq.configure('/interface pptp-server server set mrru=1600');
  await branch.configure('/interface pptp-client disable pptp-out1');
  await branch.configure('/interface pptp-client set pptp-out1 mrru=1600');
  await branch.configure('/interface pptp-client enable pptp-out1');
  const monitor = await branch.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o) && /mrru: 1600/.test(o), 30_000);
  t.match(monitor, /mtu: 1460\b/, 'the link MTU stays 1460');
  t.ok(await waitFor(async () => (await pingOk(lanB, '192.168.88.10')).ok, 20_000, 500), 'bridged again after reconnecting');
  for (const [from, to] of [[lanA, '192.168.88.20'], [lanB, '192.168.88.10']] as const) {
    const r = await pingOk(from, to, ['-M', 'do', '-s', '1472']);
    t.ok(r.ok, `ping -M do -s 1472 ${to}: full 1514-byte frames cross\n${r.out}`);
  }
  const movedMp = await transferChecked(t, lanB, '192.168.88.20', lanA, 4 << 20, 8081);
  t.ok(movedMp.ok, `4 MiB of TCP the other way with MP, checksummed: ${movedMp.detail}`);
  await capture.stop();

  // Wireshark's dissectors over the WAN capture (nothing is encrypted: use-encryption=no).
  const ncp = await tsharkFields(capture.file, 'bcp_ncp', ['frame.number', 'bcp_ncp.opt.mac_sup', '_ws.malformed']);
  t.ok(ncp.length >= 4, `${ncp.length} BCP control packets dissected as BCP`);
  t.ok(ncp.some((r) => r[1] !== ''), 'a Configure-Request carries MAC-Support');
  const bridged = await tsharkFields(capture.file, 'bcp_bpdu', ['frame.protocols', 'bcp_bpdu.mac_type']);
  const kinds = new Set(bridged.map((r) => r[0]!.replace(/^.*bcp_bpdu:/, '')));
  t.ok(bridged.length > 100, `${bridged.length} bridged frames dissected`);
  t.ok(bridged.every((r) => r[1] === '1'), 'every one MAC type 1 (IEEE 802.3)');
  t.ok([...kinds].some((k) => k.startsWith('eth:ethertype:arp')), `ARP inside (${[...kinds].slice(0, 6).join(', ')})`);
  t.ok([...kinds].some((k) => k.startsWith('eth:ethertype:ip:icmp')), 'ICMP inside');
  t.ok([...kinds].some((k) => k.startsWith('eth:ethertype:ip:tcp')), 'TCP inside');
  const mp = await tsharkFields(capture.file, 'mp', ['frame.number']);
  t.ok(mp.length > 0, `${mp.length} MP fragments after mrru=1600`);
  const bad = await tsharkFields(capture.file, '(bcp_ncp || bcp_bpdu || ppp) && (_ws.malformed || _ws.expert.severity == 0x00800000)', ['frame.number', 'frame.protocols', '_ws.expert.message', '_ws.col.Info']);
  t.same(bad, [], 'no PPP or BCP frame malformed');
});
