// One flood run (issue 15 item 2), shared by `make bench-flood` (full scale) and
// test/netns/flood.test.ts (a tenth). A routerd server, a routerd client with a tunnel to it that
// carries checked HTTP transfers (native data plane, MPPE-128), and a flooder namespace on a
// second port of the server. Three floods, one after the other, each while the tunnel is measured:
//   idle   completed control connections that never place a call, from many source addresses;
//          the flooder keeps them open, and the server must close them itself (15 s, no call)
//   syn    SYNs to port 1723 from random addresses in 198.19.0.0/16 (raw socket, never answered)
//   lcp    an LCP storm inside one authenticated session (our own client code): Configure-
//          Requests, then Echo-Requests
//   gre-spoof  GRE from the client's own address to the server, mostly with the live call's ID
//          and random sequence numbers, MPPE counts and flags (test/netns/fixtures/gre-spoofer.py)
// For each: the transfer rate before, during and after, routerd's RSS before and at its peak,
// and how long the console took to answer a print during the flood.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { createVethPair, type Netns, type TeardownHost } from '../test/lib/netns.js';
import { createNetns, startRouter, pings } from '../test/lib/routers.js';
import type { Routerd } from '../test/lib/routerd.js';
import { serveBlob, streamBlobs, type StreamCount } from '../test/lib/transfer.js';
import { sccrq } from '../test/pptp/fixtures.js';
import { emitControlMessage } from '../src/wire/pptp-control.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsLoader = join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs');
const fixtures = join(root, 'test', 'netns', 'fixtures');

export interface FloodScale {
  /** SYNs sent, and how many a second. */
  readonly syns: number;
  readonly synPps: number;
  /** Control connections opened, and how many a second; from this many source addresses. */
  readonly idle: number;
  readonly idlePerSecond: number;
  readonly idleSources: number;
  /** LCP packets a second, and for how long, per kind (Configure-Request, then Echo-Request). */
  readonly lcpPps: number;
  readonly lcpSeconds: number;
  /** Spoofed GRE packets a second from the client's address, and for how long. */
  readonly spoofPps: number;
  readonly spoofSeconds: number;
  /** Bytes of one checked transfer through the tunnel (they follow one another without pause). */
  readonly transferBytes: number;
  /** Seconds measured before and after each flood (their mean is what "during" is compared with). */
  readonly baselineSeconds: number;
  /**
   * Also run the idle-connection flood against a plain Node listener beside routerd (port 1724:
   * accept, keep 192, close the rest, close each after 15 s): what the flood costs the tunnel
   * when routerd is not involved, to tell routerd's share from the machine's.
   */
  readonly idleControl?: boolean;
  readonly progress?: (line: string) => void;
}

export interface Rate {
  readonly ok: boolean;
  readonly mbps: number;
  readonly transfers: number;
}

export interface FloodFigures {
  readonly name: string;
  /** What was sent, in words (the flooder's own summary). */
  readonly size: string;
  readonly before: Rate;
  readonly during: Rate;
  readonly after: Rate;
  readonly rssBeforeKiB: number;
  readonly rssPeakKiB: number;
  readonly rssAfterKiB: number;
  /** The slowest answer of `/interface pptp-server pending print`, typed again and again during the flood. */
  readonly consoleMs: number;
  readonly consolePrints: number;
  /** The console's last such output. */
  readonly consoleOutput: string;
  readonly pingsAfter: boolean;
  /** Facts each flood adds (caps seen, kernel counters, log lines). */
  readonly facts: Record<string, string | number | boolean>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]);
}

/** User + system CPU seconds a process has used (/proc/PID/stat fields 14 and 15). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Samples a process's RSS every 200 ms until stopped; the largest sample. */
function rssPeak(pid: number): () => number {
  let peak = rssKiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssKiB(pid))), 200);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssKiB(pid));
  };
}

/** Lines of a child's stdout, as they come; JSON lines parsed. */
function jsonLines(child: ChildProcess): { next: (event: string, timeoutMs: number) => Promise<Record<string, unknown>>; text: () => string } {
  const seen: Record<string, unknown>[] = [];
  let text = '';
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    text += `${l}\n`;
    if (l.startsWith('{')) seen.push(JSON.parse(l) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  // 'close' comes after the child's output was read to its end: no line is missed at its exit.
  let closed = false;
  const whenClosed = new Promise<void>((resolve) =>
    child.on('close', () => {
      closed = true;
      resolve();
    }),
  );
  return {
    text: () => text,
    next: async (event, timeoutMs) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = seen.find((o) => o.event === event);
        if (found) return found;
        if (closed) throw new Error(`flooder exited before "${event}": ${text.trim()}`);
        if (Date.now() > end) throw new Error(`no "${event}" from the flooder within ${timeoutMs} ms: ${text.trim()}`);
        await Promise.race([new Promise<void>((r) => waiters.push(r)), whenClosed, sleep(250)]);
      }
    },
  };
}

