// A bounded pool of holdings counted per source address and in total: what keeps peers that have
// not authenticated from taking more than a small share of the server (SPEC.md "Licence levels":
// pending calls; and control connections without an authenticated call). take() is synchronous
// and counts at once, so a burst can never get one more than the caps; release() gives a holding
// back exactly once.
import { once } from '../once.js';

export type QuotaGrant =
  | { readonly ok: true; readonly release: () => void }
  | { readonly ok: false; readonly reason: string };

export interface QuotaLimits {
  readonly perAddress: number;
  readonly total: number;
}

export class AddressQuota {
  private readonly byAddress = new Map<string, number>();
  private used = 0;

  /** `what` names a holding in refusals, e.g. "pending calls". */
  constructor(
    private readonly what: string,
    readonly limits: QuotaLimits,
  ) {
    for (const n of [limits.perAddress, limits.total]) {
      if (!Number.isInteger(n) || n < 1) throw new RangeError(`${what}: limits must be whole numbers of at least 1`);
    }
  }

  get size(): number {
    return this.used;
  }

  /** Addresses holding something now, with how much (at most `limits.total` entries). */
  holders(): [address: string, held: number][] {
    return [...this.byAddress];
  }

  heldBy(address: string): number {
    return this.byAddress.get(address) ?? 0;
  }

  take(address: string): QuotaGrant {
    const mine = this.heldBy(address);
    if (mine >= this.limits.perAddress) {
      return { ok: false, reason: `too many ${this.what} from ${address} (at most ${this.limits.perAddress})` };
    }
    if (this.used >= this.limits.total) {
      return { ok: false, reason: `too many ${this.what} (at most ${this.limits.total} in total)` };
    }
    this.byAddress.set(address, mine + 1);
    this.used++;
    return {
      ok: true,
      release: once(() => {
        this.used--;
        const left = this.heldBy(address) - 1;
        // Addresses holding nothing are forgotten, so the map never grows with peers long gone.
        if (left > 0) this.byAddress.set(address, left);
        else this.byAddress.delete(address);
      }),
    };
  }
}
