// routerd inside a test's namespace: `node dist/src/daemon.js --console stdio` (test/lib/daemon-command.ts) started with
// `ip netns exec` (so its PPTP listener, raw GRE socket and TUN devices belong to the namespace),
// logged in as admin with the empty password, then driven line by line as a person types at the
// console. Used by the netns scenarios and the interop tests.
//
//   const r = await startRouterd(t, net.ns);
//   await r.command('/ppp secret add name=ex password=lkjrht local-address=10.0.103.1 remote-address=10.0.103.2');
//   const out = await r.command('/ppp active print');
//   await r.logText();            // `/log print`, for assertions and failure output
//
// routerd is killed by its PID at t.teardown (SIGTERM, then SIGKILL), its data directory removed.
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_NODE_FLAGS, daemonArgs } from './daemon-command.js';
import { createNetns, type Netns, type TeardownHost } from './netns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The RouterOS prompt, `[admin@MikroTik] > ` or `[admin@MikroTik] /ppp secret> `. */
const PROMPT = /\[[^\]@\n]+@[^\]\n]+\] [^\n>]*> $/;

export interface RouterdOptions {
  /** `--identity`; default "MikroTik". */
  readonly identity?: string;
  /** Links to list as /interface ethernet (`--ethernet`). */
  readonly ethernet?: readonly string[];
  /**
   * A licence key to put in the data directory before start (license.key); a function gets the
   * data directory first, for a key bound to the board id made there.
   */
  readonly licenseKey?: string | ((dataDir: string) => Promise<string>);
  /** The public key licence keys are checked against (`--vendor-key`). */
  readonly vendorKeyFile?: string;
  /** Serial devices (a pty's path) for more consoles beside stdio (`--console PATH`). */
  readonly serialConsoles?: readonly string[];
  /** `--dataplane`; default: routerd's own default (native where the addon has it). */
  readonly dataplane?: 'native' | 'reference';
  /** `--power-command`: what /system reboot and /system shutdown run. */
  readonly powerCommand?: string;
  /** A data directory to start from (a restart); default a fresh one. Removed at teardown either way. */
  readonly dataDir?: string;
  /** More daemon options, given last. */
  readonly extraArgs?: readonly string[];
  /** Node's own options before the daemon's (bench/scale.ts's `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
}

export class Routerd {
  private text = '';
  private readonly listeners = new Set<() => void>();
  private exited = false;
  private readonly exitPromise: Promise<void>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly child: ChildProcess,
    readonly dataDir: string,
  ) {
    const take = (d: Buffer): void => {
      this.text += d.toString().replace(/\r/g, '');
      for (const l of [...this.listeners]) l();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    this.exitPromise = new Promise((resolve) =>
      child.on('exit', () => {
        this.exited = true;
        for (const l of [...this.listeners]) l();
        resolve();
      }),
    );
    child.stdin!.on('error', () => {});
  }

  /** Everything routerd wrote so far (console output, and stderr). */
  get output(): string {
    return this.text;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Waits until the output from character `from` on matches re; rejects on timeout or exit. */
  waitFor(re: RegExp, timeoutMs = 20_000, from = 0): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        const m = re.exec(this.text.slice(from));
        if (m) {
          done();
          resolve(m);
          return true;
        }
        if (this.exited) {
          done();
          reject(new Error(`routerd exited while waiting for ${re}\n${this.tail()}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`routerd: no ${re} within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
      const listener = (): void => void attempt();
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      if (!attempt()) this.listeners.add(listener);
    });
  }

  /** The last lines of the output, for error messages. */
  tail(lines = 30): string {
    return this.text.split('\n').slice(-lines).join('\n');
  }

  /**
   * Types one line and returns what routerd printed before its next prompt. The console does
   * not echo on a pipe, so the output is the command's alone. One command at a time.
   */
  command(line: string, timeoutMs = 20_000): Promise<string> {
    const run = async (): Promise<string> => {
      const from = this.text.length;
      this.child.stdin!.write(`${line}\n`);
      const m = await this.waitFor(new RegExp(`^([^]*?)${PROMPT.source}`), timeoutMs, from);
      return m[1]!;
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => {});
    return next;
  }

  /** Writes raw text to the console (a login dialogue); commands go through command(). */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Like command, but rejects when routerd answers with a failure or a syntax error. */
  async configure(line: string): Promise<string> {
    const out = await this.command(line);
    if (/failure:|input does not match|bad command|syntax error|expected /i.test(out)) {
      throw new Error(`routerd refused: ${line}\n${out}`);
    }
    return out;
  }

  /** The router's log (`/log print`). */
  logText(): Promise<string> {
    return this.command('/log print');
  }

  /** Polls `check` (a console command's output) until it returns true; false after timeoutMs. */
  async poll(line: string, check: (output: string) => boolean, timeoutMs = 30_000, everyMs = 500): Promise<string> {
    const end = Date.now() + timeoutMs;
    let out = '';
    for (;;) {
      out = await this.command(line);
      if (check(out)) return out;
      if (Date.now() > end) throw new Error(`routerd: "${line}" did not show what was expected within ${timeoutMs} ms:\n${out}`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  }

  /** kill -9: routerd gets no chance to clean up. Resolves once it is gone. */
  async kill9(): Promise<void> {
    if (!this.exited && this.child.pid !== undefined) this.child.kill('SIGKILL');
    await this.exitPromise;
  }

  /** Stops routerd: SIGTERM (it stops its tunnels), SIGKILL after 5 s. Idempotent. */
  async stop(): Promise<void> {
    if (!this.exited && this.child.pid !== undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!this.exited && this.child.pid !== undefined) this.child.kill('SIGKILL');
      }, 5000);
      await this.exitPromise;
      clearTimeout(timer);
    }
  }
}

