// Slows password guessing at the consoles: per source (a console: "stdio", "serial /dev/ttyS1"),
// the first few failed logins cost nothing, then each further one makes the next Login: prompt
// wait, the wait doubling up to a cap. A successful login clears the count. Pure bookkeeping:
// the console does the waiting with a timer, never by blocking the event loop.

export interface ThrottleOptions {
  /** Failures allowed before any wait. */
  readonly free: number;
  /** The first wait, in milliseconds; each further failure doubles it. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { free: 3, firstDelayMs: 1000, maxDelayMs: 60_000 };

export class LoginThrottle {
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: ThrottleOptions = DEFAULT_THROTTLE) {}

  /** Records a failed login from source; returns how long to wait before the next attempt (ms). */
  failed(source: string): number {
    const count = (this.failures.get(source) ?? 0) + 1;
    this.failures.set(source, count);
    return this.delayAfter(count);
  }

  succeeded(source: string): void {
    this.failures.delete(source);
  }

  /** Failures counted for source since its last successful login. */
  count(source: string): number {
    return this.failures.get(source) ?? 0;
  }

  private delayAfter(count: number): number {
    const over = count - this.options.free;
    if (over <= 0) return 0;
    // 2 ** over overflows to Infinity long after the cap is reached; min() keeps it finite.
    return Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** (over - 1));
  }
}
