// Checked transfers between namespaces: an HTTP server in one namespace serves random bytes of
// known SHA-256, a fetch from another hashes what arrived. Node runs inside the namespaces
// (`ip netns exec`) because the test process cannot enter them.
import type { Netns, TeardownHost } from './netns.js';

export interface Served {
  readonly sha256: string;
  readonly bytes: number;
}

/**
 * `node -e script` inside ns until teardown (killed by PID). line() resolves with the first line
 * of its standard output that matches, also one printed before the call; it rejects when the
 * script exits first, with what it wrote to standard error. onLine() sees each line from now on.
 */
function nodeScript(
  t: TeardownHost,
  ns: Netns,
  what: string,
  script: string,
): { line: (match: (l: string) => boolean) => Promise<string>; onLine: (each: (l: string) => void) => void } {
  const child = ns.spawn('node', ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    onLine: (each) => {
      let partial = '';
      child.stdout!.on('data', (d: Buffer) => {
        const lines = (partial + d.toString()).split('\n');
        partial = lines.pop()!;
        for (const l of lines) each(l);
      });
    },
    line: (match) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = out.split('\n').slice(0, -1).find(match);
          if (found !== undefined) resolve(found);
        };
        check();
        child.stdout!.on('data', check);
        child.on('exit', (code) => reject(new Error(`${what} exited (${code}): ${err.trim()}`)));
      }),
  };
}

/** Serves `bytes` random bytes at http://<address>:<port>/blob from ns until teardown. */
export async function serveBlob(t: TeardownHost, ns: Netns, address: string, port: number, bytes: number): Promise<Served> {
  const script = `
    const c = require('crypto'); const data = c.randomBytes(${bytes});
    const server = require('http').createServer((req, res) => { res.setHeader('Content-Length', data.length); res.end(data); });
    server.listen(${port}, '${address}', () => console.log(JSON.stringify({ sha256: c.createHash('sha256').update(data).digest('hex'), bytes: data.length })));`;
  const line = await nodeScript(t, ns, 'blob server', script).line((l) => l.startsWith('{'));
  return JSON.parse(line) as Served;
}

/** Fetches url from inside ns and returns the body's SHA-256 and length; rejects after timeoutMs. */
export async function fetchSha256(ns: Netns, url: string, timeoutMs = 120_000): Promise<Served> {
  const script = `
    const h = require('crypto').createHash('sha256'); let n = 0;
    require('http').get('${url}', (res) => { res.on('data', (d) => { h.update(d); n += d.length; });
      res.on('end', () => console.log(JSON.stringify({ sha256: h.digest('hex'), bytes: n }))); })
      .on('error', (e) => { console.error(e.message); process.exit(1); });`;
  const r = await ns.exec(['timeout', String(Math.ceil(timeoutMs / 1000)), 'node', '-e', script]);
  if (r.code !== 0) throw new Error(`fetch of ${url} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim()) as Served;
}

/** Serves `bytes` from `from` at address, fetches them from `to`; ok when the hashes match. */
export async function transferChecked(t: TeardownHost, from: Netns, address: string, to: Netns, bytes: number, port = 8080): Promise<{ ok: boolean; detail: string }> {
  const served = await serveBlob(t, from, address, port, bytes);
  const started = Date.now();
  const got = await fetchSha256(to, `http://${address}:${port}/blob`);
  const seconds = (Date.now() - started) / 1000;
  return {
    ok: got.sha256 === served.sha256 && got.bytes === served.bytes,
    detail: `${got.bytes} bytes in ${seconds.toFixed(1)} s, sha256 ${got.sha256.slice(0, 12)}... vs ${served.sha256.slice(0, 12)}...`,
  };
}

/**
 * Opens one TCP connection from `client` to address:port in `server` and returns the MSS the
 * server sends with on it (`ss -i`'s mss: the SYN's MSS option as it arrived, less the
 * timestamp option's 12 bytes): what a change-tcp-mss on the way left of the client's offer.
 */
export async function mssSeenByServer(t: TeardownHost, server: Netns, address: string, port: number, client: Netns): Promise<{ mss: number; ss: string }> {
  const script = `
    const { execFileSync } = require('child_process');
    const srv = require('net').createServer((s) => {
      const ss = execFileSync('ss', ['-tniH', 'state', 'established', '( sport = :${port} )']).toString();
      console.log(JSON.stringify({ ss })); s.end(); srv.close();
    });
    srv.listen(${port}, '${address}', () => console.log('listening'));`;
  const probe = nodeScript(t, server, 'mss probe server', script);
  await probe.line((l) => l === 'listening');
  const connect = `require('net').connect(${port}, '${address}').on('data', () => {}).on('close', () => process.exit(0))
    .on('error', (e) => { console.error(e.message); process.exit(1); });`;
  const r = await client.exec(['timeout', '30', 'node', '-e', connect]);
  if (r.code !== 0) throw new Error(`connection to ${address}:${port} failed: ${r.stderr.trim()}`);
  const ss = (JSON.parse(await probe.line((l) => l.startsWith('{'))) as { ss: string }).ss;
  const m = /\bmss:(\d+)/.exec(ss);
  if (!m) throw new Error(`no mss in ss output: ${ss}`);
  return { mss: Number(m[1]), ss: ss.trim() };
}

/** What a stream of checked transfers has moved so far (streamBlobs). */
export interface StreamCount {
  /** Bytes received, also of the transfer under way. */
  readonly bytes: number;
  /** Transfers completed, and how many of them did not match the served blob. */
  readonly transfers: number;
  readonly bad: number;
}

/**
 * Fetches `url` from inside ns again and again over one kept-alive connection until teardown,
 * hashing each body against `served`; count() tells what arrived so far (reported every 100 ms).
 * One long-lived process instead of one per transfer: the rate over a window then measures the
 * tunnel, not process start-up.
 */
export async function streamBlobs(t: TeardownHost, ns: Netns, url: string, served: Served): Promise<{ count: () => StreamCount }> {
  const script = `
    const http = require('http'); const crypto = require('crypto');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let bytes = 0, transfers = 0, bad = 0;
    const report = () => console.log(JSON.stringify({ bytes, transfers, bad }));
    setInterval(report, 100);
    const one = () => http.get('${url}', { agent }, (res) => {
      const h = crypto.createHash('sha256'); let n = 0;
      res.on('data', (d) => { h.update(d); n += d.length; bytes += d.length; });
      res.on('end', () => { transfers++; if (n !== ${served.bytes} || h.digest('hex') !== '${served.sha256}') bad++; report(); one(); });
    }).on('error', (e) => { console.error(e.message); process.exit(1); });
    one();`;
  const stream = nodeScript(t, ns, 'transfer stream', script);
  let last: StreamCount = { bytes: 0, transfers: 0, bad: 0 };
  stream.onLine((l) => {
    if (l.startsWith('{')) last = JSON.parse(l) as StreamCount;
  });
  await stream.line((l) => l.startsWith('{'));
  return { count: () => last };
}
