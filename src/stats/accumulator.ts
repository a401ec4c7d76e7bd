/**
 * A streaming collector of numeric samples that keeps memory small: values live in one
 * Float64Array (8 bytes each) that doubles when full, never in arrays of objects. A million
 * samples take 8 MiB (16 MiB capacity at most) plus 8 MiB for a sorted copy.
 */
import type { SortedSamples } from "./samples.ts";
import { sortSamples } from "./samples.ts";

const INITIAL_CAPACITY = 64;

export class SampleAccumulator {
  #values: Float64Array;
  #count = 0;

  /** @param initialCapacity number of samples to reserve room for (default 64) */
  constructor(initialCapacity = INITIAL_CAPACITY) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`initial capacity must be an integer ≥ 1, got ${initialCapacity}`);
    }
    this.#values = new Float64Array(initialCapacity);
  }

  /**
   * Adds one sample (any unit; keep one unit per accumulator).
   * @throws RangeError on a non-finite value: record "not measured" by not pushing
   */
  push(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`sample must be a finite number, got ${value}`);
    if (this.#count === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = value;
  }

  /** Number of samples pushed. */
  get count(): number {
    return this.#count;
  }

  /** Bytes held by the sample buffer (its capacity, not just the samples pushed). */
  get byteLength(): number {
    return this.#values.byteLength;
  }

  /** Appends every sample of another accumulator (merging groups). */
  pushAll(other: SampleAccumulator): void {
    for (const value of other.#values.subarray(0, other.#count)) this.push(value);
  }

  /**
   * The samples sorted in place, as a view: no copy, for a final summary of a large sample. The
   * view is valid until the next push; pushing afterwards is fine (order does not matter here).
   */
  sortedInPlace(): SortedSamples | null {
    if (this.#count === 0) return null;
    const view = this.#values.subarray(0, this.#count);
    view.sort();
    return view as SortedSamples;
  }

  /**
   * A sorted copy of the samples so far (later pushes don't change it); null when there are
   * none, so callers must handle the empty case.
   */
  sorted(): SortedSamples | null {
    if (this.#count === 0) return null;
    return sortSamples(this.#values.subarray(0, this.#count));
  }
}
