// The NTP servers of the clock tests: Debian's chronyd serving its own clock (`local stratum`,
// no upstream, never touching the host's clock: -x), and a misbehaving server that answers with
// packets an NTP client must reject. Both run inside a namespace the test made and are killed
// by PID when it is deleted.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor, type Netns, type TeardownHost } from './netns.js';

export interface RunningServer {
  readonly child: ChildProcess;
  /** Stops the server (SIGTERM to its PID) and waits for it to exit. */
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** chronyd on address:123 in ns, serving at stratum 8 from its own clock. */
export async function chronyServer(t: TeardownHost, ns: Netns, address: string): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `chrony-${process.pid}-`));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'chrony.conf');
  writeFileSync(conf, [
    `bindaddress ${address}`,
    'port 123',
    'cmdport 0',
    'local stratum 8',
    'allow 198.18.0.0/15',
    `pidfile ${join(dir, 'chronyd.pid')}`,
    '',
  ].join('\n'));
  const child = ns.spawn('chronyd', ['-d', '-x', '-u', 'root', '-f', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.on('data', (d: Buffer) => (err += d.toString()));
  const up = await waitFor(() => /Disabled control of system clock|chronyd version/.test(err) || child.exitCode !== null, 10_000);
  if (!up || child.exitCode !== null) throw new Error(`chronyd did not start: ${err}`);
  return { child, stop: stopper(child) };
}

/**
 * An NTP server on address:123 in ns whose answers are wrong: the first has mode 3 (a client's),
 * every later one a correct mode 4 header whose origin timestamp is not the request's transmit
 * timestamp. Its clock is 2 hours ahead, so an accepted answer would show.
 */
export async function badNtpServer(t: TeardownHost, ns: Netns, address: string): Promise<RunningServer> {
  const script = `
    const s = require('dgram').createSocket('udp4');
    let n = 0;
    s.on('message', (req, from) => {
      const r = Buffer.alloc(48);
      const mode = n++ === 0 ? 3 : 4;
      r[0] = (4 << 3) | mode; r[1] = 2; r.write('GOOD', 12);
      const now = Date.now() / 1000 + 2208988800 + 7200;
      r.writeUInt32BE(Math.floor(now) >>> 0, 32); r.writeUInt32BE(Math.floor(now) >>> 0, 40);
      req.copy(r, 24, 40, 48);
      if (mode === 4) r[31] ^= 0xff;
      s.send(r, from.port, from.address);
    });
    s.bind(123, '${address}', () => console.log('listening'));`;
  const child = ns.spawn('node', ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  if (!(await waitFor(() => out.includes('listening') || child.exitCode !== null, 10_000)) || child.exitCode !== null) {
    throw new Error(`bad NTP server did not start: ${out}`);
  }
  return { child, stop: stopper(child) };
}
