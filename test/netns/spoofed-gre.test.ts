// Issue 15: GRE spoofed from the client's address with the live call's ID and random sequence
// numbers, coherency counts and flags (and GRE with random call IDs) used to stop a tunnel for
// good. A real tunnel between our client and server (native data plane, the default, MPPE-128
// stateless) carries a checked transfer before, during and after the junk; it must pass traffic
// throughout and answer pings once the junk stops.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { twoRouters, pings } from '../lib/routers.js';
import { waitFor } from '../lib/netns.js';
import { fetchSha256, serveBlob } from '../lib/transfer.js';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const BYTES = 8 * 1024 * 1024;
// SPOOF_PPS: a heavier flood for a measurement by hand (the suite runs the default)
const JUNK_PPS = Number(process.env.SPOOF_PPS ?? '2000');

t.test('a tunnel keeps passing traffic while spoofed GRE flows and after it stops', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.15' });
  for (const r of [server.routerd, client.routerd]) await r.configure('/ppp profile set default use-encryption=required');
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.15.1 remote-address=10.0.15.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure('/interface pptp-client add connect-to=198.18.15.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  t.ok(await waitFor(async () => (await pings(client.ns, '10.0.15.1')).ok, 20_000, 500), 'the tunnel is up');
  const log = await server.routerd.poll('/log print', (o) => /call \d+ 198\.18\.15\.2/.test(o), 10_000);
  const callId = Number(/call (\d+) 198\.18\.15\.2/.exec(log)![1]);

  const served = await serveBlob(t, server.ns, '10.0.15.1', 8080, BYTES);
  const timed = async (): Promise<{ ok: boolean; mbps: number }> => {
    const started = Date.now();
    const got = await fetchSha256(client.ns, 'http://10.0.15.1:8080/blob');
    const mbps = (got.bytes * 8) / 1e6 / ((Date.now() - started) / 1000);
    return { ok: got.sha256 === served.sha256 && got.bytes === served.bytes, mbps };
  };
  const before = await timed();
  t.ok(before.ok, `transfer before the junk: ${before.mbps.toFixed(0)} Mbit/s`);

  const spoofer = client.ns.spawn('node', ['--import', tsLoader, join(root, 'test', 'netns', 'fixtures', 'gre-spoofer.ts'), '198.18.15.1', String(callId), '12', String(JUNK_PPS)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let spoofOut = '';
  spoofer.stdout!.on('data', (d: Buffer) => (spoofOut += d.toString()));
  spoofer.stderr!.on('data', (d: Buffer) => (spoofOut += d.toString()));
  const done = new Promise<void>((resolve) => spoofer.on('exit', () => resolve()));
  await new Promise((r) => setTimeout(r, 1500)); // the spoofer's node start, then junk is flowing
  const during = await timed();
  t.ok(during.ok, `transfer while junk flows: ${during.mbps.toFixed(0)} Mbit/s (${((100 * during.mbps) / before.mbps).toFixed(0)}% of before)`);
  t.ok((await pings(client.ns, '10.0.15.1')).ok, 'pings pass while junk flows');
  await done;
  t.match(spoofOut, /sent [1-9]\d*/, `the spoofer sent its junk (${spoofOut.trim()}, call ID ${callId})`);

  t.ok((await pings(client.ns, '10.0.15.1')).ok, 'pings pass after the junk stopped');
  const after = await timed();
  t.ok(after.ok, `transfer after the junk: ${after.mbps.toFixed(0)} Mbit/s`);
  t.comment(`spoofed GRE at ${JUNK_PPS} pkt/s: ${before.mbps.toFixed(0)} -> ${during.mbps.toFixed(0)} -> ${after.mbps.toFixed(0)} Mbit/s`);
});
