// The load generator of `make bench-scale` (issue 13 item 4): N PPTP clients in one process,
// built from the router's own client parts (PptpClientConnection, PppLink with the client role,
// one data plane with a TUN device per tunnel), dialing one server. Runs inside the client
// namespace that bench/scale.ts made; prints one JSON object per line on stdout:
//   {"event":"up","count":N,"ms":...}          every 100 tunnels and at the end
//   {"event":"done", upMs, pingMs, up, pinged, failures: [...]}
// then waits for a line on stdin before it hangs up (so the server can be measured idle).
//
// Each tunnel's TUN gets the address the server gave it, the server's address as its peer, and
// is pinged with `ping -I` through that device: the reply comes back only through that tunnel.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { nativeMppe } from '../src/crypto/mppe-native.js';
import { createDataPlane, isDataPlaneKind } from '../src/dataplane/factory.js';
import { silentLogger } from '../src/log.js';
import type { DataPlaneSession } from '../src/dataplane/dataplane.js';
import { CallTable, PptpClientConnection, type CallInfo } from '../src/pptp/index.js';
import { PppLink } from '../src/router/ppp-link.js';
import { Host, describeSystemError, type SystemResult } from '../src/system/host.js';
import { StopReason } from '../src/wire/pptp-codes.js';

interface Options {
  server: string;
  count: number;
  /** Dials in flight at once; the server holds unauthenticated peers to 128 pending calls. */
  concurrency: number;
  /** Source addresses to dial from: the server allows 32 pending calls per address. */
  sources: string[];
  user: string;
  password: string;
  dataplane: string;
}

function parseArgs(argv: string[]): Options {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) o[argv[i]!.replace(/^--/, '')] = argv[i + 1]!;
  const need = (k: string): string => {
    if (o[k] === undefined) throw new Error(`scale-client: --${k} is required`);
    return o[k]!;
  };
  return {
    server: need('server'),
    count: Number(need('count')),
    concurrency: Number(o.concurrency ?? 64),
    sources: need('sources').split(','),
    user: need('user'),
    password: need('password'),
    dataplane: o.dataplane ?? 'native',
  };
}

function emit(o: object): void {
  process.stdout.write(`${JSON.stringify(o)}\n`);
}

function must(r: SystemResult<void>, what: string): void {
  if (!r.ok) throw new Error(`${what}: ${describeSystemError(r.error)}`);
}

interface Client {
  readonly index: number;
  readonly tun: string;
  connection?: PptpClientConnection;
  link?: PppLink;
  server?: string;
}

/**
 * The server sends its first LCP Configure-Request right after the Outgoing-Call-Reply. With a
 * thousand calls on one GRE socket, that packet is often read (on the data plane's thread, or
 * in a batch for other calls) before the reply is, and dropped as an unknown call: the link then
 * waits for the server's 3 s restart timer. The router's own pptp-client has the same race (a
 * finding of this bench, reported in issue 13). The generator catches such early frames: when a
 * call ID is drawn (before the request goes out), a session under a stand-in peer call ID takes
 * what arrives for it, and its frames are replayed into the real link.
 */
/** How long the catcher stays open after the Outgoing-Call-Reply. */
const CATCH_DRAIN_MS = 5;

class WatchedCallTable extends CallTable {
  onAllocate: ((id: number) => void) | undefined;
  override allocate(): number | undefined {
    const id = super.allocate();
    if (id !== undefined) this.onAllocate?.(id);
    return id;
  }
}

