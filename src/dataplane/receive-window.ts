// The receive side of enhanced GRE sequencing (RFC 2637 section 4.2): packets come out in
// sequence order, duplicates and packets older than what was already delivered are dropped, and a
// small window holds packets that arrive early while a gap may still fill (FINDINGS.md: keep it
// small; PPP runs over it and TCP above that prefers a loss to a long stall). A gap that does not
// fill within the timeout, or a full window, is given up on: the missing numbers count as lost.
//
// Pure: time comes in as an argument; the caller owns the timer (nextDeadline tells it when).
// Sequence numbers are 32-bit and wrap, so every comparison is a signed 32-bit difference.
//
// Spoofed GRE (issue 15): anyone who knows a call ID and the peer's address can send packets with
// random sequence numbers. Accepting any number ahead let one such packet move the window
// billions ahead, after which every genuine packet was "late" and the tunnel was dead for good.
// So a packet more than maxJump away (either way) is not believed alone: it is dropped, and only
// a run of RESYNC_RUN such packets that follow one another (each at most `size` past the one
// before, as a genuine stream after a long outage does) moves the window, and only when nothing
// inside the window has arrived for RESYNC_QUIET_MS: while the genuine stream flows, not even a
// crafted run of spoofed numbers can move it. Random numbers almost never land within maxJump
// (maxJump / 2^32 per packet), and all of this is decided before any crypto is spent.

export type WindowDrop = 'duplicate' | 'late';

export interface WindowResult<T> {
  /** Items now deliverable, in sequence order. */
  readonly deliver: T[];
  readonly drop?: WindowDrop;
}

interface Held<T> {
  readonly item: T;
  readonly at: number;
}

/** Signed distance a - b in 32-bit sequence space. */
export function seqDiff(a: number, b: number): number {
  return ((a - b) | 0);
}

const HISTORY_BITS = 32;
/** Default furthest distance a single packet may move (or sit behind) the window. */
export const GRE_MAX_JUMP = 256;
/** Packets in a row, each just past the one before, that make an out-of-window stream believed. */
export const RESYNC_RUN = 3;
/** How long the window must have had nothing in it before an out-of-window run is believed. */
export const RESYNC_QUIET_MS = 50;

export class ReceiveWindow<T> {
  private expected: number | undefined; // next sequence number to deliver
  private history = 0; // bit i set: expected-1-i was delivered (duplicate detection)
  private readonly held = new Map<number, Held<T>>();
  /** Packets delivered after being held for a gap. */
  reordered = 0;
  /** Sequence numbers given up on. */
  lost = 0;
  /** Packets dropped for being more than maxJump from the window (and not yet a believed run). */
  outOfWindow = 0;
  private candidate: number | undefined; // last out-of-window sequence number of a possible run
  private candidateRun = 0;
  private lastInWindowAt = 0;

  constructor(
    readonly size = 16,
    readonly timeoutMs = 30,
    readonly maxJump = Math.max(GRE_MAX_JUMP, size),
  ) {}

  /** The highest sequence number delivered in order: what our acknowledgement number says. */
  get lastDelivered(): number | undefined {
    return this.expected === undefined ? undefined : (this.expected - 1) >>> 0;
  }

  get heldCount(): number {
    return this.held.size;
  }

  receive(seq: number, item: T, now: number): WindowResult<T> {
    seq >>>= 0;
    if (this.expected === undefined) {
      // The first packet defines where the stream starts (RFC 2637 does not fix the initial number).
      this.expected = seq;
      this.lastInWindowAt = now;
    }
    const diff = seqDiff(seq, this.expected);
    if (diff > this.maxJump || diff < -this.maxJump) {
      if (!this.outOfWindowRun(seq, now - this.lastInWindowAt >= RESYNC_QUIET_MS)) {
        this.outOfWindow++;
        return { deliver: [], drop: 'late' };
      }
      const deliver: T[] = [];
      this.resyncTo(deliver, seq);
      this.advance(deliver, item, true);
      this.drainInOrder(deliver);
      this.lastInWindowAt = now;
      return { deliver };
    }
    this.candidateRun = 0;
    this.lastInWindowAt = now;
    if (diff < 0) {
      const idx = -diff - 1;
      const seen = idx < HISTORY_BITS && ((this.history >>> idx) & 1) === 1;
      return { deliver: [], drop: seen ? 'duplicate' : 'late' };
    }
    const deliver: T[] = [];
    if (diff === 0) {
      this.advance(deliver, item, true);
      this.drainInOrder(deliver);
      return { deliver };
    }
    if (this.held.has(seq)) return { deliver: [], drop: 'duplicate' };
    if (diff >= this.size) {
      // Far ahead: everything up to it is presumed lost; deliver what we hold, then this one.
      this.giveUpUntil(deliver, seq);
      this.advance(deliver, item, true);
      this.drainInOrder(deliver);
      return { deliver };
    }
    this.held.set(seq, { item, at: now });
    if (this.held.size >= this.size) this.skipToOldestHeld(deliver);
    return { deliver };
  }

