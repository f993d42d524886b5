// Issue 19 item 3 between two routerd processes started as users start them: a server user with
// no addresses (the default profile sets none) is refused at authorization with a log line, and
// gets in once the secret has them; a server that assigns the client one of the client's own
// addresses is refused by the client, which says why.
import t from 'tap';
import { pings, twoRouters } from '../lib/routers.js';

const SUBNET = '198.18.19';

t.test('addresses of a tunnel are the routers\' own choice, never taken blindly', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: SUBNET });
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure(`/interface pptp-client add name=out connect-to=${SUBNET}.1 user=ex password=lkjrht disabled=no`);

  await t.test('a user without addresses is refused with a log line', async (t) => {
    const log = await server.routerd.poll('/log print', (o) => /refused: no local-address/.test(o), 30_000);
    t.match(log, new RegExp(`user ex from ${SUBNET.replace(/\./g, '\\.')}\\.2 refused: no local-address for user ex: set it on the secret or its profile default`), 'the server names the user, the caller and what is missing');
    t.notMatch(await server.routerd.command('/ppp active print'), /\bex\s+pptp/, 'nobody is connected');
    const monitor = await client.routerd.command('/interface pptp-client monitor out once');
    t.notMatch(monitor, /status: "connected"/, `the client is not connected\n${monitor}`);
    const addrs = await server.ns.exec(['ip', '-4', '-o', 'address', 'show']);
    t.notMatch(addrs.stdout, /peer/, 'no tunnel address was configured on the server');
  });

  await t.test('with addresses on the secret the same client gets in', async (t) => {
    await server.routerd.configure('/ppp secret set ex local-address=10.0.103.1 remote-address=10.0.103.2');
    await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 60_000);
    const ping = await pings(client.ns, '10.0.103.1');
    t.ok(ping.ok, `the tunnel carries traffic\n${ping.output}`);
    await client.routerd.configure('/interface pptp-client disable out');
    await server.routerd.poll('/ppp active print', (o) => !/\bex\s+pptp/.test(o), 15_000);
  });

  await t.test('a client refuses to be given one of its own addresses', async (t) => {
    // The client's own address on the shared segment: `peer` routes through the tunnel would
    // take the client's own traffic for that address away.
    await server.routerd.configure(`/ppp secret set ex remote-address=${SUBNET}.2`);
    await client.routerd.configure('/interface pptp-client enable out');
    const log = await client.routerd.poll('/log print', (o) => /address assigned to us/.test(o), 30_000);
    t.match(log, new RegExp(`address assigned to us ${SUBNET.replace(/\./g, '\\.')}\\.2 refused: one of our own addresses`), 'the client says why');
    const monitor = await client.routerd.command('/interface pptp-client monitor out once');
    t.notMatch(monitor, /status: "connected"/, `not connected\n${monitor}`);
    const addrs = await client.ns.exec(['ip', '-4', '-o', 'address', 'show']);
    t.notMatch(addrs.stdout, /peer/, 'no tunnel address was configured on the client');
    await client.routerd.configure('/interface pptp-client disable out');
  });
});
