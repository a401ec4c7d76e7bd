/**
 * Paired comparison of two models, A and B, on the same cases: the mean per-case difference
 * B − A with its interval, and McNemar's exact test for 0/1 scores. Pairing removes the
 * between-case variance, so it detects smaller differences than comparing two accuracies.
 */

import type { CaseScore } from "./accuracy.ts";
import { zCritical } from "./critical.ts";
import { binomialCdf } from "./distributions.ts";
import type { NonEmpty } from "./samples.ts";
import { mapNonEmpty } from "./samples.ts";
import { clusteredStandardError, clusterKeys, meanStandardError } from "./standard-error.ts";

/** One case scored by both models (repeats already averaged), scores in [0, 1]. */
export interface PairedScore {
  caseId: string;
  a: number;
  b: number;
  cluster?: string | undefined;
}

/**
 * Joins two models' case scores on `caseId`, in A's order; cases only one model has are left
 * out. The cluster key is A's (else B's).
 */
export function pairCaseScores(a: readonly CaseScore[], b: readonly CaseScore[]): PairedScore[] {
  const byId = new Map(b.map((c) => [c.caseId, c]));
  const pairs: PairedScore[] = [];
  for (const caseA of a) {
    const caseB = byId.get(caseA.caseId);
    if (caseB === undefined) continue;
    const cluster = caseA.cluster ?? caseB.cluster;
    pairs.push({
      caseId: caseA.caseId,
      a: caseA.score,
      b: caseB.score,
      ...(cluster === undefined ? {} : { cluster }),
    });
  }
  return pairs;
}

/** Mean difference B − A over paired cases, as a flat record (score units, i.e. proportions). */
export interface PairedDifference {
  /** Number of paired cases. */
  n: number;
  meanA: number;
  meanB: number;
  /** Mean of the per-case differences B − A, in [−1, 1]. */
  meanDiff: number;
  /** Standard error of `meanDiff`; null for n = 1 or fewer than 2 clusters. */
  se: number | null;
  /** meanDiff ± z·se, clamped to [−1, 1]; null with `se`. */
  lower: number | null;
  upper: number | null;
  /** "clustered" (CR1 on the differences) when any case has a cluster key, else "paired". */
  method: "paired" | "clustered";
  clusters: number | null;
  confidence: number;
}

/**
 * Mean per-case difference B − A with SE = s_d/√n (sample SD of the differences), or the
 * cluster-robust SE when cases carry cluster keys; interval meanDiff ± z·SE, z = Φ⁻¹(1 − α/2).
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function pairedDifference(pairs: NonEmpty<PairedScore>, confidence = 0.95): PairedDifference {
  const z = zCritical(confidence);
  const n = pairs.length;
  let sumA = 0;
  let sumB = 0;
  for (const { a, b } of pairs) {
    sumA += a;
    sumB += b;
  }
  const diffs = mapNonEmpty(pairs, (p) => p.b - p.a);
  const meanDiff = (sumB - sumA) / n;
  const clustered = pairs.some((p) => p.cluster !== undefined);
  const robust = clustered ? clusteredStandardError(diffs, clusterKeys(pairs)) : null;
  const se = clustered ? (robust?.se ?? null) : meanStandardError(diffs);
  return {
    n,
    meanA: sumA / n,
    meanB: sumB / n,
    meanDiff,
    se,
    lower: se === null ? null : Math.max(-1, meanDiff - z * se),
    upper: se === null ? null : Math.min(1, meanDiff + z * se),
    method: clustered ? "clustered" : "paired",
    clusters: robust?.clusters ?? null,
    confidence,
  };
}

/** McNemar's exact test result. */
export interface McNemarResult {
  /** Cases only A got right (A = 1, B = 0). */
  b: number;
  /** Cases only B got right (A = 0, B = 1). */
  c: number;
  /** Two-sided exact p-value: min(1, 2·P(X ≤ min(b, c))), X ~ Binomial(b + c, ½); 1 when b + c = 0. */
  pValue: number;
}

/**
 * McNemar's exact test from the discordant counts.
 * @param b cases only A got right (integer ≥ 0)
 * @param c cases only B got right (integer ≥ 0)
 */
export function mcnemarExactFromCounts(b: number, c: number): McNemarResult {
  for (const [name, count] of [
    ["b", b],
    ["c", c],
  ] as const) {
    if (!Number.isInteger(count) || count < 0)
      throw new RangeError(`${name} must be an integer ≥ 0, got ${count}`);
  }
  const discordant = b + c;
  const low = Math.min(b, c);
  // At or above the median of the symmetric binomial, 2·P(X ≤ low) ≥ 1: the p-value is exactly 1.
  const pValue = 2 * low + 1 >= discordant ? 1 : Math.min(1, 2 * binomialCdf(low, discordant, 0.5));
  return { b, c, pValue };
}

/**
 * McNemar's exact test on paired 0/1 scores (see {@link McNemarResult}).
 * @throws RangeError when a score is not exactly 0 or 1 (e.g. repeats that averaged to a fraction:
 *   use {@link pairedDifference} for those)
 */
export function mcnemarExact(pairs: NonEmpty<PairedScore>): McNemarResult {
  let b = 0;
  let c = 0;
  for (const { caseId, a, b: scoreB } of pairs) {
    if ((a !== 0 && a !== 1) || (scoreB !== 0 && scoreB !== 1)) {
      throw new RangeError(`case ${caseId}: McNemar's test needs 0/1 scores, got A=${a}, B=${scoreB}`);
    }
    if (a === 1 && scoreB === 0) b++;
    else if (a === 0 && scoreB === 1) c++;
  }
  return mcnemarExactFromCounts(b, c);
}
