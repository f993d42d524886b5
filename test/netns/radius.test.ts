// RADIUS against a real FreeRADIUS (Debian's freeradius 3.2) in a namespace of its own, behind
// the PPTP server router's ether2: every login method with the password only on FreeRADIUS
// (MS-CHAP links carry MPPE-128 on the keys its Access-Accept brought), accounting records
// with the right byte counts in FreeRADIUS's detail file, Session-Timeout, a wrong password,
// failover from a dead first server, and a clear failure with both down. One FreeRADIUS and
// one pair of routers for the file; everything on the routers is typed at their consoles.
import t from 'tap';
import { createNetns, createVethPair } from '../lib/netns.js';
import { pings, startRouter, type RouterNode } from '../lib/routers.js';
import { startFreeRadius, type FreeRadius } from '../lib/freeradius.js';
import type { TeardownHost } from '../lib/netns.js';

const SECRET = 'h14-shared-secret';

async function rig(t: TeardownHost) {
  const [srvNs, cliNs, radNs] = [await createNetns(t, 'rsrv'), await createNetns(t, 'rcli'), await createNetns(t, 'rad')];
  await createVethPair(srvNs, cliNs, { nameA: 'ether1', nameB: 'ether1' });
  await createVethPair(srvNs, radNs, { nameA: 'ether2', nameB: 'eth0', addrB: '198.18.41.2/24' });
  const freeradius = await startFreeRadius(t, radNs, {
    listen: '198.18.41.2',
    clients: '198.18.41.0/24',
    secret: SECRET,
    users: [
      {
        name: 'ruser',
        password: 'rpass',
        reply: ['Framed-IP-Address = 10.0.0.2', 'Class = "h14-class"', 'Framed-Route += "10.9.9.0/24"', 'Framed-Route += "10.9.8.0/24 10.0.0.2 5"'],
      },
      { name: 'tuser', password: 'tpass', reply: ['Framed-IP-Address = 10.0.0.3', 'Session-Timeout = 3'] },
    ],
  });
  const [server, client] = await Promise.all([
    // Level 5: two tunnels at once, for the only-one check's second login.
    startRouter(t, srvNs, ['ether1', 'ether2'], { identity: 'Server', level: 5 }),
    startRouter(t, cliNs, ['ether1'], { identity: 'Client', level: 5 }),
  ]);
  for (const line of [
    '/ip address add address=198.18.40.1/24 interface=ether1',
    '/ip address add address=198.18.41.1/24 interface=ether2',
    '/radius add service=ppp address=198.18.41.2 secret=h14-shared-secret timeout=1s src-address=198.18.41.1',
    '/ppp aaa set use-radius=yes accounting=yes',
    '/ppp profile set default local-address=10.0.0.1',
    '/interface pptp-server server set enabled=yes',
  ]) await server.routerd.configure(line);
  await client.routerd.configure('/ip address add address=198.18.40.2/24 interface=ether1');
  await client.routerd.configure('/interface pptp-client add name=out connect-to=198.18.40.1 user=ruser password=rpass disabled=yes');
  return { server, client, freeradius };
}

let diagnose: () => Promise<string> = async () => '';

async function connect(server: RouterNode, client: RouterNode, user = 'ruser'): Promise<string> {
  await client.routerd.configure('/interface pptp-client enable out');
  const monitor = await client.routerd.poll('/interface pptp-client monitor out once', (o) => /status: "connected"/.test(o), 30_000)
    .catch(async (e: Error) => { throw new Error(`${e.message}\n${await diagnose()}`); });
  await server.routerd.poll('/ppp active print', (o) => new RegExp(`\\b${user}\\s+pptp`).test(o), 10_000);
  return monitor;
}

async function hangUp(server: RouterNode, client: RouterNode): Promise<void> {
  await client.routerd.configure('/interface pptp-client disable out');
  await server.routerd.poll('/ppp active print', (o) => !/\b[rt]user\s+pptp/.test(o), 15_000);
}

