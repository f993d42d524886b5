// Allocation of PPTP Call IDs (RFC 2637 section 2.7/2.8: "a unique identifier ... assigned by the
// PAC/PNS"). Enhanced GRE packets are demultiplexed by the Call ID in their key (section 4.1), so
// one table should serve every call of the router, server and client side alike. IDs are
// non-zero (0 is what a refusal carries) and handed out round-robin, so a just-freed ID is not
// reused while late GRE packets of the old call may still arrive.

export class CallTable {
  private readonly used = new Set<number>();
  private cursor: number;

  constructor(
    private readonly first = 1,
    private readonly last = 0xffff,
  ) {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1 || last > 0xffff || first > last) {
      throw new RangeError(`call ID range ${first}..${last} must lie within 1..65535`);
    }
    this.cursor = first;
  }

  /** A free, non-zero call ID, now reserved; undefined when every ID is in use. */
  allocate(): number | undefined {
    const span = this.last - this.first + 1;
    if (this.used.size >= span) return undefined;
    for (let i = 0; i < span; i++) {
      const id = this.cursor;
      this.cursor = id === this.last ? this.first : id + 1;
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
    return undefined;
  }

  /** Returns an ID to the pool; freeing an ID that is not in use does nothing. */
  free(id: number): void {
    this.used.delete(id);
  }

  has(id: number): boolean {
    return this.used.has(id);
  }

  get size(): number {
    return this.used.size;
  }
}
