// How much work one console command may do while it holds the event loop. Everything else the
// daemon does (PPTP control connections, keepalives, the reference data plane, the other
// consoles) waits while a command computes, so a `print where` over many rows, or any matcher,
// is charged here in steps and stopped with one line once it passes a step count or a wall-clock
// span. Steps make the limit the same on every board; the clock keeps a slow board (a Pi 3)
// from holding the loop much longer than a fast one.
import type { StepMeter } from './regex/index.js';

/** The error a console prints as it is (one line, no "failure:" prefix added). */
export class ConsoleError extends Error {}

export const MAX_STEPS = 5_000_000;
export const MAX_MILLISECONDS = 500;
/** Steps between looks at the clock: reading it costs more than a step. */
const CLOCK_EVERY = 4096;

export class WorkBudget implements StepMeter {
  private steps = 0;
  private nextClock = CLOCK_EVERY;
  private started: number | undefined;

  constructor(private readonly maxSteps = MAX_STEPS, private readonly maxMs = MAX_MILLISECONDS) {}

  spend(steps: number): void {
    // The span starts at the first charge: waiting before it (a ping, a lookup) holds nothing.
    this.started ??= performance.now();
    this.steps += steps;
    if (this.steps > this.maxSteps) this.stop();
    if (this.steps >= this.nextClock) {
      this.nextClock = this.steps + CLOCK_EVERY;
      if (performance.now() - this.started > this.maxMs) this.stop();
    }
  }

  private stop(): never {
    throw new ConsoleError(`failure: command stopped, it held the router too long (over ${this.maxSteps} steps or ${this.maxMs} ms)`);
  }
}
