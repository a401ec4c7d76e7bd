/**
 * Paired comparison of A and B on cases that carry weights (a case of weight w stands for w
 * identical calls, e.g. a replayed request's exact duplicates): the difference B − A over calls,
 * with a cluster-robust (CR1) standard error in which each case is one cluster of its w calls
 * (or the task's named cluster holds it). The same figures as writing each case out w times
 * in one cluster and calling pairedDifference, without the copies; w calls are one draw, not w.
 */
import { zCritical } from "./critical.ts";
import { twoSidedNormalP } from "./distributions.ts";
import { mcnemarExactFromCounts } from "./paired.ts";
import type { NonEmpty } from "./samples.ts";

/** One case scored by both sides (repeats averaged), with the calls it stands for. */
export interface WeightedPair {
  caseId: string;
  a: number;
  b: number;
  /** Calls the case stands for (≥ 1). */
  weight: number;
  /** The task's cluster key; absent: the case is a cluster of its own. */
  cluster?: string | undefined;
}

export interface WeightedPairedDifference {
  /** Paired cases. */
  n: number;
  /** Calls they stand for (Σw). */
  calls: number;
  /** Clusters the standard error rests on (cases, or the task's clusters). */
  clusters: number;
  /** Means over calls. */
  meanA: number;
  meanB: number;
  meanDiff: number;
  /** CR1 standard error of meanDiff; null with fewer than 2 clusters. */
  se: number | null;
  lower: number | null;
  upper: number | null;
  /** Two-sided p of "no difference": z = meanDiff / se; see {@link weightedPairedDifference}. */
  pValue: number | null;
  confidence: number;
}

/**
 * Σw(b − a)/Σw with SE² = G/(G−1)·Σ_g S_g²/(Σw)², S_g = Σ_{i∈g} wᵢ(dᵢ − d̄). The p-value is the
 * z-test's; when every cluster's difference is the same non-zero value (SE 0, a point that
 * would claim certainty) it is the exact sign test over the clusters, each one draw.
 */
export function weightedPairedDifference(
  pairs: NonEmpty<WeightedPair>,
  confidence = 0.95,
): WeightedPairedDifference {
  let calls = 0;
  let sumA = 0;
  let sumB = 0;
  for (const { a, b, weight } of pairs) {
    if (!(weight >= 1)) throw new RangeError(`a case's weight must be ≥ 1, got ${weight}`);
    calls += weight;
    sumA += weight * a;
    sumB += weight * b;
  }
  const meanA = sumA / calls;
  const meanB = sumB / calls;
  const meanDiff = meanB - meanA;
  const residuals = new Map<string, number>();
  for (const { caseId, a, b, weight, cluster } of pairs) {
    // Distinct prefixes keep a case's own key from colliding with a user's cluster name.
    const key = cluster === undefined ? `\u0000${caseId}` : `=${cluster}`;
    residuals.set(key, (residuals.get(key) ?? 0) + weight * (b - a - meanDiff));
  }
  const groups = residuals.size;
  let squares = 0;
  for (const s of residuals.values()) squares += s * s;
  const se = groups < 2 ? null : Math.sqrt(((groups / (groups - 1)) * squares) / (calls * calls));
  const z = zCritical(confidence);
  let pValue: number | null;
  if (meanDiff === 0) pValue = 1;
  else if (se === null) pValue = null;
  else if (se > 0) pValue = twoSidedNormalP(meanDiff / se);
  else pValue = mcnemarExactFromCounts(meanDiff < 0 ? groups : 0, meanDiff > 0 ? groups : 0).pValue;
  return {
    n: pairs.length,
    calls,
    clusters: groups,
    meanA,
    meanB,
    meanDiff,
    se,
    lower: se === null ? null : Math.max(-1, meanDiff - z * se),
    upper: se === null ? null : Math.min(1, meanDiff + z * se),
    pValue,
    confidence,
  };
}
