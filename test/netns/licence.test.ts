// SPEC.md "Licence levels" between routerd processes: the limit counts server and client
// tunnels together; a server over its limit refuses the call at Outgoing-Call time and logs the
// licence, even when every client dials at the same moment; a client over its limit does not dial
// and says why; and a level 5 server carries 50 clients at once, all passing traffic.
import t from 'tap';
import { waitFor, type TeardownHost } from '../lib/netns.js';
import { twoRouters } from '../lib/routers.js';

async function pair(t: TeardownHost, serverLevel: number, clientLevel: number, subnet: string) {
  const { server, client } = await twoRouters(t, { subnet, server: { level: serverLevel }, client: { identity: 'Clients', level: clientLevel } });
  await server.routerd.configure('/ip pool add name=vpn ranges=10.0.0.100-10.0.0.199');
  await server.routerd.configure('/ppp secret add name=ex password=lkjrht local-address=10.0.0.1 remote-address=vpn');
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  return { server, client };
}

const activeCount = (out: string) => out.split('\n').filter((l) => /\bex\s+pptp\b/.test(l)).length;

t.test('level 1 server: five clients dialling at once, exactly one gets in', async (t) => {
  const { server, client } = await pair(t, 1, 5, '198.18.11');
  for (let i = 1; i <= 5; i++) {
    await client.routerd.configure(`/interface pptp-client add name=c${i} connect-to=198.18.11.1 user=ex password=lkjrht`);
  }
  await client.routerd.configure('/interface pptp-client enable [ find ]');
  await server.routerd.poll('/ppp active print', (o) => activeCount(o) === 1, 30_000);
  const log = await server.routerd.poll('/log print', (o) => (o.match(/refused: licence level 1 allows 1 PPTP tunnel at once/g) ?? []).length >= 4, 30_000);
  t.pass(`the other four were refused at Outgoing-Call, naming the licence\n${log.split('\n').filter((l) => /refused/.test(l)).slice(0, 4).join('\n')}`);
  // Give the refused ones time for a few redials: still only one.
  await new Promise((r) => setTimeout(r, 5000));
  t.equal(activeCount(await server.routerd.command('/ppp active print')), 1, 'still exactly one tunnel after their redials');
  const status = await client.routerd.command('/interface pptp-client print');
  t.equal((status.match(/^\s*\d+\s+R\s/gm) ?? []).length, 1, `one client row runs\n${status}`);
});

t.test('level 1 client: the second client row does not dial and says why', async (t) => {
  const { server, client } = await pair(t, 5, 1, '198.18.12');
  await client.routerd.configure('/interface pptp-client add name=first connect-to=198.18.12.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor first once', (o) => /status: "connected"/.test(o), 30_000);
  await client.routerd.configure('/interface pptp-client add name=second connect-to=198.18.12.1 user=ex password=lkjrht disabled=no');
  const second = await client.routerd.poll('/interface pptp-client monitor second once', (o) => /licence/.test(o), 10_000);
  t.match(second, /status: "licence level 1 allows 1 PPTP tunnel at once \(server and client together\)"/, `the status names the licence\n${second}`);
  t.equal(activeCount(await server.routerd.command('/ppp active print')), 1, 'the server sees one tunnel only');
  const first = await client.routerd.command('/interface pptp-client monitor first once');
  t.match(first, /status: "connected"/, 'the running tunnel is untouched');

  await client.routerd.configure('/interface pptp-client disable first');
  const taken = await client.routerd.poll('/interface pptp-client monitor second once', (o) => /status: "connected"/.test(o), 30_000);
  t.pass(`once the first is disabled, the second dials\n${taken}`);
});

t.test('level 5: 50 clients at once against one server, all passing traffic', async (t) => {
  const { server, client } = await pair(t, 5, 5, '198.18.13');
  for (let i = 1; i <= 50; i++) {
    await client.routerd.configure(`/interface pptp-client add name=c${i} connect-to=198.18.13.1 user=ex password=lkjrht`);
  }
  const started = Date.now();
  await client.routerd.configure('/interface pptp-client enable [ find ]');
  await server.routerd.poll('/ppp active print', (o) => activeCount(o) === 50, 120_000, 1000);
  t.pass(`50 users active after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const addresses = Array.from({ length: 50 }, (_, i) => `10.0.0.${100 + i}`);
  const ready = await waitFor(async () => {
    const r = await server.ns.exec(['ip', '-4', '-o', 'addr', 'show']);
    return addresses.every((a) => r.stdout.includes(`peer ${a}/32`));
  }, 20_000, 500);
  t.ok(ready, 'the server has a point-to-point address for each of the 50');
  // The server's side of each tunnel is up; the client's last ones (those that redialled after
  // the pending pool was full) may still be configuring their interface, which is serialized, so
  // a silent address is asked again within a deadline.
  let failed = addresses;
  const deadline = Date.now() + 30_000;
  do {
    const results = await Promise.all(failed.map((a) => server.ns.exec(['ping', '-c', '2', '-i', '0.3', '-W', '3', a])));
    failed = failed.filter((_, i) => results[i]!.code !== 0);
  } while (failed.length > 0 && Date.now() < deadline);
  t.same(failed, [], 'every one of the 50 client addresses answers a ping through its tunnel');
  const links = (await client.ns.run(['ip', '-o', 'link', 'show'])).stdout.split('\n').filter((l) => /: c\d+:/.test(l));
  t.equal(links.length, 50, 'the client namespace has 50 tunnel interfaces named after their rows');
  // One user, 50 sessions: RouterOS numbers the user's further interfaces.
  const servers = await server.routerd.command('/interface pptp-server print');
  const names = [...servers.matchAll(/DR\s+(<pptp-ex(?:-\d+)?>)/g)].map((m) => m[1]);
  t.equal(new Set(names).size, 50, `50 distinct dynamic interfaces: ${names.slice(0, 3).join(' ')} ... ${names.at(-1)}`);
});
