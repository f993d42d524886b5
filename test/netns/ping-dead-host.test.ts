// Issue 12 §2: `/ping count=N` to a host that does not answer sends N, prints N timeouts and
// reports N transmitted (iputils' ping reports no "no answer yet" for the last request).
import t from 'tap';
import { createNetns, link, startRouter } from '../lib/routers.js';
import { waitFor } from '../lib/netns.js';

t.test('ping count=3 to a silent host prints three timeouts and 3 transmitted', async (t) => {
  const [routerNs, peer] = [await createNetns(t, 'pd-r'), await createNetns(t, 'pd-p')];
  await link(routerNs, 'ether1', peer, 'p1');
  await peer.run(['ip', 'addr', 'add', '198.18.50.2/24', 'dev', 'p1']);
  await peer.run(['ip', 'link', 'set', 'p1', 'up']);
  // The peer is there (ARP answers) but ignores echo requests: a silent host.
  await peer.run(['sysctl', '-q', '-w', 'net.ipv4.icmp_echo_ignore_all=1']);
  const { routerd: r } = await startRouter(t, routerNs, ['ether1']);
  await r.configure('/ip address add address=198.18.50.1/24 interface=ether1');
  const applied = async () => (await routerNs.exec(['ip', '-4', '-o', 'addr', 'show', 'dev', 'ether1'])).stdout.includes('198.18.50.1/24');
  t.ok(await waitFor(applied, 10_000), 'the address is on the port');
  const out = await r.command('/ping 198.18.50.2 count=3 interval=0.2', 30_000);
  t.equal(out.match(/^198\.18\.50\.2 timeout$/gm)?.length, 3, `three timeouts\n${out}`);
  t.match(out, /^3 packets transmitted, 0 packets received, 100% packet loss$/m);
  t.notMatch(out, /round-trip/, 'no round-trip line without answers');
});
