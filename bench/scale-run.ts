// One scale run (issue 13 item 4), shared by `make bench-scale` (1000 tunnels) and the small
// test in make test: a routerd server at licence level 6 in one namespace, the load generator
// (bench/scale-client.ts: N clients in one process) in another, a veth between them. Measures
// the time from the first dial until every tunnel is up (its TUN configured on both sides), then
// pings through each, and reads routerd's resident memory before any tunnel and with all of them
// up and idle.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createVethPair, type Netns, type TeardownHost } from '../test/lib/netns.js';
import { createNetns, startRouter } from '../test/lib/routers.js';
import { breakdownTable, smapsSplit, v8Reading, type MemReading } from './mem-breakdown.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsLoader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');

export interface ScaleOptions {
  readonly count: number;
  /** Client dials in flight at once. */
  readonly concurrency?: number;
  readonly dataplane?: 'native' | 'reference';
  /** A directory for V8 CPU profiles (`node --cpu-prof`) of routerd and the load generator, written when they exit. */
  readonly cpuProfileDir?: string;
  /**
   * A directory for the memory breakdown (bench/mem-breakdown.ts): routerd then runs with
   * bench/mem-probe.js preloaded and --expose-gc, read after the RSS samples.
   */
  readonly memDir?: string;
  /** With memDir: V8 heap snapshots too, before and with all tunnels idle. */
  readonly heapSnapshots?: boolean;
  /** More node options for routerd (BENCH_NODE_ARGS: V8 heap flags to compare). */
  readonly routerdNodeArgs?: readonly string[];
  /** Progress lines (the bench prints them; the test stays quiet). */
  readonly progress?: (line: string) => void;
}

export interface ScaleResult {
  readonly count: number;
  readonly up: number;
  readonly pinged: number;
  /** Client links still up after the pings. */
  readonly stillUp: number;
  /** Why links that had come up went down, with counts. */
  readonly lost: Record<string, number>;
  readonly upMs: number;
  readonly pingMs: number;
  readonly rssBeforeKiB: number;
  readonly rssIdleKiB: number;
  /** (idle - before) / the tunnels the server still has (its TUN devices). */
  readonly rssPerTunnelKiB: number;
  readonly serverTunnels: number;
  /** When the server had fewer tunnels than came up: its log's disconnect reasons, with counts. */
  readonly serverDown: Record<string, number>;
  /**
   * CPU seconds routerd and the load generator used from the first dial until the last tunnel
   * was up: on a shared machine the wall time says more about the neighbours than about us.
   */
  readonly serverCpuS: number;
  readonly clientCpuS: number;
  /** Of serverCpuS, what routerd's JavaScript thread (its event loop) used. */
  readonly serverLoopCpuS: number;
  readonly failures: readonly string[];
  readonly failureCount: number;
  /** Per tunnel, client side: TCP + Start-Control-Connection, Outgoing-Call, PPP until configured. */
  readonly phases: Record<string, string>;
  /** With memDir: KiB per tunnel by category, a table. */
  readonly memBreakdown?: string;
}

// The server lets one source address hold 32 calls that have not authenticated yet (SPEC.md
// "Licence levels"): the generator keeps fewer than that in flight. One source address only: the
// client's GRE socket sends from the address the kernel picks, and the server accepts a call's
// GRE only from the address its control connection came from.
const CONCURRENCY = 30;

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/**
 * User + system CPU seconds a process has used (/proc/PID/stat fields 14 and 15); with
 * mainThread, only its first thread's (Node's event loop).
 */
