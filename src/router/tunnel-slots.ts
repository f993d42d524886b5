// The licence's tunnel limit (SPEC.md "Licence levels"): one counter for every PPTP tunnel of
// the router, server calls and client dials together. reserve() is synchronous and takes the
// slot at once, so a burst of Outgoing-Call-Requests or clients starting together can never
// get one more tunnel than the licence allows; release() gives it back exactly once.
import type { License } from '../config/license.js';
import { once } from '../once.js';

export type Reservation =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly reason: string };

export class TunnelSlots {
  private used = 0;
  private readonly waiters = new Set<() => void>();

  constructor(private readonly license: Pick<License, 'status'>) {}

  get inUse(): number {
    return this.used;
  }

  /** Why no slot is free now, or undefined when one is; takes nothing. */
  full(): string | undefined {
    const { level, limit } = this.license.status();
    if (this.used < limit) return undefined;
    const allows = `${limit} PPTP tunnel${limit === 1 ? '' : 's'}`;
    return `licence level ${level} allows ${allows} at once (server and client together)`;
  }

  reserve(): Reservation {
    const reason = this.full();
    if (reason !== undefined) return { ok: false, reason };
    this.used++;
    return {
      ok: true,
      release: once(() => {
        this.used--;
        for (const w of [...this.waiters]) w();
      }),
    };
  }

  /** Called whenever a slot is given back (a refused client dials again then). */
  onRelease(listener: () => void): () => void {
    this.waiters.add(listener);
    return () => this.waiters.delete(listener);
  }
}