interface Bed {
  readonly server: Routerd;
  readonly client: Routerd;
  readonly srv: Netns;
  readonly cli: Netns;
  readonly flood: Netns;
  readonly pid: number;
  /** Checked transfers through the tunnel, one after another for the whole run. */
  readonly stream: { count: () => StreamCount };
}

async function bed(t: TeardownHost, scale: FloodScale): Promise<Bed> {
  const [srv, cli, flood] = [await createNetns(t, 'fls'), await createNetns(t, 'flc'), await createNetns(t, 'flf')];
  await createVethPair(srv, cli, { nameA: 'ether1', nameB: 'ether1' });
  await createVethPair(srv, flood, { nameA: 'ether2', nameB: 'eth0', addrB: '198.18.25.2/24' });
  // The idle connections' source addresses, on the flooder's port.
  for (let i = 0; i < scale.idleSources; i++) await flood.run(['ip', 'addr', 'add', `198.18.25.${100 + i}/24`, 'dev', 'eth0']);
  const [server, client] = await Promise.all([
    startRouter(t, srv, ['ether1', 'ether2'], { identity: 'Server', level: 6 }),
    startRouter(t, cli, ['ether1'], { identity: 'Client' }),
  ]);
  for (const line of [
    '/ip address add address=198.18.24.1/24 interface=ether1',
    '/ip address add address=198.18.25.1/24 interface=ether2',
    // SYN-ACKs to the spoofed sources go to the flooder's namespace, which drops them.
    '/ip route add dst-address=198.19.0.0/16 gateway=198.18.25.2',
    '/ppp profile set default use-encryption=required',
    '/ppp secret add name=ex password=lkjrht local-address=10.0.24.1 remote-address=10.0.24.2',
    '/ppp secret add name=storm password=st0rm local-address=10.0.25.1 remote-address=10.0.25.2',
    '/interface pptp-server server set enabled=yes',
  ]) {
    await server.routerd.configure(line);
  }
  await client.routerd.configure('/ip address add address=198.18.24.2/24 interface=ether1');
  await client.routerd.configure('/ppp profile set default use-encryption=required');
  await client.routerd.configure('/interface pptp-client add connect-to=198.18.24.1 user=ex password=lkjrht disabled=no');
  await client.routerd.poll('/interface pptp-client monitor pptp-out1 once', (o) => /status: "connected"/.test(o), 30_000);
  for (let i = 0; !(await pings(cli, '10.0.24.1')).ok; i++) {
    if (i > 20) throw new Error('the measured tunnel passes no pings');
    await sleep(500);
  }
  const served = await serveBlob(t, srv, '10.0.24.1', 8080, scale.transferBytes);
  const stream = await streamBlobs(t, cli, 'http://10.0.24.1:8080/blob', served);
  return { server: server.routerd, client: client.routerd, srv, cli, flood, pid: server.routerd.pid!, stream };
}

/** The stream's rate between two counts; ok when bytes moved and every transfer completed matched. */
function rateBetween(from: StreamCount, to: StreamCount, ms: number): Rate {
  const bytes = to.bytes - from.bytes;
  return { ok: bytes > 0 && to.bad === from.bad, mbps: ms <= 0 ? 0 : (bytes * 8) / 1000 / ms, transfers: to.transfers - from.transfers };
}

/** The stream's rate from now until `busy` turns false. */
async function rateWhile(b: Bed, busy: () => boolean): Promise<Rate> {
  const [from, started] = [b.stream.count(), Date.now()];
  while (busy()) await sleep(50);
  return rateBetween(from, b.stream.count(), Date.now() - started);
}

interface ConsoleSamples {
  /** The slowest answer, and how many prints were answered. */
  readonly maxMs: number;
  readonly count: number;
  /** The most connections without a call the server held at one print. */
  readonly maxConnectionsHeld: number;
  readonly last: string;
}

/** `/interface pptp-server pending print`, again and again while `busy` (at least once). */
async function consoleWhile(r: Routerd, busy: () => boolean): Promise<ConsoleSamples> {
  let maxMs = 0;
  let count = 0;
  let maxConnectionsHeld = 0;
  let last = '';
  do {
    const started = Date.now();
    last = await r.command('/interface pptp-server pending print');
    maxMs = Math.max(maxMs, Date.now() - started);
    count++;
    maxConnectionsHeld = Math.max(maxConnectionsHeld, Number(/connections\s+total\s+(\d+)/.exec(last)?.[1] ?? 0));
    await sleep(100);
  } while (busy());
  return { maxMs, count, maxConnectionsHeld, last };
}

