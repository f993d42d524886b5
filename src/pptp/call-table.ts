// Allocation of PPTP Call IDs (RFC 2637 section 2.7/2.8: "a unique identifier ... assigned by the
// PAC/PNS"). Enhanced GRE packets are demultiplexed by the Call ID in their key (section 4.1), so
// one table should serve every call of the router, server and client side alike. IDs are
// non-zero (0 is what a refusal carries).
//
// IDs are drawn at random (issue 15): counted from 1 they were easy to guess, and a guessed ID
// plus the peer's address is all a spoofer needs to aim GRE at a live tunnel. Recently freed IDs
// are held back while others are free, so late GRE packets of an old call never reach a new one.
import { randomInt } from 'node:crypto';

/** How many freed IDs are held back (fewer when the range is small). */
const QUARANTINE = 1024;
/** Random draws before falling back to a scan (the table is nearly full by then). */
const DRAWS = 32;

export class CallTable {
  private readonly used = new Set<number>();
  /** Recently freed, oldest first (a Set keeps insertion order). */
  private readonly resting = new Set<number>();
  private readonly quarantine: number;

  constructor(
    private readonly first = 1,
    private readonly last = 0xffff,
  ) {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1 || last > 0xffff || first > last) {
      throw new RangeError(`call ID range ${first}..${last} must lie within 1..65535`);
    }
    this.quarantine = Math.min(QUARANTINE, Math.floor((last - first + 1) / 2));
  }

  /** A free, non-zero call ID, now reserved; undefined when every ID is in use. */
  allocate(): number | undefined {
    const span = this.last - this.first + 1;
    if (this.used.size >= span) return undefined;
    const free = (id: number): boolean => !this.used.has(id) && !this.resting.has(id);
    let id: number | undefined;
    for (let i = 0; i < DRAWS && id === undefined; i++) {
      const draw = randomInt(this.first, this.last + 1);
      if (free(draw)) id = draw;
    }
    if (id === undefined) {
      const start = randomInt(this.first, this.last + 1);
      for (let i = 0; i < span && id === undefined; i++) {
        const candidate = this.first + ((start - this.first + i) % span);
        if (free(candidate)) id = candidate;
      }
    }
    // Everything free is resting: the one freed longest ago goes first.
    id ??= this.resting.values().next().value;
    if (id === undefined) return undefined;
    this.resting.delete(id);
    this.used.add(id);
    return id;
  }

  /** Returns an ID to the pool; freeing an ID that is not in use does nothing. */
  free(id: number): void {
    if (!this.used.delete(id) || this.quarantine === 0) return;
    this.resting.add(id);
    if (this.resting.size > this.quarantine) this.resting.delete(this.resting.values().next().value!);
  }

  has(id: number): boolean {
    return this.used.has(id);
  }

  get size(): number {
    return this.used.size;
  }
}
