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
import { CallTable, PptpClientConnection } from '../src/pptp/index.js';
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
  const callTable = new CallTable();
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
    // Placed before the link exists, answered after: the link (and its data-plane session) is made
    // in between, so the server's first LCP frames, sent right after its reply, are kept.
    const placed = connection.placeCall();
    placed.answered.catch(() => {});
    let called = connected;
    await new Promise<void>((resolve, reject) => {
      const link = new PppLink({
        dataplane: plane,
        mppe: nativeMppe,
        call: { callId: placed.callId, peer: placed.peer, local: placed.local },
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
      placed.answered.then((call) => {
        called = performance.now();
        link.answered(call.peerCallId);
        link.start();
      }, (e: Error) => {
        link.destroy();
        reject(e);
      });
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
