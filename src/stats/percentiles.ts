/**
 * Percentiles and a flat summary of a distribution (latencies, token counts).
 *
 * Method: linear interpolation between order statistics, Hyndman & Fan (1996) type 7 — the
 * default of R `quantile()`, NumPy `percentile()` and Excel `PERCENTILE.INC`. For sorted
 * x[0..n-1] and q in [0, 1]: h = (n − 1)·q, result = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 * So q = 0 is the minimum, q = 1 the maximum, and n = 1 gives that one value for every q.
 */
import type { SortedSamples } from "./samples.ts";

/**
 * The q-quantile of sorted samples (type 7, see the module comment), in the samples' unit.
 * @param q probability in [0, 1], e.g. 0.95 for p95
 * @throws RangeError when q is outside [0, 1]
 */
export function quantile(sorted: SortedSamples, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${q}`);
  const h = (sorted.length - 1) * q;
  const lower = Math.floor(h);
  const below = sorted[lower]!;
  if (lower + 1 >= sorted.length) return below;
  return below + (h - lower) * (sorted[lower + 1]! - below);
}

/** Arithmetic mean of the samples, in their unit. */
export function mean(sorted: SortedSamples): number {
  let sum = 0;
  for (const value of sorted) sum += value;
  return sum / sorted.length;
}

/** Flat summary of a distribution; every value except `n` is in the samples' unit. */
export interface DistributionSummary {
  /** Number of samples (≥ 1). */
  n: number;
  mean: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
}

/** Summarises sorted samples: count, mean, min, max and p50/p90/p95/p99 (type 7). */
export function summarize(sorted: SortedSamples): DistributionSummary {
  return {
    n: sorted.length,
    mean: mean(sorted),
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p95: quantile(sorted, 0.95),
    p99: quantile(sorted, 0.99),
  };
}
