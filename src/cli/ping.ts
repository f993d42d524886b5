// /ping: runs the system's ping (iputils) and prints its answers the RouterOS way:
//   10.0.103.1 pong: ttl=255 time=3 ms
//   3 packets transmitted, 3 packets received, 0% packet loss
//   round-trip min/avg/max = 3/3.0/3 ms
// Without count= it runs until interrupted ("ping interrupted"), as on RouterOS.
import { spawn } from 'node:child_process';
import { isIP } from 'node:net';

export interface PingOptions {
  readonly address: string;
  readonly count?: number | undefined;
  readonly size?: number | undefined;
  readonly srcAddress?: string | undefined;
  /** Milliseconds between requests (10..5000). */
  readonly intervalMs?: number | undefined;
  readonly doNotFragment?: boolean | undefined;
}

/** RouterOS's bounds on /ping interval: a read-only user must not be able to start a flood. */
export const MIN_INTERVAL_MS = 10;
export const MAX_INTERVAL_MS = 5000;
const RANGE_ERROR = 'value of interval out of range (10ms..5s)';

/**
 * A ping interval as typed: `100ms`, `1s`, `0.5` or `0.5s` (seconds, as a bare RouterOS time is).
 * Returns milliseconds, or the one-line error to print.
 */
export function parsePingInterval(raw: string): number | string {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw);
  if (!m) return 'invalid value for argument interval';
  const ms = Number(m[1]) * (m[2] === 'ms' ? 1 : 1000);
  return checkInterval(ms) ?? ms;
}

function checkInterval(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS ? undefined : RANGE_ERROR;
}

export async function runPing(opts: PingOptions, line: (s: string) => void, signal: AbortSignal): Promise<string | undefined> {
  if (isIP(opts.address) !== 4) return 'invalid value for argument address';
  if (opts.srcAddress !== undefined && isIP(opts.srcAddress) !== 4) return 'invalid value for argument src-address';
  if (opts.count !== undefined && !(Number.isInteger(opts.count) && opts.count > 0)) return 'invalid value for argument count';
  // RouterOS's size is the whole IP packet; ping's -s is the ICMP payload (28 bytes less).
  if (opts.size !== undefined && !(Number.isInteger(opts.size) && opts.size >= 28 && opts.size <= 65535)) {
    return 'value of size out of range (28..65535)';
  }
  if (opts.intervalMs !== undefined) {
    const bad = checkInterval(opts.intervalMs);
    if (bad) return bad;
  }
  const args = ['-n', '-W', '1'];
  if (opts.count !== undefined) args.push('-c', String(opts.count));
  if (opts.size !== undefined) args.push('-s', String(opts.size - 28));
  if (opts.srcAddress) args.push('-I', opts.srcAddress);
  if (opts.intervalMs !== undefined) args.push('-i', (opts.intervalMs / 1000).toFixed(3));
  if (opts.doNotFragment) args.push('-M', 'do');
  args.push('-O', opts.address);
  const times: number[] = [];
  let sent = 0;
  const child = spawn('ping', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const onAbort = () => child.kill('SIGINT');
  signal.addEventListener('abort', onAbort, { once: true });
  let buffer = '';
  let failure = '';
  // ping's own count: it reports no "no answer yet" for the last request of a counted run.
  let transmitted = 0;
  child.stderr.on('data', (d: Buffer) => (failure += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      const reply = /bytes from [^:]+: icmp_seq=\d+ ttl=(\d+) time=([\d.]+) ms/.exec(text);
      const lost = /no answer yet for icmp_seq=\d+/.exec(text);
      const tooBig = /Frag needed and DF set|message too long/i.exec(text);
      const summary = /^(\d+) packets transmitted/.exec(text);
      if (summary) transmitted = Number(summary[1]);
      if (reply) {
        sent++;
        const ms = Math.round(Number(reply[2]));
        times.push(ms);
        line(`${opts.address} pong: ttl=${reply[1]} time=${ms} ms`);
      } else if (lost) {
        sent++;
        line(`${opts.address} timeout`);
      } else if (tooBig) {
        sent++;
        line(`${opts.address} packet too large and cannot be fragmented`);
      }
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  signal.removeEventListener('abort', onAbort);
  for (; sent < transmitted; sent++) line(`${opts.address} timeout`);
  if (signal.aborted) line('ping interrupted');
  if (sent === 0 && code !== 0 && failure) return `failure: ${failure.trim().split('\n')[0]}`;
  const received = times.length;
  const loss = sent === 0 ? 0 : Math.round(((sent - received) / sent) * 100);
  line(`${sent} packets transmitted, ${received} packets received, ${loss}% packet loss`);
  if (received > 0) {
    // From the whole milliseconds the pong lines printed, so the summary agrees with them.
    const min = Math.min(...times);
    const max = Math.max(...times);
    const avg = (times.reduce((a, b) => a + b, 0) / received).toFixed(1);
    line(`round-trip min/avg/max = ${min}/${avg}/${max} ms`);
  }
  return undefined;
}
