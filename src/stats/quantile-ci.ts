/**
 * Distribution-free confidence intervals for a quantile, from order statistics.
 *
 * For n i.i.d. samples of a continuous distribution, the number B of samples at or below the
 * true q-quantile ξ is Binomial(n, q), so for 1-based ranks l < u:
 *   P(X₍l₎ ≤ ξ ≤ X₍u₎) = P(l ≤ B ≤ u − 1) = 1 − P(B ≤ l − 1) − P(B ≥ u).
 * We pick the equal-tailed, shortest such ranks: l as large as possible with P(B ≤ l − 1) ≤ α/2
 * and u as small as possible with P(B ≥ u) ≤ α/2 (conservative: the achieved coverage is at
 * least the confidence asked for). When no rank in 1..n bounds a tail (small samples, extreme
 * quantiles), there is no finite interval and the functions return null. At 95 % that needs
 * qⁿ ≤ 0.025: n ≥ 72 for p95 and n ≥ 368 for p99. Ties make the interval slightly wider, never
 * narrower.
 */

import { alphaOf } from "./critical.ts";
import { binomialCdf } from "./distributions.ts";
import type { SortedSamples } from "./samples.ts";

/** A confidence interval for a quantile: sample values at two order statistics. */
export interface QuantileInterval {
  /** Lower bound, in the samples' unit: the sample at `lowerRank`. */
  lower: number;
  /** Upper bound, in the samples' unit: the sample at `upperRank`. */
  upper: number;
  /** 1-based rank of the lower bound in the sorted sample. */
  lowerRank: number;
  /** 1-based rank of the upper bound in the sorted sample. */
  upperRank: number;
  /** Exact coverage probability of these ranks (≥ the confidence asked for). */
  coverage: number;
}

/**
 * 1-based ranks (l, u) of the order-statistic interval for the q-quantile of n samples, with its
 * exact coverage; null when n samples can't support a finite interval.
 * @param n sample size (integer ≥ 1)
 * @param q probability in [0, 1], e.g. 0.95
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function quantileRanks(
  n: number,
  q: number,
  confidence = 0.95,
): { lowerRank: number; upperRank: number; coverage: number } | null {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`sample size must be an integer ≥ 1, got ${n}`);
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile probability must be in [0, 1], got ${q}`);
  const tail = alphaOf(confidence) / 2;
  /** P(B ≤ k). */
  const atOrBelow = (k: number) => binomialCdf(k, n, q);
  /** P(B ≥ u), as a lower tail of the mirrored binomial to keep precision near 1. */
  const atOrAbove = (u: number) => binomialCdf(n - u, n, 1 - q);

  if (atOrBelow(0) > tail || atOrAbove(n) > tail) return null;
  // Largest k in [0, n − 1] with P(B ≤ k) ≤ tail; then l = k + 1.
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (atOrBelow(mid) <= tail) lo = mid;
    else hi = mid - 1;
  }
  const lowerRank = lo + 1;
  // Smallest u in [1, n] with P(B ≥ u) ≤ tail.
  lo = 1;
  hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (atOrAbove(mid) <= tail) hi = mid;
    else lo = mid + 1;
  }
  const upperRank = lo;
  const coverage = 1 - atOrBelow(lowerRank - 1) - atOrAbove(upperRank);
  return { lowerRank, upperRank, coverage };
}

/**
 * Distribution-free confidence interval for the q-quantile of a sample (see the module
 * comment); null ("not enough samples") when the sample can't support a finite interval.
 * @param q probability in [0, 1], e.g. 0.95 for p95
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function quantileInterval(
  sorted: SortedSamples,
  q: number,
  confidence = 0.95,
): QuantileInterval | null {
  const ranks = quantileRanks(sorted.length, q, confidence);
  if (ranks === null) return null;
  return {
    lower: sorted[ranks.lowerRank - 1]!,
    upper: sorted[ranks.upperRank - 1]!,
    ...ranks,
  };
}

/**
 * Smallest sample size for which {@link quantileInterval} gives a finite interval: the least n
 * with max(q, 1 − q)ⁿ ≤ α/2 (72 for p95 and 368 for p99 at 95 %).
 * @param q probability in (0, 1); 0 and 1 (min, max) never get an interval
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function minSamplesForQuantileInterval(q: number, confidence = 0.95): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile probability must be in (0, 1), got ${q}`);
  const tail = alphaOf(confidence) / 2;
  const widest = Math.max(q, 1 - q);
  let n = Math.max(1, Math.ceil(Math.log(tail) / Math.log(widest)));
  // Settle rounding at the boundary with the same test quantileRanks applies.
  while (n > 1 && quantileRanks(n - 1, q, confidence) !== null) n--;
  while (quantileRanks(n, q, confidence) === null) n++;
  return n;
}
