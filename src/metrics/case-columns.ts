/**
 * Per-case columns of a group, indexed by `case_index`, in typed arrays that grow by doubling: a
 * million cases cost 12 bytes each per scorer, not a million objects.
 */

/** A Float64Array that grows to fit any index written. */
export class GrowableColumn {
  private data: Float64Array;

  constructor(initial = 64) {
    this.data = new Float64Array(initial);
  }

  /** One past the highest index the column can hold without growing. */
  get length(): number {
    return this.data.length;
  }

  get(index: number): number {
    return index < this.data.length ? this.data[index]! : 0;
  }

  add(index: number, delta: number): void {
    if (index >= this.data.length) {
      let size = this.data.length;
      while (size <= index) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[index]! += delta;
  }
}

/** Score sums and counts of one scorer per case, and the calls it could not score. */
export class ScorerColumns {
  readonly sums = new GrowableColumn();
  readonly counts = new GrowableColumn();
  unscored = 0;

  add(caseIndex: number, score: number): void {
    this.sums.add(caseIndex, score);
    this.counts.add(caseIndex, 1);
  }

  /** Sum of every score recorded. */
  total(): number {
    let sum = 0;
    for (let i = 0; i < this.sums.length; i++) sum += this.sums.get(i);
    return sum;
  }
}
