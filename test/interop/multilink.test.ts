// Issue 14 section 2, interop: the real Linux client (pppd 2.4.9 + pptp-linux in the QEMU guest)
// with `multilink mrru 1600` dials routerd whose server is set to mrru=1600 at its console. LCP
// settles MP both ways under MPPE-128; pppd sends every packet with an MP header (Linux
// ppp_generic on a bundle), routerd fragments what exceeds the 1450-byte link. A 1500-byte ping
// with DF crosses from routerd's side, and 1 MiB each way arrives intact. Then the other role:
// routerd's pptp-client with mrru=1600 dials pptpd whose pppd runs `multilink mrru 1600`.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, createInteropNet } from './guest.js';
import type { PptpClientRole, PptpdRole } from './guest-role.js';
import { startRouterd } from '../lib/routerd.js';
import { fetchSha256, guestFetchSha256, guestServeBlob, serveBlob } from './transfer.js';

const SUBNET = 47;
const LOCAL = '10.0.103.1';
const REMOTE = '10.0.103.2';

t.setTimeout(1_200_000);

t.test('pppd with multilink mrru 1600 against routerd with mrru=1600', async (t) => {
  const net = await createInteropNet(t, SUBNET);
  const dir = mkdtempSync(join(tmpdir(), `interop-${process.pid}-mp-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const role: PptpClientRole = {
    kind: 'pptp', server: `198.18.${SUBNET}.1`, user: 'ex', password: 'lkjrht', dial: 'on-request',
    pppdOptions: ['refuse-eap', 'nobsdcomp', 'nodeflate', 'refuse-pap', 'refuse-chap', 'refuse-mschap', 'require-mppe-128',
      'multilink', 'mrru', '1600', 'mtu', '1450', 'mru', '1450'],
  };
  const [routerd, guest] = await Promise.all([
    startRouterd(t, net.ns),
    bootGuest(t, net, { name: 'mp', address: net.guestAddress(2), role }),
  ]);
  await routerd.configure(`/ppp secret add name=ex password=lkjrht local-address=${LOCAL} remote-address=${REMOTE}`);
  await routerd.configure('/interface pptp-server server set enabled=yes max-mtu=1450 max-mru=1450 mrru=1600');
  const from = await guest.dial();
  const up = await guest.waitForIpUp(90_000, from).catch(async (e: Error) => {
    throw new Error(`${e.message}\n--- routerd log ---\n${await routerd.logText()}`);
  });
  t.equal(up.local, REMOTE);
  const pppd = guest.console.slice(from);
  t.match(pppd, /MPPE 128-bit stateless compression enabled/, 'pppd: MPPE-128');
  t.notMatch(pppd, /Protocol-Reject for [^\n]*'Multi-?Link'/i, 'routerd did not reject MP');
  const active = await routerd.poll('/interface pptp-server print', (o) => /<pptp-ex>/.test(o), 15_000);
  t.comment(active);
  const link = await guest.exec('ip link show ppp0', 20_000);
  t.comment(`guest: ${link.output.trim()}`);

  const big = await net.ns.exec(['ping', '-c', '3', '-i', '0.3', '-W', '5', '-M', 'do', '-s', '1472', REMOTE]);
  t.equal(big.code, 0, `routerd's side: ping -M do -s 1472 crosses the 1450 link as MP fragments\n${big.stdout}${big.stderr}`);
  const small = await guest.exec(`ping -c 3 -W 5 ${LOCAL}`, 40_000);
  t.match(small.output, /3 packets received/, 'the guest pings routerd through its MP bundle');
  const guestBig = await guest.exec(`ping -c 3 -W 5 -s 1472 ${LOCAL}`, 40_000);
  t.match(guestBig.output, /3 packets received/, `1500-byte pings from the guest too\n${guestBig.output}`);

  const fromUs = await serveBlob(t, net.ns, LOCAL, 8080, 1 << 20);
  t.equal(await guestFetchSha256(guest, `http://${LOCAL}:8080/blob`), fromUs.sha256, '1 MiB routerd -> guest intact');
  const want = await guestServeBlob(guest, 1024);
  t.equal((await fetchSha256(net.ns, `http://${REMOTE}:8080/blob`)).sha256, want, '1 MiB guest -> routerd intact');
  await guest.hangUp();
});

t.test('routerd pptp-client with mrru=1600 against pptpd with multilink mrru 1600', async (t) => {
  const net = await createInteropNet(t, SUBNET + 1);
  const role: PptpdRole = {
    kind: 'pptpd', users: [{ name: 'ex', password: 'lkjrht' }], localIp: LOCAL, remoteIp: `${REMOTE}-9`,
    pppdOptions: ['nobsdcomp', 'novj', 'novjccomp', 'refuse-pap', 'refuse-chap', 'refuse-mschap', 'require-mschap-v2', 'require-mppe-128',
      'multilink', 'mrru', '1600', 'mtu', '1450', 'mru', '1450'],
  };
  const [routerd, guest] = await Promise.all([
    startRouterd(t, net.ns),
    bootGuest(t, net, { name: 'mps', address: net.guestAddress(2), role }),
  ]);
  const from = guest.console.length;
  await routerd.configure(`/interface pptp-client add name=to-linux connect-to=${guest.address} user=ex password=lkjrht max-mtu=1450 max-mru=1450 mrru=1600 disabled=no`);
  const up = await guest.waitForIpUp(90_000, from).catch(async (e: Error) => {
    throw new Error(`${e.message}\n--- routerd log ---\n${await routerd.logText()}`);
  });
  t.equal(up.remote, REMOTE, 'pptpd gave our client its first remoteip address');
  const pppd = guest.console.slice(from);
  t.match(pppd, /MPPE 128-bit stateless compression enabled/, 'pptpd\'s pppd: MPPE-128');
  t.match(pppd, /rcvd \[LCP ConfReq[^\]]*<mrru 1600>/, 'our client offered MRRU 1600');
  t.notMatch(pppd, /Protocol-Reject for [^\n]*'Multi-?Link'/i, 'nobody rejected MP');
  const monitor = await routerd.poll('/interface pptp-client monitor to-linux once', (o) => /status: "connected"/.test(o), 20_000);
  t.match(monitor, /mrru: 1600\b/, `routerd's monitor shows the MRRU\n${monitor}`);

  const big = await net.ns.exec(['ping', '-c', '3', '-i', '0.3', '-W', '5', '-M', 'do', '-s', '1472', LOCAL]);
  t.equal(big.code, 0, `routerd's side: ping -M do -s 1472 crosses the 1450 link as MP fragments\n${big.stdout}${big.stderr}`);
  const guestBig = await guest.exec(`ping -c 3 -W 5 -s 1472 ${REMOTE}`, 40_000);
  t.match(guestBig.output, /3 packets received/, `1500-byte pings from pptpd's side too\n${guestBig.output}`);
  const want = await guestServeBlob(guest, 1024);
  t.equal((await fetchSha256(net.ns, `http://${LOCAL}:8080/blob`)).sha256, want, '1 MiB pptpd -> routerd intact');
  const fromUs = await serveBlob(t, net.ns, REMOTE, 8081, 1 << 20);
  t.equal(await guestFetchSha256(guest, `http://${REMOTE}:8081/blob`), fromUs.sha256, '1 MiB routerd -> pptpd intact');
  await routerd.configure('/interface pptp-client disable to-linux');
  await guest.waitForExit('pppd', 30_000, from);
});
