// Profile properties that act on a running link (issue 14 section 5): rate-limit shapes the
// tunnel with Linux traffic control (checked with iperf3 through the tunnel: the shaped rate is
// far below the unshaped one, each way), idle-timeout ends a silent link, and use-compression=yes
// is refused at the console because MPPC is not implemented. Typed at the consoles.
import t from 'tap';
import { twoRouters, type RouterNode } from '../lib/routers.js';
import type { Netns, TeardownHost } from '../lib/netns.js';

async function rig(t: TeardownHost) {
  const { server, client } = await twoRouters(t, { subnet: '198.18.42' });
  await server.routerd.configure('/ppp secret add name=user password=passwd local-address=10.0.0.1 remote-address=10.0.0.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.42.1 user=user password=passwd disabled=yes');
  return { server, client };
}

async function connect(server: RouterNode, client: RouterNode): Promise<void> {
  await client.routerd.configure('/interface pptp-client enable out');
  await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 60_000);
  await server.routerd.poll('/ppp active print', (o) => /\buser\s+pptp/.test(o), 20_000);
}

async function hangUp(server: RouterNode, client: RouterNode): Promise<void> {
  await client.routerd.configure('/interface pptp-client disable out');
  await server.routerd.poll('/ppp active print', (o) => !/\buser\s+pptp/.test(o), 20_000);
}

/** iperf3 from the client's namespace to the server's tunnel address: bits per second received. */
async function iperf(ns: Netns, reverse: boolean): Promise<number> {
  const r = await ns.exec(['iperf3', '-c', '10.0.0.1', '-t', '3', '-J', ...(reverse ? ['-R'] : [])]);
  const j = JSON.parse(r.stdout) as { end?: { sum_received?: { bits_per_second?: number } }; error?: string };
  if (!j.end?.sum_received?.bits_per_second) throw new Error(`iperf3: ${j.error ?? r.stderr}`);
  return j.end.sum_received.bits_per_second;
}

// One pair of routers for the file: starting routers is most of its cost.
t.test('profile properties on a running link', async (t) => {
  const { server, client } = await rig(t);

  await t.test('rate-limit=2M/4M shapes the tunnel both ways', async (t) => {
    // Not bound to 10.0.0.1: that address exists only while a tunnel is up. The client reaches
    // this server only through the tunnel anyway (10.0.0.1 is the server's end of it).
    const iperfServer = server.ns.spawn('iperf3', ['-s'], { stdio: 'ignore' });
    t.teardown(() => void iperfServer.kill('SIGKILL'));
    await connect(server, client);
    const free = await iperf(client.ns, false);
    t.comment(`unshaped: ${(free / 1e6).toFixed(1)} Mbit/s`);
    await hangUp(server, client);

    await server.routerd.configure('/ppp profile set default rate-limit=2M/4M');
    await connect(server, client);
    const up = await iperf(client.ns, false);
    const down = await iperf(client.ns, true);
    t.comment(`shaped: user to router ${(up / 1e6).toFixed(2)} Mbit/s (rx 2M), router to user ${(down / 1e6).toFixed(2)} Mbit/s (tx 4M)`);
    t.ok(up < 2e6 * 1.3, `what the user sends is held near 2M (${up})`);
    t.ok(down < 4e6 * 1.3, `what the user receives is held near 4M (${down})`);
    t.ok(free > 3 * Math.max(up, down), 'unshaped is well above both');
    t.ok(down > up, 'tx 4M carries more than rx 2M');
    await hangUp(server, client);
    await server.routerd.configure('/ppp profile set default rate-limit=""');
  });

  await t.test('idle-timeout closes a link that carries nothing; use-compression=yes is refused', async (t) => {
    const refused = await server.routerd.command('/ppp profile set default use-compression=yes');
    t.match(refused, /MPPC compression is not implemented/, `the console says why\n${refused}`);
    t.match(await server.routerd.command('/ppp profile print detail'), /use-compression=default/, 'nothing changed');
    t.match(await server.routerd.command('/ppp profile set default rate-limit="2M/4M 1M/2M"'), /burst and priority parts are not implemented/, 'bursts are refused, not ignored');

    await server.routerd.configure('/ppp profile set default idle-timeout=3s');
    await connect(server, client);
    const log = await server.routerd.poll('/log print', (o) => /user from 198\.18\.42\.2 disconnected: idle timeout/.test(o), 30_000);
    t.pass(`the server hung up on the idle link\n${log.split('\n').filter((l) => /idle/.test(l)).join('\n')}`);
    await client.routerd.configure('/interface pptp-client disable out');
  });
});
