/**
 * Busy time of a model's calls — the length of the union of their intervals — computed as the
 * calls finish, without keeping one interval per call. Only the merged intervals that a call still
 * in flight could overlap are held: a call can start no earlier than it was dispatched, so merged
 * intervals ending before the oldest dispatch in flight are final, and are summed and dropped.
 * The result equals `busyMs` over every interval (see integrate.ts).
 */
export class BusyTime {
  private finalMs = 0;
  /** Merged, disjoint intervals not yet final, sorted: start0, end0, start1, end1, … */
  private open: number[] = [];
  /** Dispatch time of each call in flight, by ticket. */
  private readonly inFlight = new Map<number, number>();
  private nextTicket = 0;
  /**
   * The call in flight dispatched first (its ticket and time; ticket -1: none). Kept as calls
   * come and go, so that a finish scans the calls in flight only when it was that call's.
   */
  private oldestTicket = -1;
  private oldestAt = Number.POSITIVE_INFINITY;
  /**
   * Whether every dispatch came no earlier than the one before (a clock's readings do): then the
   * map's first entry, the earliest ticket in flight, is the oldest call and no scan is needed.
   */
  private inOrder = true;
  private lastDispatchAt = Number.NEGATIVE_INFINITY;

  /** A call is dispatched at `atMs` (on the clock of its interval); returns its ticket. */
  dispatch(atMs: number): number {
    const ticket = this.nextTicket++;
    this.inFlight.set(ticket, atMs);
    if (atMs < this.lastDispatchAt) this.inOrder = false;
    this.lastDispatchAt = atMs;
    if (atMs < this.oldestAt) {
      this.oldestAt = atMs;
      this.oldestTicket = ticket;
    }
    return ticket;
  }

  /** The call of `ticket` ended: it was busy from `startMs` to `endMs` (null: it made no interval). */
  finish(ticket: number, startMs: number | null = null, endMs: number | null = null): void {
    this.inFlight.delete(ticket);
    if (ticket === this.oldestTicket) this.findOldest();
    if (startMs !== null && endMs !== null && endMs > startMs) this.insert(startMs, endMs);
    this.settle();
  }

  /** Busy time so far, ms. */
  get ms(): number {
    let total = this.finalMs;
    for (let i = 0; i < this.open.length; i += 2) total += this.open[i + 1]! - this.open[i]!;
    return total;
  }

  /** Intervals held (for tests and the benchmarks' accounting). */
  get heldIntervals(): number {
    return this.open.length / 2;
  }

  private insert(startMs: number, endMs: number): void {
    const open = this.open;
    // First interval that ends at or after the new start: everything before it stays as it is.
    let from = open.length;
    for (let i = open.length - 2; i >= 0 && open[i + 1]! >= startMs; i -= 2) from = i;
    let to = from;
    let start = startMs;
    let end = endMs;
    while (to < open.length && open[to]! <= end) {
      start = Math.min(start, open[to]!);
      end = Math.max(end, open[to + 1]!);
      to += 2;
    }
    open.splice(from, to - from, start, end);
  }

  /** Finds the call in flight dispatched first, after that one finished. */
  private findOldest(): void {
    this.oldestTicket = -1;
    this.oldestAt = Number.POSITIVE_INFINITY;
    if (this.inOrder) {
      const first = this.inFlight.entries().next();
      if (!first.done) [this.oldestTicket, this.oldestAt] = first.value;
      return;
    }
    for (const [ticket, at] of this.inFlight) {
      if (at < this.oldestAt) {
        this.oldestAt = at;
        this.oldestTicket = ticket;
      }
    }
  }

  /** Moves intervals that no call in flight can reach into the final sum. */
  private settle(): void {
    const oldest = this.oldestAt;
    let done = 0;
    while (done < this.open.length && this.open[done + 1]! <= oldest) {
      this.finalMs += this.open[done + 1]! - this.open[done]!;
      done += 2;
    }
    if (done > 0) this.open.splice(0, done);
  }
}
