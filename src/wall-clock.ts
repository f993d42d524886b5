// The router's wall clock: the host's clock plus an offset of our own. The NTP client and
// `/system clock set` move this clock, and the log, `/system clock print` and the NTP client
// read it, so nothing the router does (and no test) changes the host's clock. Only a routerd
// started with --set-system-clock (the board image: the Pi has no real-time clock) also writes
// the host's clock, through setSystem; once that has worked the offset is folded back to zero.

/** Sets the host's clock to targetMs (ms since the Unix epoch); an error line, or undefined. */
export type SystemClockSetter = (targetMs: number) => Promise<string | undefined>;

export class WallClock {
  private offsetMs = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly setSystem?: SystemClockSetter, private readonly onError?: (message: string) => void) {}

  /** Milliseconds since the Unix epoch, as the router tells the time. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** How far the router's clock is ahead of the host's (ms): 0 once the host's clock was set. */
  get offset(): number {
    return this.offsetMs;
  }

  /** Moves the clock by deltaMs; resolves when the host's clock, if it is ours to set, follows. */
  step(deltaMs: number): Promise<void> {
    this.offsetMs += deltaMs;
    const setSystem = this.setSystem;
    if (!setSystem) return Promise.resolve();
    const run = this.queue.then(async () => {
      if (this.offsetMs === 0) return;
      const err = await setSystem(this.now());
      // The host's clock now carries the offset itself. (For the few ms the setter ran, now()
      // counted the step twice; a reader in that window sees the clock ahead by that much.)
      if (err === undefined) this.offsetMs = 0;
      else this.onError?.(err);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  /** Sets the clock to atMs. */
  set(atMs: number): Promise<void> {
    return this.step(atMs - this.now());
  }
}
