// A well-kept daemon the router runs (dnsmasq): started with the argv the configuration calls
// for, restarted when that argv or its configuration file changes, started again after an
// unexpected exit (after 1 s, doubling to 30 s while it keeps failing), stopped by its PID.
// Its standard error is the router's log, one entry per line.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../log.js';

export class Supervised {
  private child: ChildProcess | undefined;
  private argv: readonly string[] | undefined;
  private backoffMs = 1000;
  private restartTimer: NodeJS.Timeout | undefined;
  private startedAt = 0;

  constructor(
    private readonly name: string,
    private readonly log: Logger,
    private readonly hooks: {
      /** Sees each line of standard error first; true: it was handled, the log does not get it. */
      readonly onLine?: (line: string) => boolean;
      /** Variables set in the daemon's environment. */
      readonly env?: Readonly<Record<string, string>>;
      /** Each process as it is started (the router claims it, src/system/host-claims.ts). */
      readonly started?: (child: ChildProcess) => void;
    } = {},
  ) {}

  /** Sends sig to the running daemon; false when none runs. */
  signal(sig: NodeJS.Signals): boolean {
    return this.child?.kill(sig) ?? false;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Runs argv from now on (a new process, even for the same argv: its configuration changed); undefined: none. */
  async run(argv: readonly string[] | undefined): Promise<void> {
    await this.stop();
    this.argv = argv;
    if (argv) this.start();
  }

  async stop(): Promise<void> {
    this.argv = undefined;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  private start(): void {
    const argv = this.argv!;
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], ...(this.hooks.env ? { env: { ...process.env, ...this.hooks.env } } : {}) });
    this.child = child;
    this.hooks.started?.(child);
    this.startedAt = Date.now();
    let pending = '';
    child.stderr!.on('data', (d: Buffer) => {
      pending += d.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) if (line.trim() !== '' && !this.hooks.onLine?.(line.trimEnd())) this.log.info(`${this.name}: ${line.trim()}`);
    });
    child.on('error', (e) => this.log.error(`${this.name} could not start: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return; // stopped on purpose
      this.child = undefined;
      if (Date.now() - this.startedAt > 10_000) this.backoffMs = 1000;
      this.log.error(`${this.name} exited (${signal ?? `code ${code}`}); starting it again in ${this.backoffMs / 1000} s`);
      this.restartTimer = setTimeout(() => {
        if (this.argv === argv && !this.child) this.start();
      }, this.backoffMs);
      this.restartTimer.unref();
      this.backoffMs = Math.min(this.backoffMs * 2, 30_000);
    });
  }
}
