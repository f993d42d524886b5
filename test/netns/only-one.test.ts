// Issue 19 item 6: `only-one` counts sessions by the secret a user matched, so `OFFICE\ex` (which
// RouterOS matches to the secret `ex` when no secret has the full name) is the same user as `ex`
// and cannot open a second session beside it.
import t from 'tap';
import { twoRouters } from '../lib/routers.js';

const exSessions = (out: string) => out.split('\n').filter((l) => /\bpptp\b/.test(l) && /\bex\b/.test(l)).length;

t.test('DOMAIN\\user does not get around only-one', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.39', server: { level: 5 }, client: { identity: 'Clients', level: 5 } });
  await server.routerd.configure('/ip pool add name=vpn ranges=10.0.0.100-10.0.0.199');
  await server.routerd.configure('/ppp profile add name=single local-address=10.0.0.1 only-one=yes');
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht profile=single remote-address=vpn');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');

  await client.routerd.configure('/interface pptp-client add name=plain connect-to=198.18.39.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor plain once', (o) => /status: "connected"/.test(o), 30_000);
  await client.routerd.configure('/interface pptp-client add name=domain connect-to=198.18.39.1 user="OFFICE\\\\ex" password=lkjrht disabled=no');
  const log = await server.routerd.poll('/log print', (o) => /only one session allowed for this user/.test(o), 30_000, 500);
  t.match(log, /OFFICE\\ex/, 'the second session came as OFFICE\\ex');
  t.equal(exSessions(await server.routerd.command('/ppp active print')), 1, 'the server keeps one session of ex');
  t.notMatch(await client.routerd.command('/interface pptp-client monitor domain once'), /status: "connected"/, 'OFFICE\\ex is not connected');
  t.match(await client.routerd.command('/interface pptp-client monitor plain once'), /status: "connected"/, 'the first session is untouched');

  // The refusal was only-one's: with the first session gone, OFFICE\ex logs in as ex.
  await client.routerd.configure('/interface pptp-client disable plain');
  const up = await client.routerd.poll('/interface pptp-client monitor domain once', (o) => /status: "connected"/.test(o), 90_000, 1000);
  t.pass(`once ex's first session is gone, OFFICE\\ex connects\n${up}`);
});
