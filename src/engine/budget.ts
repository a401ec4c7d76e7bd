/**
 * `--max-cost`: calls start only while what has been spent plus what calls in flight may still
 * cost stays within the limit. Each call holds a {@link Reservation}: its upper-bound estimate
 * while in flight, grown if it streams past it (a server that ignores `max_tokens`), then
 * settled at its real cost. A call that does not fit beside the calls in flight waits for them
 * to settle (they usually cost far less than their worst case) rather than ending the run.
 */

/** Float slack, USD: a sum like 0.1 + 0.2 must not fail a comparison with 0.3. */
const SLACK_USD = 1e-9;

/** One call's hold on the budget, from before it starts until it settles. */
export interface Reservation {
  /** What the call may cost as far as the budget knows, USD. */
  readonly heldUsd: number;
  /**
   * Raises the hold to `totalUsd` (USD) when that fits within the limit beside everything else;
   * returns false (hold unchanged) when it does not. Lower totals are a no-op.
   */
  grow(totalUsd: number): boolean;
  /**
   * Ends the hold: `actualUsd` (USD) is spent, or the amount held when the real cost is unknown
   * (null). Calls after the first are ignored.
   */
  settle(actualUsd: number | null): void;
}

export class CostBudget {
  private spent: number;
  private reserved = 0;
  private inFlight = 0;
  private refused = false;
  private cut = 0;
  /** Calls waiting for room: woken whenever a call settles or the budget stops. */
  private readonly waiters = new Set<() => void>();
  readonly limitUsd: number;

  /**
   * @param limitUsd the limit, USD (≥ 0)
   * @param alreadySpentUsd spending of earlier segments of the same run (`--resume`), USD
   */
  constructor(limitUsd: number, alreadySpentUsd = 0) {
    if (!(limitUsd >= 0)) throw new RangeError(`--max-cost must be a number of USD ≥ 0, got ${limitUsd}`);
    if (!(alreadySpentUsd >= 0))
      throw new RangeError(`spending so far must be ≥ 0 USD, got ${alreadySpentUsd}`);
    this.limitUsd = limitUsd;
    this.spent = alreadySpentUsd;
  }

  /** Whether the limit stopped the run: a call was refused, or a call was cut off. */
  get exhausted(): boolean {
    return this.refused || this.cut > 0;
  }

  /** Whether a call was refused because its worst case did not fit even with nothing in flight. */
  get refusedCall(): boolean {
    return this.refused;
  }

  /** Calls cut off while streaming because their cost would have passed the limit. */
  get cutCalls(): number {
    return this.cut;
  }

  get spentUsd(): number {
    return this.spent;
  }

  /** Counts a call cut off at the limit (`budget_stopped`). */
  noteCut(): void {
    this.cut++;
  }

  /**
   * Reserves `estimateUsd` (USD, the call's worst case) for a call about to start. While it does
   * not fit beside the calls in flight but would fit once they settle, waits for them. Resolves
   * to undefined, and marks the budget exhausted, when it cannot fit even with nothing in
   * flight (spent + estimate > limit); also undefined, unmarked, when `signal` aborts.
   */
  async reserve(estimateUsd: number, signal?: AbortSignal): Promise<Reservation | undefined> {
    for (;;) {
      if (this.refused || signal?.aborted) return undefined;
      if (this.fits(estimateUsd)) return this.hold(estimateUsd);
      if (this.inFlight === 0 || this.spent + estimateUsd > this.limitUsd + SLACK_USD) {
        this.refused = true;
        this.wakeAll();
        return undefined;
      }
      await this.nextSettle(signal);
    }
  }

  private fits(extraUsd: number): boolean {
    return this.spent + this.reserved + extraUsd <= this.limitUsd + SLACK_USD;
  }

  private hold(estimateUsd: number): Reservation {
    this.reserved += estimateUsd;
    this.inFlight++;
    let held = estimateUsd;
    let settled = false;
    return {
      get heldUsd() {
        return held;
      },
      grow: (totalUsd) => {
        if (settled || totalUsd <= held) return true;
        if (!this.fits(totalUsd - held)) return false;
        this.reserved += totalUsd - held;
        held = totalUsd;
        return true;
      },
      settle: (actualUsd) => {
        if (settled) return;
        settled = true;
        this.reserved = Math.max(0, this.reserved - held);
        this.inFlight--;
        if (this.inFlight === 0) this.reserved = 0; // no float residue once nothing is in flight
        this.spent += actualUsd ?? held;
        this.wakeAll();
      },
    };
  }

  /** Resolves when some call settles, the budget stops, or `signal` aborts. */
  private nextSettle(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.waiters.delete(wake);
        signal?.removeEventListener("abort", wake);
        resolve();
      };
      this.waiters.add(wake);
      signal?.addEventListener("abort", wake, { once: true });
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
