// Issue 15 item 3: failed PPP authentications are throttled per source address and per user with
// a doubling back-off, logged with the address, shown in /ppp login-throttle; a correct password
// from the throttled address is refused while the back-off runs and works once it has ended.
// Our client router (wrong password) against routerd, in namespaces.
import t from 'tap';
import { twoRouters } from '../lib/routers.js';
import type { Routerd } from '../lib/routerd.js';
import { waitFor } from '../lib/netns.js';

const FAILURE = /login failure for user ex from 198\.18\.16\.2 via pptp/g;

async function count(r: Routerd, re: RegExp): Promise<number> {
  return ((await r.command('/log print')).match(re) ?? []).length;
}

async function throttleRow(r: Routerd): Promise<{ failures: number; wait: number } | undefined> {
  const m = /address\s+"?198\.18\.16\.2"?\s+(\d+)\s+(\d+)s/.exec(await r.command('/ppp login-throttle print'));
  return m ? { failures: Number(m[1]), wait: Number(m[2]) } : undefined;
}

t.test('wrong passwords earn a doubling back-off; the right one works once it ends', async (t) => {
  const { server, client } = await twoRouters(t, { subnet: '198.18.16' });
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.16.1 remote-address=10.0.16.2');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  await client.routerd.configure('/interface pptp-client add connect-to=198.18.16.1 user=ex password=guess disabled=yes');

  // Each attempt waits out the back-off first: tries made during it are refused unseen and not counted.
  const target = 7; // three free, then back-offs of 1, 2, 4 and 8 s
  let lastFailureAt = 0;
  for (let failures = 0; failures < target; ) {
    t.ok(await waitFor(async () => ((await throttleRow(server.routerd))?.wait ?? 0) === 0, 30_000, 300), 'the back-off ends by itself');
    const before = await count(server.routerd, FAILURE);
    await client.routerd.configure(`/interface pptp-client set pptp-out1 password=guess${failures} disabled=no`);
    t.ok(await waitFor(async () => (await count(server.routerd, FAILURE)) > before, 30_000, 300), `failed attempt ${failures + 1} is logged with the address`);
    lastFailureAt = Date.now();
    await client.routerd.configure('/interface pptp-client disable pptp-out1');
    failures = (await throttleRow(server.routerd))?.failures ?? 0;
  }
  const print = await server.routerd.command('/ppp login-throttle print');
  t.match(print, /address\s+"?198\.18\.16\.2"?\s+7\s+[1-8]s/, `the console shows the address in an 8 s back-off\n${print}`);
  t.match(print, /user\s+"?ex"?\s+7\s+[1-8]s/, 'and the user');

  await client.routerd.configure('/interface pptp-client set pptp-out1 password=lkjrht disabled=no');
  const refused = await server.routerd.poll('/log print', (o) => /login as ex from 198\.18\.16\.2 refused: (address 198\.18\.16\.2|user ex) is throttled/.test(o), 20_000, 300);
  t.ok(refused, 'the right password during the back-off is refused, and the log says why');
  await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 90_000, 500);
  const waited = (Date.now() - lastFailureAt) / 1000;
  t.ok(waited >= 7, `the right password got in once the back-off had ended (${waited.toFixed(1)} s after the last failure)`);
  const after = await server.routerd.command('/ppp login-throttle print');
  t.notMatch(after, /198\.18\.16\.2/, `a success clears the address's count\n${after}`);
});
