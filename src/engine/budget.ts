/**
 * `--max-cost`: stop starting calls before what has been spent plus what calls in flight may
 * still cost would pass the limit. Each call reserves its upper-bound estimate while in flight,
 * then settles at its real cost (or keeps the estimate when its real cost is unknown).
 */
export class CostBudget {
  private spent = 0;
  private reserved = 0;
  private stopped = false;
  readonly limitUsd: number;

  /** @param alreadySpentUsd spending of earlier segments of the same run (`--resume`) */
  constructor(limitUsd: number, alreadySpentUsd = 0) {
    this.limitUsd = limitUsd;
    this.spent = alreadySpentUsd;
  }

  /** Whether the limit stopped the run. */
  get exhausted(): boolean {
    return this.stopped;
  }

  get spentUsd(): number {
    return this.spent;
  }

  /**
   * Reserves `estimateUsd` for a call about to start. Returns false (and marks the budget
   * exhausted) when spent + in flight + this call would pass the limit.
   */
  reserve(estimateUsd: number): boolean {
    if (this.stopped || this.spent + this.reserved + estimateUsd > this.limitUsd) {
      this.stopped = true;
      return false;
    }
    this.reserved += estimateUsd;
    return true;
  }

  /** Settles a call's reservation at its actual cost (the estimate when the cost is unknown). */
  settle(estimateUsd: number, actualUsd: number | null): void {
    this.reserved = Math.max(0, this.reserved - estimateUsd);
    this.spent += actualUsd ?? estimateUsd;
  }
}
