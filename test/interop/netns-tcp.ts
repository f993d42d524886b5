// A TCP connection made from inside a network namespace, for tests that speak a protocol by hand
// to a guest (Node cannot enter a namespace itself): socat runs in the namespace and relays
// between its stdin/stdout and the TCP socket. socat is killed by its PID at t.teardown.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Netns, TeardownHost } from '../lib/netns.js';

export class NetnsTcp {
  private buffer = Buffer.alloc(0);
  private ended = false;
  private readonly listeners = new Set<() => void>();
  /** Resolves when the peer has closed the connection (socat saw EOF and exited). */
  readonly closed: Promise<void>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, d]);
      this.notify();
    });
    this.closed = new Promise((resolve) =>
      child.on('exit', () => {
        this.ended = true;
        this.notify();
        resolve();
      }),
    );
  }

  /** Connects to host:port from inside ns; rejects if socat cannot connect within 10 s. */
  static connect(t: TeardownHost, ns: Netns, host: string, port: number): Promise<NetnsTcp> {
    // -d -d makes socat say "starting data transfer loop" once the connection is up.
    const child = spawn('ip', ['netns', 'exec', ns.name, 'socat', '-d', '-d', '-b', '65536', '-', `TCP:${host}:${port},connect-timeout=10`], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const conn = new NetnsTcp(child);
    t.teardown(() => conn.destroy());
    return new Promise((resolve, reject) => {
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('starting data transfer loop')) resolve(conn);
      });
      child.on('exit', (code) => reject(new Error(`socat to ${host}:${port} exited (${code}): ${stderr.trim()}`)));
      child.on('error', reject);
    });
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  write(bytes: Buffer): void {
    this.child.stdin!.write(bytes);
  }

  /** True once the peer closed and every received byte has been taken. */
  get drained(): boolean {
    return this.ended && this.buffer.length === 0;
  }

  /**
   * Takes the next item out of the received bytes: cut(buf) returns the item and the bytes it
   * used, or undefined if more bytes are needed. Rejects on timeout, or with "closed" if the
   * peer closed before a whole item arrived.
   */
  take<T>(cut: (buf: Buffer) => { value: T; consumed: number } | undefined, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = (): boolean => {
        let r: { value: T; consumed: number } | undefined;
        try {
          r = cut(this.buffer);
        } catch (e) {
          finish();
          reject(e instanceof Error ? e : new Error(String(e)));
          return true;
        }
        if (r) {
          this.buffer = this.buffer.subarray(r.consumed);
          finish();
          resolve(r.value);
          return true;
        }
        if (this.ended) {
          finish();
          reject(new Error(`closed by the peer (${this.buffer.length} bytes left unread)`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`nothing complete within ${timeoutMs} ms (${this.buffer.length} bytes buffered)`));
      }, timeoutMs);
      const listener = (): void => void attempt();
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      if (!attempt()) this.listeners.add(listener);
    });
  }

  /** Closes our sending side (socat half-closes the socket); the peer's bytes can still arrive. */
  end(): void {
    this.child.stdin!.end();
  }

  /** Kills socat by its PID (the connection is reset if still open). */
  async destroy(): Promise<void> {
    if (!this.ended && this.child.pid !== undefined) this.child.kill('SIGKILL');
    await this.closed;
  }
}