  /** True when seq completes a run of RESYNC_RUN out-of-window packets that follow one another, in a quiet window. */
  private outOfWindowRun(seq: number, quiet: boolean): boolean {
    const prev = this.candidate;
    const step = prev === undefined ? 0 : seqDiff(seq, prev);
    const follows = this.candidateRun > 0 && step > 0 && step <= this.size;
    this.candidateRun = follows ? Math.min(this.candidateRun + 1, RESYNC_RUN) : 1;
    this.candidate = seq;
    if (this.candidateRun < RESYNC_RUN || !quiet) return false;
    this.candidateRun = 0;
    return true;
  }

  /** When a held packet has waited its timeout; undefined when nothing is held. */
  nextDeadline(): number | undefined {
    let min: number | undefined;
    for (const h of this.held.values()) if (min === undefined || h.at < min) min = h.at;
    return min === undefined ? undefined : min + this.timeoutMs;
  }

  /** Gives up on gaps whose held packets waited too long; returns what that releases. */
  expire(now: number): T[] {
    const deliver: T[] = [];
    for (;;) {
      const deadline = this.nextDeadline();
      if (deadline === undefined || deadline > now) break;
      this.skipToOldestHeld(deliver);
    }
    return deliver;
  }

  private advance(deliver: T[], item: T, inOrder: boolean): void {
    deliver.push(item);
    if (!inOrder) this.reordered++;
    this.history = ((this.history << 1) | 1) >>> 0;
    this.expected = ((this.expected as number) + 1) >>> 0;
  }

  private skipOne(): void {
    this.lost++;
    this.history = (this.history << 1) >>> 0;
    this.expected = ((this.expected as number) + 1) >>> 0;
  }

  private drainInOrder(deliver: T[]): void {
    for (;;) {
      const next = this.held.get(this.expected as number);
      if (next === undefined) return;
      this.held.delete(this.expected as number);
      this.advance(deliver, next.item, false);
    }
  }

  /** Skips the gap before the lowest held sequence number and delivers from there. */
  private skipToOldestHeld(deliver: T[]): void {
    let lowest: number | undefined;
    for (const seq of this.held.keys()) {
      if (lowest === undefined || seqDiff(seq, lowest) < 0) lowest = seq;
    }
    if (lowest === undefined) return;
    while (this.expected !== lowest) this.skipOne();
    this.drainInOrder(deliver);
  }

  /** The peer's stream is elsewhere: what is held goes out in order, then expected moves to seq. */
  private resyncTo(deliver: T[], seq: number): void {
    if (seqDiff(seq, this.expected as number) > 0) {
      this.giveUpUntil(deliver, seq);
      // held packets beyond seq belong to the stream we left: still ahead of it, they stay held
      return;
    }
    const held = [...this.held.entries()].sort((a, b) => seqDiff(a[0], b[0]));
    this.held.clear();
    for (const [, h] of held) deliver.push(h.item);
    this.history = 0;
    this.expected = seq;
  }

  /** Delivers every held packet below `seq` in order, skipping gaps, and moves expected to seq. */
  private giveUpUntil(deliver: T[], seq: number): void {
    const below = [...this.held.keys()].filter((s) => seqDiff(s, seq) < 0).sort((a, b) => seqDiff(a, b));
    for (const s of below) {
      const gap = seqDiff(s, this.expected as number);
      this.lost += gap;
      this.history = gap >= HISTORY_BITS ? 0 : (this.history << gap) >>> 0;
      this.expected = s;
      const h = this.held.get(s)!;
      this.held.delete(s);
      this.advance(deliver, h.item, false);
    }
    const gap = seqDiff(seq, this.expected as number);
    this.lost += gap;
    this.history = gap >= HISTORY_BITS ? 0 : (this.history << gap) >>> 0;
    this.expected = seq;
  }
}
