/** Standard errors of a sample mean: i.i.d. and cluster-robust. */
import type { NonEmpty } from "./samples.ts";

function average(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Standard error of the mean for i.i.d. values: s/√n with the sample standard deviation s
 * (denominator n − 1). In the values' unit; null for n = 1 (no spread to estimate).
 */
export function meanStandardError(values: NonEmpty<number>): number | null {
  const n = values.length;
  if (n < 2) return null;
  const centre = average(values);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - centre) ** 2;
  return Math.sqrt(squares / (n - 1) / n);
}

/** A cluster-robust standard error and the number of clusters it rests on. */
export interface ClusteredStandardError {
  /** Standard error of the mean, in the values' unit. */
  se: number;
  /** Number of distinct clusters G. */
  clusters: number;
}

/**
 * Cluster-robust (CR1) standard error of the mean, for values that share clusters (cases from
 * the same document, template or source): with residuals eᵢ = yᵢ − ȳ and per-cluster sums
 * S_g = Σ_{i∈g} eᵢ, Var(ȳ) = G/(G−1) · Σ_g S_g² / n². This is the OLS sandwich estimator of an
 * intercept-only model with Stata's small-sample factor G/(G−1)·(n−1)/(n−k), where k = 1.
 * Null when there are fewer than 2 clusters.
 * @param values one value per case
 * @param clusters cluster key of each value (same length as `values`)
 */
export function clusteredStandardError(
  values: NonEmpty<number>,
  clusters: readonly string[],
): ClusteredStandardError | null {
  if (clusters.length !== values.length) {
    throw new RangeError(`got ${values.length} values but ${clusters.length} cluster keys`);
  }
  const centre = average(values);
  const residualSums = new Map<string, number>();
  values.forEach((value, i) => {
    const key = clusters[i]!;
    residualSums.set(key, (residualSums.get(key) ?? 0) + (value - centre));
  });
  const groups = residualSums.size;
  if (groups < 2) return null;
  let squares = 0;
  for (const sum of residualSums.values()) squares += sum * sum;
  const n = values.length;
  return { se: Math.sqrt(((groups / (groups - 1)) * squares) / (n * n)), clusters: groups };
}

/** Cluster key of each case; a case without one is a cluster of its own. */
export function clusterKeys(cases: readonly { caseId: string; cluster?: string | undefined }[]): string[] {
  // Distinct prefixes keep a singleton's key from colliding with a user's cluster name.
  return cases.map((c) => (c.cluster === undefined ? `\u0000${c.caseId}` : `=${c.cluster}`));
}