function ping(dev: string, address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('ping', ['-n', '-q', '-c', '1', '-W', '5', '-I', dev, address], { stdio: 'ignore' });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  if (!isDataPlaneKind(opt.dataplane)) throw new Error(`scale-client: unknown data plane ${opt.dataplane}`);
  const plane = createDataPlane(opt.dataplane);
  const host = new Host();
  const callTable = new WatchedCallTable();
  const clients: Client[] = Array.from({ length: opt.count }, (_, index) => ({ index, tun: `lg${index}` }));
  const failures: string[] = [];
  /** Why links that had come up went down again, with counts. */
  const lost = new Map<string, number>();
  let up = 0;
  const phases = { connect: [] as number[], call: [] as number[], ppp: [] as number[] };
  const spread = (xs: number[]): string => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number): number => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0);
    return `p50 ${at(0.5)} p90 ${at(0.9)} max ${at(1)} ms`;
  };
  const t0 = performance.now();

  const dial = async (c: Client): Promise<void> => {
    const connection = new PptpClientConnection({
      host: opt.server,
      localAddress: opt.sources[c.index % opt.sources.length],
      logger: silentLogger,
      callTable,
      hostName: 'loadgen',
    });
    c.connection = connection;
    const start = performance.now();
    await connection.connect();
    const connected = performance.now();
    const early: [number, Buffer][] = [];
    let catcher: DataPlaneSession | undefined;
    callTable.onAllocate = (id) => {
      catcher = plane.openSession({ localCallId: id, peerCallId: 0, peerAddress: opt.server, tunName: `lc${c.index}`, onControlFrame: (p, info) => early.push([p, Buffer.from(info)]) });
    };
    let callPromise: Promise<CallInfo>;
    try {
      callPromise = connection.openCall();
    } finally {
      callTable.onAllocate = undefined;
    }
    let call: CallInfo;
    try {
      call = await callPromise;
      // The data plane's thread may have read the server's first frames before the reply was
      // read, and their events may still be queued behind it on the event loop: a session drops
      // events that arrive after it closed, so let them in first.
      await new Promise((r) => setTimeout(r, CATCH_DRAIN_MS));
    } finally {
      catcher?.close();
    }
    const called = performance.now();
    await new Promise<void>((resolve, reject) => {
      const link = new PppLink({
        dataplane: plane,
        mppe: nativeMppe,
        call,
        tunName: c.tun,
        log: silentLogger,
        ppp: {
          role: 'client',
          user: opt.user,
          password: opt.password,
          allow: ['mschap2'],
          network: { useEncryption: 'yes' },
          localName: 'loadgen',
        },
        onUp: async (l) => {
          must(await host.setLinkMtu(c.tun, l.mtu), 'mtu');
          must(await host.addAddress({ device: c.tun, local: l.localAddress, prefixLength: 32, peer: l.remoteAddress }), 'address');
          must(await host.setLinkUp(c.tun, true), 'up');
          c.server = l.remoteAddress;
          resolve();
        },
        onDown: (reason) => {
          if (c.server !== undefined) lost.set(reason, (lost.get(reason) ?? 0) + 1);
          reject(new Error(reason));
        },
      });
      c.link = link;
      link.start();
      for (const [protocol, information] of early) link.ppp.receive(protocol, information);
    });
    const ready = performance.now();
    phases.connect.push(connected - start);
    phases.call.push(called - connected);
    phases.ppp.push(ready - called);
    up++;
    if (up % 100 === 0 || up === opt.count) emit({ event: 'up', count: up, ms: Math.round(performance.now() - t0) });
  };

  await pool(clients, opt.concurrency, async (c) => {
    try {
      await dial(c);
    } catch (e) {
      failures.push(`${c.tun}: ${(e as Error).message}`);
    }
  });
  const upMs = performance.now() - t0;
  let pinged = 0;
  await pool(
    clients.filter((c) => c.server !== undefined),
    32,
    async (c) => {
      if (await ping(c.tun, c.server!)) pinged++;
      else failures.push(`${c.tun}: no ping reply from ${c.server} through it`);
    },
  );
  const pingMs = performance.now() - t0 - upMs;
  const stillUp = clients.filter((c) => c.link !== undefined && !c.link.down).length;
  emit({ event: 'done', upMs: Math.round(upMs), pingMs: Math.round(pingMs), up, stillUp, lost: Object.fromEntries(lost), pinged, failures: failures.slice(0, 20), failureCount: failures.length,
    phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, spread(v)])), endpoint: plane.counters() });

  // Idle until told to hang up: the server's memory is measured meanwhile.
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => {
    rl.once('line', () => resolve());
    rl.once('close', () => resolve());
  });
  rl.close();
  await pool(clients, 64, async (c) => {
    c.link?.lowerDown('load generator done');
    c.link?.destroy();
    await c.connection?.stop(StopReason.None).catch(() => {});
  });
  plane.close();
  emit({ event: 'closed' });
}

main().catch((e: Error) => {
  process.stderr.write(`scale-client: ${e.stack ?? e.message}\n`);
  process.exit(1);
});
