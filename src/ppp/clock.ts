// Time as the PPP session sees it: now() and one-shot timers. The daemon uses the system clock;
// tests use a fake one and move time by hand.

export interface ClockTimer {
  readonly id: number;
}

export interface Clock {
  now(): number;
  schedule(ms: number, fn: () => void): ClockTimer;
  cancel(timer: ClockTimer): void;
}

/**
 * The system clock. A timer callback that throws is handed to onError instead of reaching the
 * event loop, where it would end the daemon and every other tunnel with it.
 */
export function systemClock(onError: (error: unknown) => void = (e) => { throw e; }): Clock {
  const live = new Map<number, NodeJS.Timeout>();
  let next = 1;
  return {
    now: () => Date.now(),
    schedule(ms, fn) {
      const id = next++;
      const t = setTimeout(() => {
        live.delete(id);
        try {
          fn();
        } catch (e) {
          onError(e);
        }
      }, ms);
      t.unref?.();
      live.set(id, t);
      return { id };
    },
    cancel(timer) {
      const t = live.get(timer.id);
      if (t) clearTimeout(t);
      live.delete(timer.id);
    },
  };
}
