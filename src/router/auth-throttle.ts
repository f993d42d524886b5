// Throttles PPP password guessing (issue 15): failed authentications are counted per source
// address and per user name; after a few free failures each further one starts a back-off that
// doubles up to a cap, during which logins from that address or as that user are refused without
// looking at the password (so guessing costs the attacker time, and a correct password works once
// the back-off has ended). A success clears both counts. Memory is bounded: entries are forgotten
// a while after their last failure, and the oldest go first when the table is full.
//
// Pure bookkeeping with the time passed in; the router decides where to ask and what to log.
// The console's login throttle (src/console/login-throttle.ts) keeps the same doubling rule for
// its prompts; this one adds time (a back-off that ends by itself) and two keys per attempt.

export interface AuthThrottleOptions {
  /** Failures allowed before any back-off. */
  readonly free: number;
  /** The first back-off, in milliseconds; each further failure doubles it. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** An entry whose back-off ended this long ago is forgotten. */
  readonly forgetMs: number;
  /** Entries kept at most (addresses and users together). */
  readonly maxEntries: number;
}

export const PPP_AUTH_THROTTLE: AuthThrottleOptions = {
  free: 3,
  firstDelayMs: 1000,
  maxDelayMs: 300_000,
  forgetMs: 3_600_000,
  maxEntries: 10_000,
};

export type ThrottleKind = 'address' | 'user';

export interface ThrottleRow {
  readonly kind: ThrottleKind;
  readonly name: string;
  readonly failures: number;
  /** Milliseconds of back-off left (0: none). */
  readonly waitMs: number;
}

interface Entry {
  failures: number;
  until: number;
}

/** `DOMAIN\user` and `user` are one user (as the secret lookup treats them). */
export function throttleUserKey(name: string): string {
  const i = name.lastIndexOf('\\');
  return i >= 0 ? name.slice(i + 1) : name;
}

export class AuthThrottle {
  // Insertion order is age order: an entry is re-inserted on each failure.
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: AuthThrottleOptions = PPP_AUTH_THROTTLE) {}

  /** The longest back-off still running for this address or user, or undefined when free to try. */
  blocked(address: string, user: string | undefined, now: number): { readonly kind: ThrottleKind; readonly waitMs: number } | undefined {
    let worst: { kind: ThrottleKind; waitMs: number } | undefined;
    for (const [kind, name] of this.keys(address, user)) {
      const e = this.entries.get(`${kind} ${name}`);
      if (e !== undefined && e.until > now && (worst === undefined || e.until - now > worst.waitMs)) worst = { kind, waitMs: e.until - now };
    }
    return worst;
  }

  /** Records a failed authentication; returns the back-off it starts (ms, 0 while still free). */
  failed(address: string, user: string | undefined, now: number): number {
    this.sweep(now);
    let longest = 0;
    for (const [kind, name] of this.keys(address, user)) {
      const key = `${kind} ${name}`;
      const e = this.entries.get(key) ?? { failures: 0, until: 0 };
      this.entries.delete(key);
      e.failures++;
      const delay = this.delayAfter(e.failures);
      e.until = now + delay;
      longest = Math.max(longest, delay);
      this.entries.set(key, e);
    }
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return longest;
  }

  succeeded(address: string, user: string | undefined): void {
    for (const [kind, name] of this.keys(address, user)) this.entries.delete(`${kind} ${name}`);
  }

  rows(now: number): ThrottleRow[] {
    this.sweep(now);
    return [...this.entries].map(([key, e]) => {
      const space = key.indexOf(' ');
      return { kind: key.slice(0, space) as ThrottleKind, name: key.slice(space + 1), failures: e.failures, waitMs: Math.max(0, e.until - now) };
    });
  }

  private keys(address: string, user: string | undefined): [ThrottleKind, string][] {
    const keys: [ThrottleKind, string][] = [['address', address]];
    if (user !== undefined) keys.push(['user', throttleUserKey(user)]);
    return keys;
  }

  private delayAfter(failures: number): number {
    const over = failures - this.options.free;
    if (over <= 0) return 0;
    // 2 ** over reaches Infinity long after the cap; min() keeps it finite.
    return Math.min(this.options.maxDelayMs, this.options.firstDelayMs * 2 ** (over - 1));
  }

  private sweep(now: number): void {
    for (const [key, e] of this.entries) if (now - e.until > this.options.forgetMs) this.entries.delete(key);
  }
}
