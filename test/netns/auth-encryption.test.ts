// Every authentication method between two routerd processes (the server's `authentication`
// against the client's `allow`), the encoding each one ends with, a wrong password, and
// use-encryption=required refusing a client whose login gives no MPPE keys. One server and one
// client are reconfigured between the cases, as an operator would at the console.
import t from 'tap';
import { pings, twoRouters, type RouterNode } from '../lib/routers.js';
import type { TeardownHost } from '../lib/netns.js';

async function rig(t: TeardownHost) {
  const { server, client } = await twoRouters(t, { subnet: '198.18.9' });
  await server.routerd.configure('/ppp secret add name=user password=passwd local-address=10.0.0.1 remote-address=10.0.0.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.9.1 user=user password=passwd');
  return { server, client };
}

/** Enables the client, waits for "connected" on both ends, returns the monitor output; disables it again after. */
async function connectOnce(server: RouterNode, client: RouterNode): Promise<string> {
  await client.routerd.configure('/interface pptp-client enable out');
  const monitor = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 30_000);
  await server.routerd.poll('/ppp active print', (o) => /\buser\s+pptp/.test(o), 10_000);
  return monitor;
}

async function hangUp(server: RouterNode, client: RouterNode): Promise<void> {
  await client.routerd.configure('/interface pptp-client disable out');
  await server.routerd.poll('/ppp active print', (o) => !/\buser\s+pptp/.test(o), 15_000);
}

t.test('each authentication method, and what it does to encryption', async (t) => {
  const { server, client } = await rig(t);
  const cases = [
    { method: 'mschap2', encoding: 'MPPE128 stateless' },
    { method: 'mschap1', encoding: 'MPPE128 stateless' },
    // CHAP-MD5 and PAP derive no MPPE keys: use-encryption=default lets the link run unencrypted.
    { method: 'chap', encoding: 'none' },
    { method: 'pap', encoding: 'none' },
  ];
  for (const c of cases) {
    await server.routerd.configure(`/interface pptp-server server set authentication=${c.method}`);
    const monitor = await connectOnce(server, client);
    t.match(monitor, new RegExp(`encoding: "${c.encoding}"`), `${c.method}: connected with ${c.encoding}`);
    const ping = await pings(client.ns, '10.0.0.1');
    t.ok(ping.ok, `${c.method}: traffic passes\n${ping.output}`);
    const log = await server.routerd.logText();
    t.match(log, new RegExp(`user logged in from 198\\.18\\.9\\.2`), `${c.method}: the server logs the login`);
    await hangUp(server, client);
  }

  // A client that allows only what the server does not offer never gets in.
  await server.routerd.configure('/interface pptp-server server set authentication=mschap2');
  await client.routerd.configure('/interface pptp-client set out allow=pap');
  await client.routerd.configure('/interface pptp-client enable out');
  const refused = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "(?!dialing|verifying|connected)[^"]+"/.test(o), 30_000);
  t.notMatch(refused, /status: "connected"/, `allow=pap against authentication=mschap2 does not connect\n${refused}`);
  await client.routerd.configure('/interface pptp-client disable out');
  await client.routerd.configure('/interface pptp-client set out allow=pap,chap,mschap1,mschap2');
});

t.test('a wrong password is refused on both sides with a reason', async (t) => {
  const { server, client } = await rig(t);
  await client.routerd.configure('/interface pptp-client set out password=wrong');
  await client.routerd.configure('/interface pptp-client enable out');
  const monitor = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "[^"]*(fail|refused|denied)[^"]*"/i.test(o), 30_000);
  t.pass(`the client's status says why\n${monitor}`);
  const log = await server.routerd.poll('/log print', (o) => /user.*(authentication failed|wrong password|bad password)/i.test(o), 10_000);
  t.pass(`the server logs the failed login\n${log.split('\n').filter((l) => /user/.test(l)).join('\n')}`);
  const active = await server.routerd.command('/ppp active print');
  t.notMatch(active, /\buser\s+pptp/, 'nobody is connected');
});

t.test('use-encryption=required refuses a login that cannot be encrypted', async (t) => {
  const { server, client } = await rig(t);
  await server.routerd.configure('/ppp profile set default use-encryption=required');
  await server.routerd.configure('/interface pptp-server server set authentication=chap');
  await client.routerd.configure('/interface pptp-client enable out');
  const log = await server.routerd.poll('/log print', (o) => /encryption required/.test(o), 30_000);
  t.match(log, /encryption required but chap gives no MPPE keys/, 'the server says why it hung up');
  const active = await server.routerd.command('/ppp active print');
  t.notMatch(active, /\buser\s+pptp/, 'the CHAP client is not connected');

  await server.routerd.configure('/interface pptp-server server set authentication=mschap2');
  const monitor = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 60_000);
  t.match(monitor, /encoding: "MPPE128 stateless"/, 'with MS-CHAPv2 the same client connects, encrypted (it redials by itself)');
});
