// The harness with the real Linux stack on both ends: a pptp-linux client guest dials a pptpd
// guest on the same bridge with MS-CHAPv2 and MPPE-128, pings through ppp0 both ways, moves a
// file with a checksum, and hangs up. Proves the guest image, the role files, the log reading
// and the captures; the first connection's capture is the golden reference of Linux talking to
// itself (test/fixtures/interop/linux-pptp-mschapv2-mppe128.pcap, refreshed when
// INTEROP_UPDATE_FIXTURES=1).
import t from 'tap';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { countPackets, startCapture, wireCheck } from './capture.js';
import { bootGuest, createInteropNet } from './guest.js';

const fixture = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'interop', 'linux-pptp-mschapv2-mppe128.pcap');

t.test('pptp-linux and pptpd connect with MS-CHAPv2 + MPPE-128, ping and move a file through ppp0', async (t) => {
  const started = Date.now();
  const secs = (): string => ((Date.now() - started) / 1000).toFixed(1);
  const net = await createInteropNet(t, 41);
  const dir = mkdtempSync(join(tmpdir(), `interop-${process.pid}-l2l-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const capture = await startCapture(t, net.ns, net.bridge, join(dir, 'connect.pcap'));

  const serverAddress = net.guestAddress(2);
  const [server, client] = await Promise.all([
    bootGuest(t, net, {
      name: 'srv',
      address: serverAddress,
      role: {
        kind: 'pptpd',
        users: [{ name: 'ex', password: 'lkjrht' }],
        localIp: '10.0.103.1',
        remoteIp: '10.0.103.2-9',
        // Debian's default /etc/ppp/pptpd-options, less proxyarp.
        pppdOptions: ['refuse-pap', 'refuse-chap', 'refuse-mschap', 'require-mschap-v2', 'require-mppe-128', 'nobsdcomp', 'novj', 'novjccomp'],
      },
    }),
    bootGuest(t, net, {
      name: 'cli',
      address: net.guestAddress(3),
      role: {
        kind: 'pptp',
        server: serverAddress.split('/')[0]!,
        user: 'ex',
        password: 'lkjrht',
        // pptp-linux's documented options.pptp for a Windows-style server.
        pppdOptions: ['refuse-pap', 'refuse-eap', 'refuse-chap', 'refuse-mschap', 'require-mppe-128', 'nobsdcomp', 'nodeflate'],
        dial: 'on-request',
      },
    }),
  ]);
  t.comment(`both guests ready at ${secs()} s`);

  const from = await client.dial();
  const [up, serverUp] = await Promise.all([client.waitForIpUp(60_000, from), server.waitForIpUp(60_000)]);
  t.comment(`ppp0 up at ${secs()} s: client ${up.local} <-> ${up.remote}`);
  t.equal(up.local, '10.0.103.2', 'the client gets the first address of pptpd\'s remoteip');
  t.equal(up.remote, '10.0.103.1', 'the client\'s peer is pptpd\'s localip');
  t.equal(serverUp.ipparam, client.address, `pptpd hands pppd the client's address as ipparam (${JSON.stringify(serverUp)})`);

  t.match(client.logText('pppd'), /CHAP authentication succeeded/, 'client: MS-CHAPv2 succeeded (authenticator response checked)');
  t.match(client.logText('pppd'), /MPPE 128-bit stateless compression enabled/, 'client: MPPE-128 stateless');
  t.match(server.logText('pppd'), /MPPE 128-bit stateless compression enabled/, 'server: MPPE-128 stateless');
  t.match(server.logText('pppd'), /rcvd \[CHAP Response id=0x[0-9a-f]+ <[0-9a-f]+>, name = "ex"\]/, 'server: CHAP Response from user ex');

  const ping = await client.exec(`ping -c 3 -W 5 ${up.remote}`, 40_000);
  t.equal(ping.code, 0, `client pings the server through ppp0\n${ping.output}`);
  t.match(ping.output, /3 packets received/, 'no ping lost');
  const back = await server.exec(`ping -c 3 -W 5 ${up.local}`, 40_000);
  t.equal(back.code, 0, `server pings the client through its ppp interface\n${back.output}`);
  const route = await client.run(`ip route get ${up.remote}`);
  t.match(route, /dev ppp0/, 'the ping went through ppp0');

  await client.hangUp();
  const clientExit = await client.waitForExit('pppd', 30_000, from);
  const serverExit = await server.waitForExit('pppd', 30_000);
  t.comment(`hung up at ${secs()} s: client pppd exit ${clientExit.status}, server pppd exit ${serverExit.status} (${serverExit.detail})`);
  // pppd signals its whole process group when it ends (kill_my_pg), so pptp-linux dies with it
  // and clears the call (Call-Clear-Request, then TCP FIN, no Stop-Control-Connection) before
  // the LCP Terminate-Request pppd queued reaches the wire; pppd then sees the pty hang up
  // (exit 16) rather than finishing its own terminate (exit 5). A PPTP server must expect a
  // call to end this way.
  t.ok([5, 16].includes(clientExit.status), `client pppd exits 5 (signal) or 16 (hangup): ${clientExit.status}`);
  t.equal(serverExit.detail, client.address, 'the server reports the end of that client\'s call');
  t.match(client.logText('pppd'), /sent \[LCP TermReq/, 'client: pppd queued an LCP Terminate-Request');
  // The last segments of the control connection can still be in flight when pppd's exit is
  // logged: give them a moment to reach the capture.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await capture.stop();

  t.same(await wireCheck(capture.file), [], 'Wireshark finds nothing malformed in the Linux-to-Linux exchange');
  for (const [what, filter] of [
    ['MS-CHAPv2 Challenge/Response/Success', 'chap.code == 3'],
    ['CCP Configure-Ack of MPPE', 'ccp && ppp.code == 2 && ccp.opt.type == 18'],
    ['IPCP Configure-Ack', 'ipcp && ppp.code == 2'],
    // Which side closes first races (pptp-linux dies with pppd, pptpctrl sees the pty hang up).
    ['the call ending (Call-Clear-Request, Call-Disconnect-Notify or a FIN on TCP 1723)', 'pptp.control_message_type == 12 || pptp.control_message_type == 13 || (tcp.port == 1723 && tcp.flags.fin == 1)'],
    ['Outgoing-Call-Reply', 'pptp.control_message_type == 8'],
  ] as const) {
    t.ok((await countPackets(capture.file, filter)) > 0, `the capture holds ${what}`);
  }
  if (process.env.INTEROP_UPDATE_FIXTURES === '1') {
    copyFileSync(capture.file, fixture);
    chmodSync(fixture, 0o644);
    t.comment(`golden capture written to ${fixture}`);
  }
  if (process.env.INTEROP_KEEP) copyFileSync(capture.file, join(process.env.INTEROP_KEEP, 'linux-to-linux.pcap'));

  // Second call, not captured: a file of 1 MiB from server to client, checked end to end.
  const again = await client.dial();
  const up2 = await client.waitForIpUp(60_000, again);
  await server.run('mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/blob bs=1024 count=1024 2>/dev/null && httpd -p 8080 -h /tmp/www');
  const want = (await server.run('sha256sum /tmp/www/blob')).split(' ')[0];
  const got = await client.exec(`wget -q -O - http://${up2.remote}:8080/blob | sha256sum`, 120_000);
  t.equal(got.code, 0, 'wget through the tunnel succeeds');
  t.equal(got.output.split(' ')[0], want, '1 MiB crosses MPPE-128 intact (sha256)');
  t.comment(`transfer done at ${secs()} s`);

  const [cleanClient, cleanServer] = await Promise.all([client.shutdown(), server.shutdown()]);
  t.ok(cleanClient && cleanServer, 'both guests power off cleanly');
  t.comment(`test time ${secs()} s`);
});

t.test('the golden Linux-to-Linux capture passes the wire check', async (t) => {
  t.same(await wireCheck(fixture), [], `${fixture} is clean`);
  t.ok((await countPackets(fixture, 'chap')) >= 3, 'it holds the MS-CHAPv2 exchange');
  t.ok((await countPackets(fixture, 'ccp')) >= 2, 'it holds the CCP (MPPE) negotiation');
});