/**
 * One flood: a transfer before; the flood started by `start`, which resolves once it is under
 * way and returns `running` (false once the flood is over) and `finish` (what it reports);
 * transfers while it runs; a console print; the flood's end; pings and a transfer after.
 */
async function measure(
  b: Bed,
  scale: FloodScale,
  name: string,
  start: () => Promise<{ running: () => boolean; finish: () => Promise<{ size: string; facts: FloodFigures['facts'] }> }>,
  say: (l: string) => void,
): Promise<FloodFigures> {
  const baseline = (): Promise<Rate> => {
    const end = Date.now() + scale.baselineSeconds * 1000;
    return rateWhile(b, () => Date.now() < end);
  };
  const before = await baseline();
  const rssBeforeKiB = rssKiB(b.pid);
  const peak = rssPeak(b.pid);
  say(`${name}: before ${before.mbps.toFixed(0)} Mbit/s, flooding`);
  const cpu0 = cpuSeconds(b.pid);
  const t0 = Date.now();
  const flood = await start();
  const [during, print] = await Promise.all([rateWhile(b, flood.running), consoleWhile(b.server, flood.running)]);
  const { size, facts } = await flood.finish();
  const floodS = (Date.now() - t0) / 1000;
  const cpuS = cpuSeconds(b.pid) - cpu0;
  const rssPeakKiB = peak();
  const pingsAfter = (await pings(b.cli, '10.0.24.1')).ok;
  const after = await baseline();
  const rssAfterKiB = rssKiB(b.pid);
  say(`${name}: during ${during.mbps.toFixed(0)} (${during.transfers} transfers), after ${after.mbps.toFixed(0)} Mbit/s`);
  return {
    name, size, before, during, after, rssBeforeKiB, rssPeakKiB, rssAfterKiB, pingsAfter,
    consoleMs: print.maxMs, consolePrints: print.count, consoleOutput: print.last,
    facts: { ...facts, maxConnectionsHeld: print.maxConnectionsHeld, floodSeconds: Number(floodS.toFixed(1)), routerdCpuSeconds: Number(cpuS.toFixed(2)) },
  };
}

/** A kernel TCP counter (TcpExt) in the server's namespace. */
async function tcpExt(ns: Netns, name: string): Promise<number> {
  const r = await ns.exec(['cat', '/proc/net/netstat']);
  const lines = r.stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const keys = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[keys.indexOf(name)] ?? NaN);
}

/** A genuine TCP connection to the PPTP port completes (from the flooder's own address). */
async function genuineConnect(ns: Netns): Promise<boolean> {
  const script = `const s = require('net').connect({ host: '198.18.25.1', port: 1723, localAddress: '198.18.25.2' });
    s.setTimeout(10000, () => process.exit(1)); s.on('connect', () => { s.destroy(); process.exit(0); }); s.on('error', () => process.exit(1));`;
  return (await ns.exec(['node', '-e', script])).code === 0;
}

/** What every other idle connection sends: a Start-Control-Connection-Request from our own codec. */
const IDLE_HELLO = emitControlMessage(sccrq()).toString('hex');

/** The idle-connection flooder against 198.18.25.1 (port: the plain listener's); running until it has flooded. */
function idleFlood(b: Bed, scale: FloodScale, sources: readonly string[], port?: string) {
  const args = ['198.18.25.1', String(scale.idle), String(scale.idlePerSecond), sources.join(','), port ?? '1723', IDLE_HELLO];
  const child = spawnFixture(b.flood, 'idle-connections.py', args);
  const lines = jsonLines(child);
  let flooding = true;
  void lines.next('flooded', 600_000).then(() => (flooding = false), () => (flooding = false));
  return { child, lines, running: () => flooding };
}

/** A fixture of test/netns/fixtures in ns: Python ones by python3, TypeScript ones by node and its loader. */
function spawnFixture(ns: Netns, script: string, args: readonly string[]): ChildProcess {
  const argv = script.endsWith('.py') ? ['/usr/bin/python3', join(fixtures, script)] : ['node', '--import', tsLoader, join(fixtures, script)];
  return ns.spawn(argv[0]!, [...argv.slice(1), ...args], { stdio: ['pipe', 'pipe', 'pipe'], cwd: root });
}

