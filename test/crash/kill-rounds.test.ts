// Power cuts and crashes (issue 15 item 4): kill -9 at random points, two kinds of rounds run
// side by side.
//  - Configuration writes: a child saves one configuration step after another as fast as it
//    can and is killed; the stored file must load and be the last step it reported saved or the
//    one after it (old or new), never a mix, never damaged.
//  - Tunnel churn: a real routerd (client, three pptp-clients to a routerd server in another
//    namespace, rate-limited, so each tunnel also has an IFB device) is driven at its console
//    (clients disabled and enabled, /ip address, /ip route and /interface bridge rows added and
//    removed) and killed; its configuration must be the last acknowledged command's or the one
//    in flight; restarted on the same data directory, it must leave nothing stale in its
//    namespace: every TUN, IFB and bridge device, address and route is explained by the
//    configuration, a live tunnel, or the admin (look-alikes made beside it: an ifb-rl* device,
//    a bridge, an address and a route, which must survive every round). The tunnels come back.
// CRASH_ROUNDS (default 100) and CRASH_CHURN_SHARE (default 0.2) set the size; `make
// bench-crash N=1000` runs the long version. The summary line gives the figures.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigStore } from '../../src/config/store.js';
import { daemonArgs } from '../lib/daemon-command.js';
import type { Netns } from '../lib/netns.js';
import { pings, startRouter, twoRouters } from '../lib/routers.js';
import type { Routerd } from '../lib/routerd.js';
import { tsLoader } from '../lib/ts-loader.js';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 100);
const CHURN = Math.round(ROUNDS * Number(process.env.CRASH_CHURN_SHARE ?? 0.2));
const WRITES = ROUNDS - CHURN;
const root = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const rnd = (n: number): number => Math.floor(Math.random() * n);

const figures = { writeRounds: 0, churnRounds: 0, broken: [] as string[], leftBeforeRestart: 0, stale: [] as string[], tunnelChecks: 0, setupSeconds: 0, churnSeconds: 0, writeSeconds: 0 };

/** The long run (make bench-crash) says how far it is every 50 rounds. */
function progress(): void {
  const done = figures.writeRounds + figures.churnRounds;
  if (ROUNDS > 100 && done % 50 === 0) {
    process.stderr.write(`kill-rounds: ${done}/${ROUNDS} (writes ${figures.writeRounds}, churn ${figures.churnRounds}), broken ${figures.broken.length}, stale ${figures.stale.length}\n`);
  }
}

// ---- configuration writes ------------------------------------------------------------------

/** The writer runs the compiled store when the build is fresh (as routerd does), else the source. */
function writerCommand(dir: string): string[] {
  const writer = fileURLToPath(new URL('./config-writer.mjs', import.meta.url));
  const compiled = daemonArgs()[0]!.endsWith('daemon.js');
  return compiled
    ? [writer, dir, pathToFileURL(join(root, 'dist/src/config/store.js')).href]
    : ['--import', tsLoader, writer, dir, pathToFileURL(join(root, 'src/config/store.ts')).href];
}