/** The detail file's records as attribute maps. */
function records(fr: FreeRadius): Record<string, string>[] {
  return fr.detail().split(/\n\n+/).filter((b) => b.trim()).map((block) => {
    const r: Record<string, string> = {};
    for (const line of block.split('\n').slice(1)) {
      const m = /^\s*([\w-]+) = (.*)$/.exec(line);
      if (m) r[m[1]!] = m[2]!.replace(/^"|"$/g, '');
    }
    return r;
  });
}

t.test('PPP users on FreeRADIUS', async (t) => {
  const { server, client, freeradius } = await rig(t);
  diagnose = async () => `server log:\n${(await server.routerd.logText()).split('\n').slice(-25).join('\n')}\nFreeRADIUS:\n${freeradius.output().slice(-3000)}`;

  await t.test('each method logs in through RADIUS; MS-CHAP links run MPPE-128 on its keys', async (t) => {
    for (const c of [
      { method: 'mschap2', encoding: 'MPPE128 stateless' },
      { method: 'mschap1', encoding: 'MPPE128 stateless' },
      { method: 'chap', encoding: 'none' },
      { method: 'pap', encoding: 'none' },
    ]) {
      await server.routerd.configure(`/interface pptp-server server set authentication=${c.method}`);
      const monitor = await connect(server, client);
      t.match(monitor, new RegExp(`encoding: "${c.encoding}"`), `${c.method}: connected, ${c.encoding}`);
      const active = await server.routerd.command('/ppp active print');
      t.match(active, /ruser\s+pptp\s+198\.18\.40\.2\s+10\.0\.0\.2/, `${c.method}: the address is RADIUS's Framed-IP-Address`);
      const ping = await pings(client.ns, '10.0.0.1', 3);
      t.ok(ping.ok, `${c.method}: traffic passes\n${ping.output}`);
      if (c.method === 'mschap2') {
        const routes = (await server.ns.exec(['ip', '-4', 'route', 'show'])).stdout;
        t.match(routes, /10\.9\.9\.0\/24 dev \S+/, `Framed-Route without a gateway: to the tunnel\n${routes}`);
        t.match(routes, /10\.9\.8\.0\/24 via 10\.0\.0\.2 dev \S+ .*metric 5/, 'Framed-Route "dst gateway metric"');
      }
      await hangUp(server, client);
    }
    t.notMatch((await server.ns.exec(['ip', '-4', 'route', 'show'])).stdout, /10\.9\.[89]\./, 'the Framed-Routes go with the link');
    t.match(freeradius.output(), /Login OK: \[ruser/, 'FreeRADIUS logged the logins');
  });

  await t.test('accounting: Start, Interim-Update and Stop with the session\'s byte counts, Class echoed', async (t) => {
    await server.routerd.configure('/interface pptp-server server set authentication=mschap2');
    await server.routerd.configure('/ppp aaa set interim-update=1s');
    await connect(server, client);
    // 5 echo requests of 1000-byte IP packets each way.
    const ping = await client.ns.exec(['ping', '-c', '5', '-i', '0.2', '-s', '972', '10.0.0.1']);
    t.equal(ping.code, 0, 'pings pass');
    // This session's Start is the last one written. With interim-update=1s, Interim-Updates
    // follow each second; one sent after the pings carries their totals (waited for, up to 20 s,
    // so a loaded machine only makes it later).
    const start = records(freeradius).reverse().find((r) => r['Acct-Status-Type'] === 'Start');
    t.ok(start, `a Start record was written\n${freeradius.detail()}`);
    const interims = (): Record<string, string>[] => records(freeradius)
      .filter((r) => r['Acct-Status-Type'] === 'Interim-Update' && r['Acct-Session-Id'] === start?.['Acct-Session-Id']);
    let interim: Record<string, string> | undefined;
    for (let i = 0; i < 100 && !interim; i++) {
      interim = interims().find((r) => r['Acct-Input-Octets'] === '5000');
      if (!interim) await new Promise((r) => setTimeout(r, 200));
    }
    const stats = await server.routerd.command('/interface print stats');
    await hangUp(server, client);
    await server.routerd.configure('/ppp aaa set interim-update=0s');
    t.ok(interim, `interim-update=1s: an Interim-Update counted the pings' 5000 octets in\n${JSON.stringify(interims())}`);
    t.equal(interim?.['Acct-Output-Octets'], '5000', 'and 5000 out');
    t.equal(interim?.['Class'], '0x6831342d636c617373', 'and echoes Class');
    t.notOk(interim?.['Acct-Terminate-Cause'], 'an Interim-Update has no terminate cause');
    let stop: Record<string, string> | undefined;
    for (let i = 0; i < 100 && !stop; i++) {
      stop = records(freeradius).find((r) => r['Acct-Status-Type'] === 'Stop' && r['Acct-Session-Id'] === start?.['Acct-Session-Id']);
      if (!stop) await new Promise((r) => setTimeout(r, 200));
    }
    t.ok(stop, 'a Stop record with the same Acct-Session-Id arrived');
    t.equal(stop?.['User-Name'], 'ruser');
    t.equal(stop?.['Class'], '0x6831342d636c617373', 'Class "h14-class" echoed');
    t.equal(stop?.['Framed-IP-Address'], '10.0.0.2');
    t.equal(stop?.['NAS-IP-Address'], '198.18.41.1', 'NAS-IP-Address: the src-address');
    t.equal(stop?.['Acct-Input-Octets'], '5000', `input octets: what the user sent\n${stats}`);
    t.equal(stop?.['Acct-Output-Octets'], '5000', 'output octets: what we sent the user');
    t.equal(stop?.['Acct-Input-Packets'], '5');
    t.equal(stop?.['Acct-Output-Packets'], '5');
    t.equal(stop?.['Acct-Input-Gigawords'], '0');
    t.equal(stop?.['Acct-Terminate-Cause'], 'User-Request', 'the client hung up');
    t.ok(Number(stop?.['Acct-Session-Time']) >= 1, 'session time counted');
  });

  await t.test('only-one: a RADIUS user\'s second login is refused', async (t) => {
    await server.routerd.configure('/ppp profile set default only-one=yes');
    await connect(server, client);
    await client.routerd.configure('/interface pptp-client add name=again connect-to=198.18.40.1 user=ruser password=rpass disabled=no');
    try {
      await server.routerd.poll('/log print', (o) => /only one session allowed for this user/.test(o), 30_000, 500);
    } finally {
      await client.routerd.configure('/interface pptp-client remove again');
    }
    const sessions = (await server.routerd.command('/ppp active print')).split('\n').filter((l) => /\bruser\s+pptp/.test(l));
    t.equal(sessions.length, 1, 'the server keeps one session of ruser');
    t.match(await client.routerd.command('/interface pptp-client monitor out once'), /status: "connected"/, 'the first session is untouched');
    await hangUp(server, client);
    await server.routerd.configure('/ppp profile set default only-one=default');
  });

  await t.test('Session-Timeout from RADIUS ends the session', async (t) => {
    await client.routerd.configure('/interface pptp-client set out user=tuser password=tpass');
    const began = Date.now();
    await connect(server, client, 'tuser');
    await server.routerd.poll('/log print', (o) => /tuser.*disconnected: session timeout/.test(o), 20_000);
    t.ok(Date.now() - began >= 3000, 'not before its 3 s');
    await client.routerd.configure('/interface pptp-client disable out');
    let stop: Record<string, string> | undefined;
    for (let i = 0; i < 50 && !stop; i++) {
      stop = records(freeradius).find((r) => r['Acct-Status-Type'] === 'Stop' && r['User-Name'] === 'tuser');
      if (!stop) await new Promise((r) => setTimeout(r, 200));
    }
    t.equal(stop?.['Acct-Terminate-Cause'], 'Session-Timeout', 'accounted as Session-Timeout');
    await client.routerd.configure('/interface pptp-client set out user=ruser password=rpass');
  });

  await t.test('a wrong password is refused by RADIUS', async (t) => {
    await client.routerd.configure('/interface pptp-client set out password=wrong');
    await client.routerd.configure('/interface pptp-client enable out');
    const log = await server.routerd.poll('/log print', (o) => /ruser authentication failed: rejected by RADIUS server 198\.18\.41\.2/.test(o), 30_000);
    t.pass(`the server says why\n${log.split('\n').filter((l) => /ruser/.test(l)).slice(-2).join('\n')}`);
    t.notMatch(await server.routerd.command('/ppp active print'), /ruser\s+pptp/, 'nobody is connected');
    await client.routerd.configure('/interface pptp-client disable out');
    await client.routerd.configure('/interface pptp-client set out password=rpass');
    const monitor = await server.routerd.command('/radius monitor 0 once');
    t.match(monitor, /rejects: [1-9]/, `/radius monitor counts the reject\n${monitor}`);
  });

  await t.test('a user in /ppp secret is checked locally and RADIUS is not asked', async (t) => {
    const asked = async (): Promise<string | undefined> => /requests: (\d+)/.exec(await server.routerd.command('/radius monitor 0 once'))?.[1];
    const before = await asked();
    await server.routerd.configure('/ppp secret add name=ruser password=local-only local-address=10.0.0.1 remote-address=10.0.0.9');
    await client.routerd.configure('/interface pptp-client enable out');
    await server.routerd.poll('/log print', (o) => /ruser authentication failed: wrong password/.test(o), 30_000);
    await client.routerd.configure('/interface pptp-client disable out');
    t.equal(await asked(), before, 'no Access-Request was sent for a local user');
    await server.routerd.configure('/ppp secret remove 0');
  });

  await t.test('failover: a dead first server costs its timeout, then the second answers', async (t) => {
    await server.routerd.configure('/radius remove 0');
    await server.routerd.configure('/radius add service=ppp address=198.18.41.3 secret=h14-shared-secret timeout=1s');
    await server.routerd.configure('/radius add service=ppp address=198.18.41.2 secret=h14-shared-secret timeout=1s');
    const monitor = await connect(server, client);
    t.match(monitor, /encoding: "MPPE128 stateless"/, 'connected through the second server');
    const log = await server.routerd.logText();
    const took = [...log.matchAll(/ruser: accepted by RADIUS server 198\.18\.41\.2 after (\d+) ms/g)].at(-1);
    t.ok(took, 'the server logs who answered and when');
    // The dead server costs its timeout: not less (it was asked first), and it is not retried.
    t.ok(Number(took?.[1]) >= 1000, `the answer came after the 1 s timeout (${took?.[1]} ms)`);
    t.comment(`RADIUS failover: Access-Accept from the second server ${took?.[1]} ms after the request (timeout=1s)`);
    const dead = await server.routerd.command('/radius monitor 0 once');
    t.match(dead, /requests: 1\b/, `the dead server was asked once\n${dead}`);
    t.match(dead, /timeouts: [12]\b/, 'and counted its timeout (the accounting Start asks it first too)');
    await hangUp(server, client);
  });

  await t.test('both servers down: a clear failure', async (t) => {
    await server.routerd.configure('/radius set 1 address=198.18.41.4');
    await client.routerd.configure('/interface pptp-client enable out');
    const log = await server.routerd.poll('/log print', (o) => /ruser authentication failed: no answer from RADIUS servers 198\.18\.41\.3, 198\.18\.41\.4/.test(o), 30_000);
    t.pass(`the server says why\n${log.split('\n').filter((l) => /RADIUS/.test(l)).slice(-3).join('\n')}`);
    await client.routerd.configure('/interface pptp-client disable out');
  });
});