export async function runFloods(t: TeardownHost, scale: FloodScale): Promise<FloodFigures[]> {
  const say = scale.progress ?? ((): void => {});
  const b = await bed(t, scale);
  const figures: FloodFigures[] = [];

  // 1. Control connections that never place a call.
  const sources = Array.from({ length: scale.idleSources }, (_, i) => `198.18.25.${100 + i}`);
  let heldPrint = '';
  let releaseIdle: (() => Promise<Record<string, number | boolean>>) | undefined;
  figures.push(
    await measure(b, scale, 'idle', async () => {
      const { child, lines, running } = idleFlood(b, scale, sources);
      return {
        running,
        finish: async () => {
          const flooded = await lines.next('flooded', 600_000);
          // The flooder shares the machine's cores with the routers and the transfer.
          const flooderCpuSeconds = child.pid === undefined ? NaN : cpuSeconds(child.pid);
          // While the flooder still holds what it got: the pools are full.
          heldPrint = await b.server.command('/interface pptp-server pending print');
          const floodedAt = Date.now();
          // The flooder keeps what it got; the server's no-call timeout is checked at the end.
          releaseIdle = async () => {
            const released = await b.server
              .poll('/interface pptp-server pending print', (o) => /connections\s+total\s+0\s/.test(o), 30_000)
              .then(() => true, () => false);
            const sinceFlooded = (Date.now() - floodedAt) / 1000;
            child.stdin!.write('close\n');
            const closed = await lines.next('closed', 30_000);
            return { releasedByTimeout: released, secondsAfterFlood: Number(sinceFlooded.toFixed(1)), stillOpenAtClientAtTheEnd: Number(closed.closedByUs) };
          };
          const log = await b.server.logText();
          return {
            size: `${flooded.opened} connections at ${scale.idlePerSecond}/s from ${scale.idleSources} addresses`,
            facts: {
              opened: Number(flooded.opened),
              failed: Number(flooded.failed),
              closedByServer: Number(flooded.closedByServer),
              heldAtEnd: Number(flooded.open),
              maxHeld: Number(flooded.maxOpen),
              heldPrint,
              refusalsLogged: (log.match(/control connection from \S+ refused: too many/g) ?? []).length,
              flooderCpuSeconds: Number(flooderCpuSeconds.toFixed(2)),
            },
          };
        },
      };
    }, say),
  );

  if (scale.idleControl) {
    const listener = `let held = 0; require('net').createServer((s) => { s.on('error', () => {}); s.resume();
      if (held >= 192) return s.destroy(); held++; s.on('close', () => held--); setTimeout(() => s.destroy(), 15000).unref(); })
      .listen(1724, '198.18.25.1', () => console.log('listening'));`;
    const plain = b.srv.spawn('node', ['-e', listener], { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      plain.stdout!.once('data', () => resolve());
      plain.once('exit', (code) => reject(new Error(`plain listener exited (${code})`)));
    });
    figures.push(
      await measure(b, scale, 'idle-plain', async () => {
        const { child, lines, running } = idleFlood(b, scale, sources, '1724');
        return {
          running,
          finish: async () => {
            const flooded = await lines.next('flooded', 600_000);
            const flooderCpuSeconds = child.pid === undefined ? NaN : cpuSeconds(child.pid);
            const listenerCpuSeconds = plain.pid === undefined ? NaN : cpuSeconds(plain.pid);
            child.stdin!.write('close\n');
            await lines.next('closed', 30_000);
            return {
              size: `${flooded.opened} connections to a plain Node listener (not routerd) at ${scale.idlePerSecond}/s`,
              facts: { flooderCpuSeconds: Number(flooderCpuSeconds.toFixed(2)), listenerCpuSeconds: Number(listenerCpuSeconds.toFixed(2)) },
            };
          },
        };
      }, say),
    );
    plain.kill('SIGTERM');
  }

  // The idle connections the server took are left open by the flooder: the server must close
  // them itself (no call within 15 s), leaving the pool empty. Until then nobody new gets in
  // (the server does not even listen while its pool is full), so the SYN flood's genuine
  // connection waits for this.
  if (releaseIdle) Object.assign(figures.find((f) => f.name === 'idle')!.facts, await releaseIdle());

  // 2. SYNs from spoofed sources: the kernel's SYN cookies take the backlog.
  figures.push(
    await measure(b, scale, 'syn', async () => {
      const cookies0 = await tcpExt(b.srv, 'SyncookiesSent');
      const child = spawnFixture(b.flood, 'syn-flood.py', ['198.18.25.1', '1723', String(scale.syns), String(scale.synPps), '198.19']);
      const lines = jsonLines(child);
      let running = true;
      const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1))).finally(() => (running = false));
      await sleep(300); // the interpreter's start: SYNs are flowing after it
      const genuine = genuineConnect(b.flood);
      return {
        running: () => running,
        finish: async () => {
          const code = await exited;
          if (code !== 0) throw new Error(`syn-flood failed (${code}): ${lines.text()}`);
          const sent = Number(/sent (\d+)/.exec(lines.text())?.[1] ?? 0);
          return {
            size: `${sent} SYNs at ${scale.synPps}/s`,
            facts: { sent, syncookiesSent: (await tcpExt(b.srv, 'SyncookiesSent')) - cookies0, genuineConnectDuringFlood: await genuine },
          };
        },
      };
    }, say),
  );



  // 3. LCP storms inside one authenticated session: Configure-Requests, then Echo-Requests.
  for (const kind of ['configure', 'echo'] as const) {
    figures.push(
      await measure(b, scale, `lcp-${kind}`, async () => {
        // The server hangs up at the first Configure-Request ("LCP renegotiation by peer"); its log
        // line can come a moment after the stormer has seen the link go, or name the stormer's own
        // reaction if that reached the server first. An Echo storm must cause no renegotiation
        // hang-up (the stormer clears its call itself when done: "cleared by peer").
        const hangUps = async (): Promise<string[]> => [...(await b.server.logText()).matchAll(/storm from 198\.18\.25\.2 disconnected: (.*)/g)].map((m) => m[1]!.trim());
        const ended0 = (await hangUps()).length;
        /** The reason the server logged for ending the storming session at its renegotiation, if it did. */
        const endedStorm = async (): Promise<string | undefined> => {
          for (const end = Date.now() + 5000; ; await sleep(200)) {
            const reasons = (await hangUps()).slice(ended0);
            if (kind === 'echo') return reasons.find((r) => r === 'LCP renegotiation by peer');
            if (reasons.length > 0) return reasons[0];
            if (Date.now() > end) return undefined;
          }
        };
        const child = spawnFixture(b.flood, 'lcp-storm.ts', ['198.18.25.1', 'storm', 'st0rm', `storm-${kind.slice(0, 4)}`, kind, String(scale.lcpPps), String(scale.lcpSeconds)]);
        const lines = jsonLines(child);
        await lines.next('up', 30_000);
        let running = true;
        void lines.next('done', 600_000).then(() => (running = false), () => (running = false));
        return {
          running: () => running,
          finish: async () => {
            const done = await lines.next('done', 600_000);
            await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', () => resolve())));
            return {
              size: `${done.sent} LCP ${kind === 'configure' ? 'Configure' : 'Echo'}-Requests at ${scale.lcpPps}/s in one session`,
              facts: {
                sent: Number(done.sent),
                stormLinkDown: String(done.linkDown ?? 'still up'),
                packetsToStormer: Number(done.greRx),
                serverEndedStorm: (await endedStorm()) ?? false,
              },
            };
          },
        };
      }, say),
    );
  }

  // 4. Spoofed GRE from the client's own address: mostly the live call's ID with random sequence
  // numbers, acknowledgements, MPPE counts and flags; some random GRE flags; some random call IDs.
  const callLog = await b.server.poll('/log print', (o) => /call \d+ 198\.18\.24\.2/.test(o), 10_000);
  const callId = /call (\d+) 198\.18\.24\.2/.exec(callLog)![1]!;
  figures.push(
    await measure(b, scale, 'gre-spoof', async () => {
      const child = spawnFixture(b.cli, 'gre-spoofer.py', ['198.18.24.1', callId, String(scale.spoofSeconds), String(scale.spoofPps)]);
      const lines = jsonLines(child);
      let running = true;
      const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1))).finally(() => (running = false));
      await sleep(300); // the interpreter's start: junk is flowing after it
      let pingsDuring = false;
      const pinged = pings(b.cli, '10.0.24.1').then((p) => (pingsDuring = p.ok));
      return {
        running: () => running,
        finish: async () => {
          if ((await exited) !== 0) throw new Error(`gre-spoofer failed: ${lines.text()}`);
          await pinged;
          const sent = Number(/sent (\d+)/.exec(lines.text())?.[1] ?? 0);
          // The spoofer shares the cores with the tunnel it disturbs.
          const spooferCpuSeconds = Number(/cpu ([\d.]+) s/.exec(lines.text())?.[1] ?? NaN);
          const facts = { sent, pingsDuring, spooferCpuSeconds };
          return { size: `${sent} spoofed GRE packets at ${scale.spoofPps}/s (live call ID ${callId}: 85%)`, facts };
        },
      };
    }, say),
  );
  return figures;
}
