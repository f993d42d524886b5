// A tunnel's life beyond the happy path: the peer vanishing (its link cut) is noticed within the
// keepalive time and everything the tunnel put on the host goes; the client dials again once the
// path is back; and routerd stopped with SIGTERM hangs up politely and leaves no tunnel
// interfaces or routes behind. A profile's session-timeout ends a session on time.
import t from 'tap';
import { waitFor, type TeardownHost } from '../lib/netns.js';
import { pings, twoRouters } from '../lib/routers.js';

async function rig(t: TeardownHost) {
  const { server, client } = await twoRouters(t, { subnet: '198.18.10' });
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2 routes="10.150.1.0/24 10.0.103.2 1"');
  await server.routerd.configure('/interface pptp-server server set enabled=yes keepalive-timeout=4');
  await client.routerd.configure('/ip route add dst-address=10.150.2.0/24 gateway=10.0.103.1');
  await client.routerd.configure('/interface pptp-client add connect-to=198.18.10.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  await server.routerd.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 10_000);
  return { server, client };
}

const tunnelLinks = async (ns: { run(argv: readonly string[]): Promise<{ stdout: string }> }) =>
  (await ns.run(['ip', '-o', 'link', 'show'])).stdout.split('\n').filter((l) => /pptp/.test(l));

t.test('the peer vanishes: the server notices within 2 x keepalive-timeout, the client redials', async (t) => {
  const { server, client } = await rig(t);
  t.equal((await tunnelLinks(server.ns)).length, 1, 'the server has a tunnel interface');

  const cut = Date.now();
  await client.ns.run(['ip', 'link', 'set', 'ether1', 'down']);
  const gone = await waitFor(async () => !/\bex\s+pptp/.test(await server.routerd.command('/ppp active print')), 20_000, 500);
  const seconds = (Date.now() - cut) / 1000;
  t.ok(gone, `the server dropped the user ${seconds.toFixed(1)} s after the link was cut (keepalive-timeout=4: 8 s plus a little)`);
  t.ok(seconds < 14, 'within 2 x keepalive-timeout plus a few seconds');
  t.same(await tunnelLinks(server.ns), [], 'its tunnel interface is gone');
  const route = await server.ns.run(['ip', '-4', 'route', 'show', '10.150.1.0/24']);
  t.equal(route.stdout.trim(), '', "and the secret's route with it");
  const log = await server.routerd.logText();
  t.match(log, /keepalive timeout/, 'the log says why');

  await client.ns.run(['ip', 'link', 'set', 'ether1', 'up']);
  // The client's own keepalive is 60 s; it learns sooner from the server's closed connection.
  const back = await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o) && /uptime: \d+s\b/.test(o) && !/uptime: ([1-9]\d|\d{3,})s/.test(o), 150_000, 1000);
  t.pass(`the client is connected again\n${back}`);
  await server.routerd.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 10_000);
  const ping = await pings(client.ns, '10.0.103.1');
  t.ok(ping.ok, `traffic passes after the redial\n${ping.output}`);
});

t.test('/ppp active remove disconnects the user; the client dials again', async (t) => {
  const { server } = await rig(t);
  await server.routerd.configure('/ppp active print');
  await server.routerd.configure('/ppp active remove 0');
  await server.routerd.poll('/log print', (o) => /ex from 198\.18\.10\.2 disconnected: disconnected by administrator/.test(o), 10_000);
  t.pass('the server logs the administrator\'s disconnect');
  const back = await server.routerd.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 30_000, 500);
  t.pass(`the client came back by itself\n${back}`);
});

t.test('session-timeout on the profile ends the session after that time; the client dials again', async (t) => {
  const { server } = await rig(t);
  // Read when the user logs in: the session already up keeps running without a limit.
  await server.routerd.configure('/ppp profile set default session-timeout=5s');
  await server.routerd.configure('/ppp active remove 0');
  await server.routerd.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 30_000, 500);
  const since = Date.now();
  await server.routerd.poll('/log print', (o) => /ex from 198\.18\.10\.2 disconnected: session timeout/.test(o), 20_000, 500);
  const seconds = (Date.now() - since) / 1000;
  t.ok(seconds >= 3 && seconds < 15, `the server hung up on the 5 s session-timeout (${seconds.toFixed(1)} s after the session was seen)`);
  const back = await server.routerd.poll('/ppp active print', (o) => /\bex\s+pptp/.test(o), 30_000, 500);
  t.pass(`the client came back by itself\n${back}`);
});

t.test('SIGTERM: both ends hang up politely and leave nothing behind', async (t) => {
  const { server, client } = await rig(t);
  t.equal((await tunnelLinks(client.ns)).length, 1, 'the client has a tunnel interface');
  await client.routerd.stop();
  const log = await server.routerd.poll('/log print', (o) => /ex from 198\.18\.10\.2 disconnected/.test(o), 10_000);
  t.match(log, /disconnected: (LCP terminated by peer|PPTP call ended)/, `the server heard the client hang up\n${log.split('\n').filter((l) => /disconnected/.test(l)).join('\n')}`);
  t.same(await tunnelLinks(client.ns), [], 'no tunnel interface is left in the client namespace');
  const routes = (await client.ns.run(['ip', '-4', 'route', 'show'])).stdout;
  t.notMatch(routes, /10\.150\.2\.0|10\.0\.103/, `no tunnel routes are left\n${routes}`);
  t.notMatch(routes, /198\.18\.10\.0/, 'and the configured address is taken off the port');

  await waitFor(async () => (await tunnelLinks(server.ns)).length === 0, 5000);
  t.same(await tunnelLinks(server.ns), [], 'the server removed its tunnel interface');
  await server.routerd.stop();
  const serverRoutes = (await server.ns.run(['ip', '-4', 'route', 'show'])).stdout;
  t.equal(serverRoutes.trim(), '', `the stopped server leaves no routes\n${serverRoutes}`);
});
