// Milliseconds that only move forward: durations (uptimes, idle times, lease expiry) are
// measured with it, so a step of the wall clock (the NTP client setting a board that booted
// in 1970) does not make a tunnel's uptime jump by decades. Same scale as Date.now() at start.
import { performance } from 'node:perf_hooks';

export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}
