// Checked transfers through a tunnel between our namespace and a guest: the namespace side is
// test/lib/transfer.ts; here the guest serves a file with busybox httpd and fetches with wget.
import type { Guest } from './guest.js';
export { serveBlob, fetchSha256, type Served } from '../lib/transfer.js';

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
