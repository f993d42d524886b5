// Network namespaces for tests: create/delete namespaces and veth pairs, run commands or spawn
// long-lived processes inside a namespace. Every name includes process.pid and a counter, so
// test files running in parallel never collide, and every namespace a test creates through
// `createNetns(t, ...)` is deleted in t.teardown, also when the test fails.
//
//   const a = await createNetns(t, 'srv');           // namespace "srv-<pid>-<n>", lo up
//   const b = await createNetns(t, 'cli');
//   const [va, vb] = await createVethPair(a, b, { addrA: '198.18.0.1/24', addrB: '198.18.0.2/24' });
//   await a.run(['ping', '-c1', '-W1', '198.18.0.2']);     // throws NetnsCommandError on failure
//   const r = await b.exec(['ip', '-json', 'link']);         // never throws: { code, stdout, stderr }
//   const child = a.spawn('node', ['peer.js']);              // killed by PID at teardown
//
// Only `ip`, the namespace's own commands and processes we started (killed by their PID) are
// touched; nothing outside the namespaces created here.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class NetnsCommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly result: CommandResult,
  ) {
    super(`command failed (exit ${result.code}): ${argv.join(' ')}\n${result.stderr.trim()}`);
  }
}

/** The part of a tap Test this helper needs: a teardown hook. */
export interface TeardownHost {
  teardown(fn: () => void | Promise<void>): void;
}

let counter = 0;

/**
 * A name unique to this process: `<prefix><pid base36><counter base36>`, at most 15 characters
 * (the Linux interface-name limit) when the prefix is at most 4 characters.
 */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter.toString(36)}`;
}

/** Runs argv on the host (not in a namespace). Never throws; a spawn failure is code -1. */
export function exec(argv: readonly string[], input?: string | Buffer): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (d: Buffer) => out.push(d));
    child.stderr!.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => resolve({ code: -1, stdout: '', stderr: String(e) }));
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin!.on('error', () => {});
    child.stdin!.end(input);
  });
}

/** Like exec, but throws NetnsCommandError when the command exits non-zero. */
export async function run(argv: readonly string[], input?: string | Buffer): Promise<CommandResult> {
  const r = await exec(argv, input);
  if (r.code !== 0) throw new NetnsCommandError(argv, r);
  return r;
}

/** Namespaces not deleted yet: removed synchronously if the process exits before its teardown ran. */
const live = new Set<string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const name of live) spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  });
}

export class Netns {
  private readonly children = new Set<ChildProcess>();
  private deleted = false;

  constructor(readonly name: string) {
    live.add(name);
    installExitHook();
  }

  /** argv prefixed with `ip netns exec <name>`. */
  wrap(argv: readonly string[]): string[] {
    return ['ip', 'netns', 'exec', this.name, ...argv];
  }

  /** Runs argv inside the namespace; never throws. */
  exec(argv: readonly string[], input?: string | Buffer): Promise<CommandResult> {
    return exec(this.wrap(argv), input);
  }

  /** Runs argv inside the namespace; throws NetnsCommandError on a non-zero exit. */
  run(argv: readonly string[], input?: string | Buffer): Promise<CommandResult> {
    return run(this.wrap(argv), input);
  }

  /** Starts a long-lived process inside the namespace; it is killed (by PID) when the namespace is deleted. */
  spawn(command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, command, ...args], { stdio: 'pipe', ...options });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Kills processes started with spawn, then deletes the namespace (its interfaces go with it). Idempotent. */
  async delete(): Promise<void> {
    if (this.deleted) return;
    this.deleted = true;
    await Promise.all(
      [...this.children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => {
              if (child.pid !== undefined) child.kill('SIGKILL');
            }, 2000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    await exec(['ip', 'netns', 'del', this.name]);
    live.delete(this.name);
  }
}

/**
 * Creates a namespace named `<prefix>-<pid>-<n>` with its loopback up; when `t` is given, the
 * namespace (and every process spawned in it) is deleted at t.teardown.
 */
export async function createNetns(t: TeardownHost | undefined, prefix = 'ns'): Promise<Netns> {
  counter += 1;
  const ns = new Netns(`${prefix}-${process.pid}-${counter}`);
  await run(['ip', 'netns', 'add', ns.name]);
  if (t) t.teardown(() => ns.delete());
  try {
    await ns.run(['ip', 'link', 'set', 'lo', 'up']);
  } catch (e) {
    if (!t) await ns.delete();
    throw e;
  }
  return ns;
}

export interface VethOptions {
  /** Interface names (at most 15 characters); unique names by default. */
  readonly nameA?: string;
  readonly nameB?: string;
  /** Addresses with prefix length, e.g. "198.18.0.1/24". */
  readonly addrA?: string;
  readonly addrB?: string;
  readonly mtu?: number;
}

/** Creates a veth pair with one end in each namespace, both up (and addressed if asked). Returns the two names. */
export async function createVethPair(a: Netns, b: Netns, options: VethOptions = {}): Promise<[string, string]> {
  const nameA = options.nameA ?? uniqueName('va');
  const nameB = options.nameB ?? uniqueName('vb');
  // Created inside `a` so nothing ever appears in the host's namespace.
  await a.run(['ip', 'link', 'add', nameA, 'type', 'veth', 'peer', 'name', nameB, 'netns', b.name]);
  for (const [ns, name, addr] of [
    [a, nameA, options.addrA],
    [b, nameB, options.addrB],
  ] as const) {
    if (options.mtu !== undefined) await ns.run(['ip', 'link', 'set', name, 'mtu', String(options.mtu)]);
    if (addr !== undefined) await ns.run(['ip', 'addr', 'add', addr, 'dev', name]);
    await ns.run(['ip', 'link', 'set', name, 'up']);
  }
  return [nameA, nameB];
}

/** Waits until `probe` resolves true, polling every `intervalMs`; false after `timeoutMs`. */
export async function waitFor(probe: () => Promise<boolean> | boolean, timeoutMs = 5000, intervalMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
