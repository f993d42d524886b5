// Runs test/interop/stateful-peer.ts (our PPP insisting on stateful MPPE) in a test's namespace
// and reads its "LISTENING" / "UP ..." / "DOWN ..." lines. Killed by its PID at teardown.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Netns, TeardownHost } from '../lib/netns.js';
import { tsLoader } from '../lib/ts-loader.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const program = join(root, 'test', 'interop', 'stateful-peer.ts');

export interface StatefulPeer {
  /** Resolves with the first stdout line matching re; rejects on exit or after timeoutMs (with the log). */
  waitForLine(re: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGTERM (a polite hang-up), then the exit code. */
  stop(): Promise<number | null>;
  /** What it logged (stderr), for failure messages. */
  readonly log: string;
}

export function startStatefulPeer(t: TeardownHost, ns: Netns, args: readonly string[]): StatefulPeer {
  const child = ns.spawn('node', ['--import', tsLoader, program, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  t.teardown(async () => {
    if (!done) child.kill('SIGKILL');
    await exited;
  });
  return {
    get log() {
      return err;
    },
    waitForLine(re, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      return new Promise((resolve, reject) => {
        const poll = (): void => {
          const line = out.split('\n').find((l) => re.test(l));
          if (line !== undefined) return resolve(line);
          if (done) return reject(new Error(`stateful peer exited without ${re}: ${out}\n${err.slice(-3000)}`));
          if (Date.now() > end) return reject(new Error(`stateful peer: no ${re} within ${timeoutMs} ms: ${out}\n${err.slice(-3000)}`));
          setTimeout(poll, 100);
        };
        poll();
      });
    },
    async stop() {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
}
