// Long-lived TCP connections between namespaces, to watch a connection live through changes
// on the router between them: a server that first tells the client which address it sees the
// connection come from (the masquerade's proof) and then echoes lines back; a client driven
// line by line; and a one-shot connect that says whether a new connection gets through.
import type { ChildProcess } from 'node:child_process';
import type { Netns, TeardownHost } from './netns.js';

function kill(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** An echo server on address:port in ns until teardown; each connection first gets `peer <address>`. */
export async function echoServer(t: TeardownHost, ns: Netns, address: string, port: number): Promise<void> {
  const script = `
    const server = require('net').createServer((s) => { s.write('peer ' + s.remoteAddress + '\\n'); s.pipe(s); s.on('error', () => {}); });
    server.listen(${port}, '${address}', () => console.log('listening'));`;
  const child = ns.spawn('node', ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => kill(child));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`echo server on ${address}:${port} exited (${code})`)));
  });
}

export interface EchoClient {
  /** The address the server saw the connection come from. */
  readonly peer: string;
  /** Sends a line and resolves with the echo; rejects when none comes within timeoutMs. */
  roundTrip(text: string, timeoutMs?: number): Promise<string>;
  /** Whether the connection has ended (reset or closed). */
  readonly closed: boolean;
}

/** Connects from ns to address:port and keeps the connection open until teardown. */
export async function echoClient(t: TeardownHost, ns: Netns, address: string, port: number, timeoutMs = 10_000): Promise<EchoClient> {
  const script = `
    const s = require('net').connect(${port}, '${address}');
    s.setTimeout(${timeoutMs}, () => { console.log('error timeout'); process.exit(1); });
    s.on('connect', () => s.setTimeout(0));
    s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
    s.on('close', () => { console.log('closed'); process.exit(0); });
    s.pipe(process.stdout);
    process.stdin.on('data', (d) => s.write(d));`;
  const child = ns.spawn('node', ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  t.teardown(() => kill(child));
  let out = '';
  let closed = false;
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (/^closed$/m.test(out)) closed = true;
    for (const w of [...waiters]) w();
  });
  const waitLine = (re: RegExp, ms: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const m = re.exec(out);
        if (m) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m[1] ?? m[0]);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${re} from the echo client within ${ms} ms; it printed:\n${out}`));
      }, ms);
      waiters.add(check);
      check();
    });
  const first = await waitLine(/^(peer \S+|error \S+)$/m, timeoutMs + 5000);
  if (first.startsWith('error')) throw new Error(`connection to ${address}:${port} failed: ${first}`);
  return {
    peer: first.slice('peer '.length),
    get closed() {
      return closed;
    },
    roundTrip(text, ms = 10_000) {
      child.stdin!.write(`${text}\n`);
      return waitLine(new RegExp(`^(${text})$`, 'm'), ms);
    },
  };
}

/** Whether a new TCP connection from ns to address:port is set up within timeoutMs. */
export async function connects(ns: Netns, address: string, port: number, timeoutMs = 3000): Promise<'connected' | 'refused' | 'unreachable' | 'timeout'> {
  const script = `
    const s = require('net').connect(${port}, '${address}');
    s.setTimeout(${timeoutMs}, () => { console.log('timeout'); process.exit(0); });
    s.on('connect', () => { console.log('connected'); process.exit(0); });
    s.on('error', (e) => { console.log(e.code === 'ECONNREFUSED' ? 'refused' : /UNREACH/.test(e.code) ? 'unreachable' : 'timeout'); process.exit(0); });`;
  const r = await ns.exec(['node', '-e', script]);
  const word = r.stdout.trim();
  return word === 'connected' || word === 'refused' || word === 'unreachable' ? word : 'timeout';
}
