// How many control frames one session may hand to the PPP engine: a token bucket of
// CONTROL_BURST frames refilled at CONTROL_PER_SECOND. A genuine peer negotiates with a few
// dozen frames, then sends an Echo-Request every few seconds; a storm's excess (issue 15) is
// dropped before any PPP code sees it. Mirrors native/src/dataplane/control_budget.h.

export const CONTROL_BURST = 64;
export const CONTROL_PER_SECOND = 32;

export class ControlBudget {
  private tokens = CONTROL_BURST;
  private atMs = -1;

  /** Whether one more frame may pass at `nowMs` (a monotonic clock). */
  take(nowMs: number): boolean {
    if (this.atMs >= 0 && nowMs > this.atMs) {
      this.tokens = Math.min(CONTROL_BURST, this.tokens + ((nowMs - this.atMs) * CONTROL_PER_SECOND) / 1000);
    }
    this.atMs = nowMs;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
