// Checked transfers through a tunnel between our namespace and a guest: an HTTP server in the
// namespace that serves random bytes of known SHA-256 (the guest fetches with busybox wget), and
// a fetch from the namespace of a file the guest serves with busybox httpd. Node runs inside the
// namespace (`ip netns exec`) because the test process cannot enter it.
import type { Netns, TeardownHost } from '../lib/netns.js';
import type { Guest } from './guest.js';

export interface Served {
  readonly sha256: string;
  readonly bytes: number;
}

/** Serves `bytes` random bytes at http://<address>:<port>/blob from ns until teardown (killed by PID). */
export async function serveBlob(t: TeardownHost, ns: Netns, address: string, port: number, bytes: number): Promise<Served> {
  const script = `
    const c = require('crypto'); const data = c.randomBytes(${bytes});
    const server = require('http').createServer((req, res) => { res.setHeader('Content-Length', data.length); res.end(data); });
    server.listen(${port}, '${address}', () => console.log(JSON.stringify({ sha256: c.createHash('sha256').update(data).digest('hex'), bytes: data.length })));`;
  const child = ns.spawn('node', ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as Served);
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`blob server exited (${code}): ${err.trim()}`)));
  });
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

/** Makes /tmp/www/blob of `kib` KiB random bytes in the guest and serves it with httpd on port 8080. */
export async function guestServeBlob(guest: Guest, kib: number): Promise<string> {
  await guest.run(`mkdir -p /tmp/www && dd if=/dev/urandom of=/tmp/www/blob bs=1024 count=${kib} 2>/dev/null && (pidof httpd >/dev/null || httpd -p 8080 -h /tmp/www)`);
  return (await guest.run('sha256sum /tmp/www/blob')).split(' ')[0]!;
}

/** Fetches url in the guest with wget and returns the body's SHA-256. */
export async function guestFetchSha256(guest: Guest, url: string, timeoutMs = 120_000): Promise<string> {
  const r = await guest.exec(`wget -q -O - ${url} | sha256sum`, timeoutMs);
  if (r.code !== 0) throw new Error(`guest wget of ${url} failed (exit ${r.code}): ${r.output}`);
  return r.output.split(' ')[0]!;
}