async function writeRound(dir: string, round: number): Promise<void> {
  const child = spawn(process.execPath, writerCommand(dir), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const closed = new Promise<void>((r) => child.once('close', () => r()));
  while (!/ready \d+\n/.test(out) && child.exitCode === null) await sleep(5);
  await sleep(rnd(40));
  const alive = child.exitCode === null;
  child.kill('SIGKILL');
  await closed;
  if (!alive) return void figures.broken.push(`write round ${round}: the writer stopped by itself\n${out}`);
  const start = Number(/ready (\d+)/.exec(out)?.[1]);
  const saved = Math.max(start, ...[...out.matchAll(/saved (\d+)/g)].map((m) => Number(m[1])));
  const { model, notice } = new ConfigStore(dir).load();
  const name = String(model.settingsValues('/system identity').name);
  const step = name.startsWith('w-') ? Number(name.slice(2)) : 0;
  const secrets = model.rows('/ppp secret').length;
  figures.writeRounds++;
  progress();
  if (notice !== undefined || (step !== saved && step !== saved + 1) || secrets !== 20) {
    figures.broken.push(`write round ${round}: ${notice ?? ''} identity ${name} after step ${saved} was reported saved, ${secrets} secrets`);
  }
}

// ---- tunnel churn --------------------------------------------------------------------------

const SUBNET = '198.18.31';
const CLIENTS = ['pptp-out1', 'pptp-out2', 'pptp-out3'];
/** What the admin made beside routerd, by hand: it must survive every round. */
const ADMIN = { ifb: 'ifb-rl9999', bridge: 'adminbr', address: '10.66.0.1/24', route: '10.55.0.0/24' };

interface Desired {
  readonly disabled: ReadonlyMap<string, boolean>;
  readonly addresses: ReadonlySet<string>;
  readonly routes: ReadonlySet<string>;
  readonly bridges: ReadonlySet<string>;
}

function projection(d: Desired): string {
  return JSON.stringify([[...d.disabled].sort(), [...d.addresses].sort(), [...d.routes].sort(), [...d.bridges].sort()]);
}

function storedDesired(dir: string): { desired?: Desired; notice?: string } {
  const { model, notice } = new ConfigStore(dir).load();
  if (notice !== undefined) return { notice };
  const values = (path: string, prop: string): string[] => model.rows(path).map((r) => String(r.values[prop]));
  return {
    desired: {
      disabled: new Map(model.rows('/interface pptp-client').map((r) => [String(r.values.name), r.values.disabled === true])),
      addresses: new Set(values('/ip address', 'address').filter((a) => a !== `${SUBNET}.2/24`)),
      routes: new Set(values('/ip route', 'dst-address')),
      bridges: new Set(values('/interface bridge', 'name')),
    },
  };
}

/** One console command that changes the desired state, and the state after it. */
function nextChange(d: Desired): { line: string; after: Desired } {
  const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;
  const toggled = <T>(s: ReadonlySet<T>, x: T): Set<T> => {
    const n = new Set(s);
    if (n.has(x)) n.delete(x);
    else n.add(x);
    return n;
  };
  switch (rnd(4)) {
    case 0: {
      const c = pick(CLIENTS);
      const off = !d.disabled.get(c);
      return { line: `/interface pptp-client ${off ? 'disable' : 'enable'} ${c}`, after: { ...d, disabled: new Map([...d.disabled, [c, off]]) } };
    }
    case 1: {
      const a = `10.77.${1 + rnd(4)}.1/24`;
      const line = d.addresses.has(a) ? `/ip address remove [find address="${a}"]` : `/ip address add address=${a} interface=ether1`;
      return { line, after: { ...d, addresses: toggled(d.addresses, a) } };
    }
    case 2: {
      const r = `10.88.${1 + rnd(4)}.0/24`;
      const line = d.routes.has(r) ? `/ip route remove [find dst-address="${r}"]` : `/ip route add dst-address=${r} gateway=${SUBNET}.1`;
      return { line, after: { ...d, routes: toggled(d.routes, r) } };
    }
    default: {
      const b = `br${1 + rnd(3)}`;
      const line = d.bridges.has(b) ? `/interface bridge remove [find name="${b}"]` : `/interface bridge add name=${b}`;
      return { line, after: { ...d, bridges: toggled(d.bridges, b) } };
    }
  }
}

interface IpLink { ifname: string; ifindex: number; linkinfo?: { info_kind?: string } }
interface IpAddr { ifname: string; linkinfo?: { info_kind?: string }; addr_info: { family: string; local: string; prefixlen: number }[] }
interface IpRoute { dst: string; dev?: string; protocol?: string; gateway?: string }

async function json<T>(ns: Netns, argv: string[]): Promise<T> {
  return JSON.parse((await ns.run(['ip', '-json', ...argv])).stdout) as T;
}

/** Everything in the client's namespace that neither the configuration, a live tunnel nor the admin explains. */
async function staleIn(ns: Netns, d: Desired): Promise<string[]> {
  const stale: string[] = [];
  const links = await json<IpLink[]>(ns, ['-details', 'link', 'show']);
  const tunIndexes = new Set(links.filter((l) => l.linkinfo?.info_kind === 'tun').map((l) => l.ifindex));
  const tunNames = new Set(links.filter((l) => l.linkinfo?.info_kind === 'tun').map((l) => l.ifname));
  for (const l of links) {
    const kind = l.linkinfo?.info_kind;
    if (kind === 'tun' && !(CLIENTS.includes(l.ifname) && d.disabled.get(l.ifname) === false)) stale.push(`TUN ${l.ifname}`);
    if (kind === 'ifb' && l.ifname !== ADMIN.ifb && !tunIndexes.has(Number(/^ifb-rl(\d+)$/.exec(l.ifname)?.[1]))) stale.push(`IFB ${l.ifname}`);
    if (kind === 'bridge' && l.ifname !== ADMIN.bridge && !d.bridges.has(l.ifname)) stale.push(`bridge ${l.ifname}`);
  }
  // The restarted daemon brings tunnels up while this looks, so each listing judges TUN devices
  // by its own snapshot: a TUN created between two listings is not a stale address or route.
  for (const link of await json<IpAddr[]>(ns, ['-details', '-4', 'address', 'show'])) {
    if (link.ifname === 'lo' || link.linkinfo?.info_kind === 'tun') continue;
    for (const a of link.addr_info) {
      const text = `${a.local}/${a.prefixlen}`;
      if (!(link.ifname === 'ether1' && (text === `${SUBNET}.2/24` || text === ADMIN.address || d.addresses.has(text)))) stale.push(`address ${text} on ${link.ifname}`);
    }
  }
  const routes = await json<IpRoute[]>(ns, ['-4', 'route', 'show', 'table', 'main']);
  for (const l of await json<IpLink[]>(ns, ['-details', 'link', 'show'])) if (l.linkinfo?.info_kind === 'tun') tunNames.add(l.ifname);
  for (const r of routes) {
    if (r.protocol === 'kernel' || (r.dev !== undefined && tunNames.has(r.dev)) || r.dst === ADMIN.route || d.routes.has(r.dst)) continue;
    stale.push(`route ${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}${r.dev ? ` dev ${r.dev}` : ''}`);
  }
  return stale;
}

async function allConnected(r: Routerd, d: Desired): Promise<void> {
  for (const c of CLIENTS) {
    if (d.disabled.get(c)) continue;
    await r.poll(`/interface pptp-client monitor ${c} once`, (o) => /status: "connected"/.test(o), 60_000, 300);
  }
}

async function churn(t: Test): Promise<void> {
  const began = Date.now();
  const { server, client } = await twoRouters(t, { subnet: SUBNET, server: { level: 3 }, client: { level: 3 } });
  await server.routerd.configure('/interface pptp-server server set enabled=yes');
  for (const [i, c] of CLIENTS.entries()) {
    await server.routerd.configure(`/ppp secret add name=u${i + 1} password=p${i + 1} local-address=10.0.${90 + i}.1 remote-address=10.0.${90 + i}.2`);
    await client.routerd.configure(`/interface pptp-client add name=${c} connect-to=${SUBNET}.1 user=u${i + 1} password=p${i + 1} disabled=no`);
  }
  await client.routerd.configure('/ppp profile set default rate-limit=50M/50M');
  const ns = client.ns;
  await ns.run(['ip', 'link', 'add', ADMIN.ifb, 'type', 'ifb']);
  await ns.run(['ip', 'link', 'add', ADMIN.bridge, 'type', 'bridge']);
  await ns.run(['ip', 'address', 'add', ADMIN.address, 'dev', 'ether1']);
  await ns.run(['ip', 'route', 'add', ADMIN.route, 'via', `${SUBNET}.1`]);
  const dataDir = client.routerd.dataDir;
  let routerd = client.routerd;
  let desired = storedDesired(dataDir).desired!;
  await allConnected(routerd, desired);
  figures.setupSeconds = (Date.now() - began) / 1000;

  for (let round = 0; round < CHURN; round++) {
    let acked = desired;
    let inFlight: Desired | undefined;
    let killed = false;
    const killAfter = 50 + rnd(850);
    const killer = sleep(killAfter).then(async () => {
      killed = true;
      await routerd.kill9();
    });
    while (!killed) {
      const { line, after } = nextChange(acked);
      inFlight = after;
      try {
        const out = await routerd.command(line, 30_000);
        if (killed) break; // the answer may have come from the step the kill interrupted
        if (/failure|bad command|syntax error|no such item/i.test(out)) throw new Error(`${line}: ${out}`);
        acked = after;
        inFlight = undefined;
      } catch (e) {
        if (!killed) throw e;
      }
      await sleep(rnd(60));
    }
    await killer;
    figures.churnRounds++;
    progress();
    const stored = storedDesired(dataDir);
    const ok = stored.desired && (projection(stored.desired) === projection(acked) || (inFlight && projection(stored.desired) === projection(inFlight)));
    if (!ok || !stored.desired) {
      figures.broken.push(`churn round ${round}: ${stored.notice ?? `stored ${stored.desired ? projection(stored.desired) : '?'}, acknowledged ${projection(acked)}`}`);
      return;
    }
    desired = stored.desired;
    figures.leftBeforeRestart += (await staleIn(ns, desired)).length;

    routerd = (await startRouter(t, ns, ['ether1'], { identity: 'Client', level: 3, dataDir })).routerd;
    const stale = await staleIn(ns, desired);
    if (stale.length > 0) figures.stale.push(`churn round ${round}: ${stale.join(', ')}\n${(await routerd.logText()).split('\n').slice(-15).join('\n')}`);
    if (round % 10 === 9 || round === CHURN - 1) {
      await allConnected(routerd, desired);
      figures.tunnelChecks++;
    }
  }
  figures.churnSeconds = (Date.now() - began) / 1000 - figures.setupSeconds;
  // Once more when all is quiet: the tunnels are up, nothing stale, traffic passes.
  desired = { ...desired, disabled: new Map([...desired.disabled, [CLIENTS[0]!, false]]) };
  await routerd.configure(`/interface pptp-client enable ${CLIENTS[0]}`);
  await allConnected(routerd, desired);
  const finalStale = await staleIn(ns, desired);
  t.same(finalStale, [], 'nothing stale once the tunnels are back');
  const ping = await pings(ns, '10.0.90.1');
  t.ok(ping.ok, `traffic passes through a tunnel after the last round\n${ping.output}`);
  const links = (await ns.run(['ip', '-o', 'link', 'show'])).stdout;
  t.match(links, new RegExp(`${ADMIN.ifb}\\b[^]*${ADMIN.bridge}\\b|${ADMIN.bridge}\\b[^]*${ADMIN.ifb}\\b`), "the admin's ifb-rl9999 and adminbr are still there");
  t.match((await ns.run(['ip', '-4', 'address', 'show', 'dev', 'ether1'])).stdout, /10\.66\.0\.1\/24/, "the admin's address too");
  t.match((await ns.run(['ip', '-4', 'route', 'show', ADMIN.route])).stdout, /10\.55\.0\.0\/24 via/, "and the admin's route");
  t.match(await routerd.logText(), /previous run \(pid \d+\) ended without proper shutdown: killed/, 'the start after a kill says so in /log');
}

// On a machine loaded far beyond its cores a round can take several times its quiet length.
t.setTimeout(Math.max(1_200_000, ROUNDS * 30_000));

t.test(`${ROUNDS} kill -9 rounds: ${WRITES} during configuration writes, ${CHURN} during tunnel churn`, async (t) => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), `routerd-kill-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const writes = (async () => {
    for (let round = 0; round < WRITES; round++) await writeRound(dir, round);
    figures.writeSeconds = (Date.now() - started) / 1000;
  })();
  await Promise.all([writes, CHURN > 0 ? churn(t) : Promise.resolve()]);
  const seconds = (Date.now() - started) / 1000;
  if (process.env.CRASH_FIGURES) {
    writeFileSync(process.env.CRASH_FIGURES, [
      `rounds: ${figures.writeRounds + figures.churnRounds} (${figures.writeRounds} during configuration writes, ${figures.churnRounds} during tunnel churn)`,
      `broken configurations: ${figures.broken.length}`,
      `stale devices, addresses and routes after restart: ${figures.stale.length} rounds with any`,
      `left behind by the kills (removed by the next start): ${figures.leftBeforeRestart}`,
      `tunnels back after restart: checked ${figures.tunnelChecks} times`,
      `wall time: ${seconds.toFixed(0)} s`,
      '',
    ].join('\n'));
  }
  t.equal(figures.writeRounds + figures.churnRounds, ROUNDS, 'every round ran');
  t.same(figures.broken, [], 'no configuration was broken: each was the old or the new one');
  t.same(figures.stale, [], 'nothing stale after any restart');
  t.comment(`kill-rounds: rounds=${figures.writeRounds + figures.churnRounds} (writes ${figures.writeRounds}, churn ${figures.churnRounds}) broken-configurations=${figures.broken.length} ` +
    `left-by-kill=${figures.leftBeforeRestart} stale-after-restart=${figures.stale.length} tunnel-checks=${figures.tunnelChecks} ` +
    `seconds=${seconds.toFixed(1)} (writes ${figures.writeSeconds.toFixed(1)}; churn set-up ${figures.setupSeconds.toFixed(1)}, rounds ${figures.churnSeconds.toFixed(1)})`);
});