function cpuSeconds(pid: number, mainThread = false): number {
  const stat = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The smallest of ten samples over five seconds: the JavaScript heap of an idle daemon still
 * grows and shrinks by tens of MiB between collections, which one sample would count as
 * tunnels (a single sample once gave a negative figure per tunnel).
 */
async function settledRssKiB(pid: number): Promise<number> {
  let least = Infinity;
  for (let i = 0; i < 10; i++) {
    await sleep(500);
    least = Math.min(least, rssKiB(pid));
  }
  return least;
}

export async function runScale(t: TeardownHost, options: ScaleOptions): Promise<ScaleResult> {
  const say = options.progress ?? ((): void => {});
  const srv = await createNetns(t, 'scs');
  const cli = await createNetns(t, 'scc');
  await createVethPair(srv, cli, { nameA: 'ether1', nameB: 'lg-eth', addrB: '198.18.40.2/24' });

  const profile = (who: string): string[] => (options.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, who)}`]);
  const probeOut = options.memDir === undefined ? undefined : join(options.memDir, `probe-${process.pid}`);
  if (probeOut !== undefined) {
    process.env.MEM_PROBE_OUT = probeOut;
    if (options.heapSnapshots) process.env.MEM_PROBE_SNAPSHOT = '1';
  }
  const probeArgs = probeOut === undefined ? [] : ['--expose-gc', '--import', join(root, 'dist', 'bench', 'mem-probe.js')];
  const nodeArgs = [...profile('routerd'), ...probeArgs, ...(options.routerdNodeArgs ?? [])];
  const memReading = async (n: number): Promise<MemReading> => {
    const v8 = await v8Reading(pid, probeOut!, n);
    return { v8, smaps: smapsSplit(pid) };
  };
  const { routerd } = await startRouter(t, srv, ['ether1'], { level: 6, dataplane: options.dataplane, nodeArgs });
  const pid = routerd.pid!;
  if (!/node/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) throw new Error('routerd pid is not the node process');
  const hosts = Math.max(options.count + 10, 254);
  const last = 1 + hosts;
  for (const line of [
    '/ip address add address=198.18.40.1/24 interface=ether1',
    `/ip pool add name=lg ranges=10.64.0.1-10.64.${Math.floor(last / 256)}.${last % 256}`,
    '/ppp profile add name=lg local-address=10.63.255.254 remote-address=lg use-encryption=yes',
    '/ppp secret add name=lg password=lg-secret service=pptp profile=lg',
    '/interface pptp-server server set enabled=yes default-profile=lg authentication=mschap2',
  ]) {
    await routerd.configure(line);
  }
  const rssBeforeKiB = await settledRssKiB(pid);
  const memBefore = probeOut === undefined ? undefined : await memReading(0);
  const serverCpu0 = cpuSeconds(pid);
  const serverLoopCpu0 = cpuSeconds(pid, true);

  const client = cli.spawn(
    'node',
    [
      ...profile('load-generator'),
      '--import', tsLoader, join(root, 'bench', 'scale-client.ts'),
      '--server', '198.18.40.1', '--count', String(options.count), '--concurrency', String(options.concurrency ?? CONCURRENCY),
      '--sources', '198.18.40.2', '--user', 'lg', '--password', 'lg-secret', '--dataplane', options.dataplane ?? 'native',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], cwd: root },
  );
  const clientPid = client.pid!;
  let cpuAtUp = { server: 0, client: 0, loop: 0 };
  let stderr = '';
  client.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: client.stdout! });
  const events: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  lines.on('line', (l) => {
    const e = JSON.parse(l) as Record<string, unknown>;
    events.push(e);
    if (e.event === 'up') cpuAtUp = { server: cpuSeconds(pid) - serverCpu0, client: cpuSeconds(clientPid), loop: cpuSeconds(pid, true) - serverLoopCpu0 };
    if (e.event === 'up') say(`${String(e.count)} tunnels up after ${String(e.ms)} ms`);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<void>((resolve) => client.on('exit', () => resolve()));
  const waitEvent = async (name: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const e = events.find((x) => x.event === name);
      if (e) return e;
      if (client.exitCode !== null) throw new Error(`load generator exited (${client.exitCode}): ${stderr}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), exited]);
    }
  };
  try {
    const done = await waitEvent('done');
    say(`client endpoint: ${JSON.stringify(done.endpoint)}`);
    // Idle: no dial, no traffic; what the server holds per tunnel now is what it costs to keep one.
    const rssIdleKiB = await settledRssKiB(pid);
    const serverTunnels = Number((await srv.run(['ip', '-o', 'link', 'show', 'type', 'tun'])).stdout.split('\n').filter((l) => l.trim()).length);
    const up = Number(done.up);
    const memIdle = probeOut === undefined ? undefined : await memReading(1);
    // Tunnels the server ended on its own while the generator still held them: its log says why.
    const serverDown: Record<string, number> = {};
    if (serverTunnels < up) {
      for (const line of (await routerd.logText()).split('\n')) {
        if (!/disconnected|hung up|keepalive/i.test(line)) continue;
        const why = line.slice(line.lastIndexOf(': ') + 2).trim() || line.trim();
        serverDown[why] = (serverDown[why] ?? 0) + 1;
      }
    }
    const result: ScaleResult = {
      count: options.count,
      up,
      pinged: Number(done.pinged),
      stillUp: Number(done.stillUp),
      lost: done.lost as Record<string, number>,
      upMs: Number(done.upMs),
      pingMs: Number(done.pingMs),
      rssBeforeKiB,
      rssIdleKiB,
      rssPerTunnelKiB: serverTunnels > 0 ? (rssIdleKiB - rssBeforeKiB) / serverTunnels : 0,
      serverTunnels,
      serverDown,
      serverCpuS: cpuAtUp.server,
      clientCpuS: cpuAtUp.client,
      serverLoopCpuS: cpuAtUp.loop,
      failures: done.failures as string[],
      failureCount: Number(done.failureCount),
      phases: done.phases as Record<string, string>,
      memBreakdown: memBefore && memIdle ? breakdownTable(memBefore, memIdle, serverTunnels) : undefined,
    };
    client.stdin!.write('hang up\n');
    await Promise.race([waitEvent('closed').catch(() => undefined), sleep(30_000)]);
    return result;
  } finally {
    if (client.exitCode === null) client.kill();
    await Promise.race([exited, sleep(5000)]);
  }
}

