/**
 * A streaming collector of numeric samples whose memory does not grow without bound: the values
 * are kept exactly, in one Float64Array, up to EXACT_SAMPLES; past that they move into a DDSketch
 * (log-bucketed counts, DataDog's quantile sketch) whose quantiles are within SKETCH_RELATIVE_ERROR
 * of the exact ones. So a group of up to 100,000 calls gets exact percentiles, and a million-call
 * run holds a few tens of KB per latency instead of 8 MB.
 */
import { createRequire } from "node:module";
import type { DDSketch } from "@datadog/sketches-js";
import { quantile as exactQuantile, mean } from "./percentiles.ts";
import { type SortedSamples, sortSamples } from "./samples.ts";

const INITIAL_CAPACITY = 64;
/** Samples kept exactly; more switch the accumulator to a sketch. */
export const EXACT_SAMPLES = 100_000;
/** Relative error of a sketch's quantiles (DDSketch's guarantee, for positive values). */
export const SKETCH_RELATIVE_ERROR = 0.001;

/** The sketch library, loaded by the first accumulator that needs it (CommonJS: `require` serves). */
function newSketch(): DDSketch {
  const { DDSketch } = createRequire(import.meta.url)(
    "@datadog/sketches-js",
  ) as typeof import("@datadog/sketches-js");
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ERROR });
}

/** What a summary needs of a sample: its size, moments, quantiles and values at ranks. */
export interface OrderStatistics {
  n: number;
  mean: number;
  min: number;
  max: number;
  /** The q-quantile: type 7 (see percentiles.ts) when exact. */
  quantile(q: number): number;
  /** The value of 1-based rank `rank` in ascending order. */
  atRank(rank: number): number;
  /** 0 when exact; else the sketch's relative error bound. */
  relativeError: number;
}

export class SampleAccumulator {
  #values: Float64Array;
  #count = 0;
  /** Set once the samples pass EXACT_SAMPLES: from then on it holds them all. */
  #sketch: DDSketch | null = null;

  /** @param initialCapacity number of samples to reserve room for (default 64; at most EXACT_SAMPLES) */
  constructor(initialCapacity = INITIAL_CAPACITY) {
    if (!Number.isInteger(initialCapacity) || initialCapacity < 1) {
      throw new RangeError(`initial capacity must be an integer ≥ 1, got ${initialCapacity}`);
    }
    this.#values = new Float64Array(Math.min(initialCapacity, EXACT_SAMPLES));
  }

  /**
   * Adds one sample (any unit; keep one unit per accumulator).
   * @throws RangeError on a non-finite value: record "not measured" by not pushing
   */
  push(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`sample must be a finite number, got ${value}`);
    if (this.#sketch) {
      this.#sketch.accept(value);
      return;
    }
    if (this.#count === this.#values.length) {
      if (this.#count >= EXACT_SAMPLES) {
        this.toSketch().accept(value);
        return;
      }
      const grown = new Float64Array(Math.min(this.#values.length * 2, EXACT_SAMPLES));
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#count++] = value;
  }

  /** Number of samples pushed. */
  get count(): number {
    return this.#sketch ? this.#sketch.count : this.#count;
  }

  /** Whether every sample is kept (quantiles are exact). */
  get exact(): boolean {
    return this.#sketch === null;
  }

  /** Bytes held by the sample buffer (its capacity, not just the samples pushed); 0 once sketched. */
  get byteLength(): number {
    return this.#values.byteLength;
  }

  /** Appends every sample of another accumulator (merging groups). */
  pushAll(other: SampleAccumulator): void {
    if (other.#sketch) {
      this.toSketch().merge(other.#sketch);
      return;
    }
    for (const value of other.#values.subarray(0, other.#count)) this.push(value);
  }

  /**
   * Order statistics of the samples so far; null when there are none. Exact ones sort the
   * samples in place (no copy): valid until the next push.
   */
  statistics(): OrderStatistics | null {
    const sketch = this.#sketch;
    if (sketch) {
      const n = sketch.count;
      const at = (q: number) => Math.min(sketch.max, Math.max(sketch.min, sketch.getValueAtQuantile(q)));
      return {
        n,
        mean: sketch.sum / n,
        min: sketch.min,
        max: sketch.max,
        quantile: at,
        atRank: (rank) => at((rank - 1) / (n - 1)),
        relativeError: SKETCH_RELATIVE_ERROR,
      };
    }
    const sorted = this.sortedInPlace();
    if (!sorted) return null;
    return {
      n: sorted.length,
      mean: mean(sorted),
      min: sorted[0]!,
      max: sorted[sorted.length - 1]!,
      quantile: (q) => exactQuantile(sorted, q),
      atRank: (rank) => sorted[rank - 1]!,
      relativeError: 0,
    };
  }

  /**
   * The samples sorted in place, as a view: no copy, for a final summary of a large sample. The
   * view is valid until the next push; pushing afterwards is fine (order does not matter here).
   * Null when there are none, or once the samples are sketched.
   */
  sortedInPlace(): SortedSamples | null {
    if (this.#count === 0 || this.#sketch) return null;
    const view = this.#values.subarray(0, this.#count);
    view.sort();
    return view as SortedSamples;
  }

  /** A sorted copy of the samples so far (later pushes don't change it); null when there are none or once sketched. */
  sorted(): SortedSamples | null {
    if (this.#count === 0 || this.#sketch) return null;
    return sortSamples(this.#values.subarray(0, this.#count));
  }

  /** Moves the exact samples into a sketch, which takes every later sample. */
  private toSketch(): DDSketch {
    if (this.#sketch) return this.#sketch;
    const sketch = newSketch();
    for (const value of this.#values.subarray(0, this.#count)) sketch.accept(value);
    this.#sketch = sketch;
    this.#values = new Float64Array(0);
    this.#count = 0;
    return sketch;
  }
}
