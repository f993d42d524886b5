// At most one line per interval for events a peer can cause at will (connections turned away by
// the caps): a peer that loops connecting cannot push everything else out of `/log print`. The
// lines left out are counted in the next one written.

export class ThrottledLog {
  private last = Number.NEGATIVE_INFINITY;
  private skipped = 0;

  constructor(
    private readonly write: (message: string) => void,
    private readonly intervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  say(message: string): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) {
      this.skipped++;
      return;
    }
    this.last = t;
    const more = this.skipped > 0 ? ` (${this.skipped} similar line${this.skipped === 1 ? '' : 's'} left out)` : '';
    this.skipped = 0;
    this.write(message + more);
  }
}