/** The result as bench-scale and bench-tunnel print it: a table row, then what went wrong if anything did. */
export function scaleReport(r: ScaleResult, dataplane: string): string {
  const lines = [
    `${r.count} PPTP tunnels (MPPE-128, MS-CHAPv2) to one routerd, ${dataplane} data plane, one load-generator process`,
    '| tunnels up | set-up time | CPU s until all up: routerd (its event loop) / load generator | pinged through | routerd RSS before | RSS all idle | RSS per idle tunnel |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    `| ${r.up} of ${r.count} (after the pings: ${r.stillUp} up, server ${r.serverTunnels} TUN) | ${(r.upMs / 1000).toFixed(2)} s | ${r.serverCpuS.toFixed(1)} (${r.serverLoopCpuS.toFixed(1)}) / ${r.clientCpuS.toFixed(1)} | ${r.pinged} (in ${(r.pingMs / 1000).toFixed(1)} s) | ${(r.rssBeforeKiB / 1024).toFixed(1)} MiB | ${(r.rssIdleKiB / 1024).toFixed(1)} MiB | ${r.rssPerTunnelKiB.toFixed(1)} KiB |`,
    `per tunnel (client side): ${Object.entries(r.phases).map(([k, v]) => `${k} ${v}`).join('; ')}`,
  ];
  if (r.memBreakdown !== undefined) lines.push(`routerd's memory by category:\n${r.memBreakdown}`);
  if (Object.keys(r.serverDown).length > 0) lines.push(`the server's log says it ended tunnels: ${JSON.stringify(r.serverDown)}`);
  if (Object.keys(r.lost).length > 0) lines.push(`links lost after coming up: ${JSON.stringify(r.lost)}`);
  if (r.failureCount > 0) lines.push(`${r.failureCount} failures, first ones:\n${r.failures.join('\n')}`);
  return lines.join('\n');
}

export type { Netns };
