// Runs the host's networking tools (iproute2, /proc/sys) and returns typed results: a failure is
// a SystemError value carrying the command line, exit code and the tool's stderr, never a thrown
// string. Every command can run inside a network namespace (`ip netns exec NS ...`), which is how
// the tests drive a namespace without moving the test process into it.
import { spawn } from 'node:child_process';

export interface SystemError {
  readonly kind: 'SystemError';
  /** The command as run, e.g. ["ip", "link", "set", "pptp-in1", "up"]. */
  readonly argv: readonly string[];
  /** Exit code; -1 when the program could not be started. */
  readonly code: number;
  /** The tool's own stderr, trimmed: what an operator needs to see. */
  readonly stderr: string;
}

export type SystemResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: SystemError };

export function ok<T>(value: T): SystemResult<T> {
  return { ok: true, value };
}

export function failed<T>(argv: readonly string[], code: number, stderr: string): SystemResult<T> {
  return { ok: false, error: { kind: 'SystemError', argv, code, stderr: stderr.trim() } };
}

export function describeSystemError(e: SystemError): string {
  return `${e.argv.join(' ')} failed (exit ${e.code}): ${e.stderr}`;
}

/** Where commands run: the current namespace, or a named one. */
export interface CommandRunner {
  readonly netns?: string | undefined;
  /** Runs argv; resolves with stdout, or a SystemError. */
  run(argv: readonly string[], input?: string): Promise<SystemResult<string>>;
}

export function commandRunner(netns?: string): CommandRunner {
  return {
    netns,
    run(argv, input) {
      const full = netns === undefined ? [...argv] : ['ip', 'netns', 'exec', netns, ...argv];
      return new Promise((resolve) => {
        const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let settled = false;
        child.stdout!.on('data', (d: Buffer) => out.push(d));
        child.stderr!.on('data', (d: Buffer) => err.push(d));
        child.on('error', (e) => {
          if (settled) return;
          settled = true;
          resolve(failed(full, -1, String(e)));
        });
        child.on('close', (code) => {
          if (settled) return;
          settled = true;
          const stderr = Buffer.concat(err).toString();
          if (code === 0) resolve(ok(Buffer.concat(out).toString()));
          else resolve(failed(full, code ?? -1, stderr));
        });
        child.stdin!.on('error', () => {});
        child.stdin!.end(input);
      });
    },
  };
}

/** Runs `ip -json ...` and parses its output as T. */
export async function ipJson<T>(runner: CommandRunner, args: readonly string[]): Promise<SystemResult<T>> {
  const argv = ['ip', '-json', ...args];
  const r = await runner.run(argv);
  if (!r.ok) return r;
  const text = r.value.trim();
  if (text === '') return ok([] as unknown as T);
  try {
    return ok(JSON.parse(text) as T);
  } catch (e) {
    return failed(argv, 0, `unparseable JSON from ip: ${String(e)}`);
  }
}

/** Runs a command whose output does not matter. */
export async function runQuiet(runner: CommandRunner, argv: readonly string[]): Promise<SystemResult<void>> {
  const r = await runner.run(argv);
  return r.ok ? ok(undefined) : r;
}