/**
 * Starts routerd in ns with a fresh data directory, logs in as admin (empty password) and
 * resolves at the first prompt. Stopped and cleaned up at t.teardown.
 */
export async function startRouterd(t: TeardownHost, ns: Netns, options: RouterdOptions = {}): Promise<Routerd> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), `routerd-${process.pid}-`));
  if (options.licenseKey !== undefined) {
    const key = typeof options.licenseKey === 'string' ? options.licenseKey : await options.licenseKey(dataDir);
    writeFileSync(join(dataDir, 'license.key'), key);
  }
  const args = [...DAEMON_NODE_FLAGS, ...(options.nodeArgs ?? []), ...daemonArgs(), '--data', dataDir, '--console', 'stdio', '--identity', options.identity ?? 'MikroTik'];
  if (options.ethernet) args.push('--ethernet', options.ethernet.join(','));
  if (options.vendorKeyFile) args.push('--vendor-key', options.vendorKeyFile);
  for (const path of options.serialConsoles ?? []) args.push('--console', path);
  if (options.dataplane) args.push('--dataplane', options.dataplane);
  if (options.powerCommand) args.push('--power-command', options.powerCommand);
  args.push(...(options.extraArgs ?? []));
  const child = ns.spawn('node', args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: root,
  });
  const routerd = new Routerd(child, dataDir);
  t.teardown(async () => {
    await routerd.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  // ROUTERD_START_MS: a machine loaded far beyond its cores transpiles the daemon slowly.
  await routerd.waitFor(/Login: /, Number(process.env.ROUTERD_START_MS ?? 180_000));
  child.stdin!.write('admin\n');
  await routerd.waitFor(/Password: /, 10_000);
  child.stdin!.write('\n');
  await routerd.waitFor(PROMPT, 20_000);
  return routerd;
}

/**
 * Runs routerd with `input` piped to its stdio console until it exits (stdin closing ends it),
 * inside a namespace of its own: the router it starts must not touch this machine's network.
 */
export async function runRouterdScript(t: TeardownHost, dataDir: string, input: string, extra: readonly string[] = []): Promise<{ code: number | null; out: string }> {
  const ns = await createNetns(t, 'routerd');
  const child = ns.spawn('node', [...DAEMON_NODE_FLAGS, ...daemonArgs(), '--data', dataDir, '--console', 'stdio', ...extra], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin!.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  await ns.delete();
  return { code, out };
}
