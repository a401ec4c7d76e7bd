/**
 * "Accuracy retained" = mean candidate score ÷ mean baseline score on the same cases, with a
 * confidence interval for that ratio of *paired* means.
 *
 * With per-case scores cᵢ (candidate) and bᵢ (baseline), means c̄, b̄ and the (co)variances of
 * the means v_cc = Var(c̄), v_bb = Var(b̄), v_cb = Cov(c̄, b̄) (pairing makes v_cb > 0 when the
 * models find the same cases hard, which narrows the interval):
 *
 * - **Fieller** (primary): the set of R for which c̄ − R·b̄ is not significantly different from 0,
 *   i.e. (c̄ − R b̄)² ≤ z²·(v_cc − 2R v_cb + R² v_bb). Solving the quadratic
 *   a R² − 2 b R + c ≤ 0 with a = b̄² − z² v_bb, b = c̄ b̄ − z² v_cb, c = c̄² − z² v_cc gives
 *   [(b − √(b² − ac))/a, (b + √(b² − ac))/a] when a > 0. When a ≤ 0 the baseline's mean is not
 *   distinguishable from 0 and the interval is unbounded: reported as null, never invented.
 *   Fieller's interval is asymmetric and keeps its coverage where the delta method's doesn't
 *   (small b̄ / b̄'s SE).
 * - **Delta method** (also reported): SE(R̂) = SE of the mean of the linearised residuals
 *   dᵢ = cᵢ − R̂ bᵢ, divided by b̄; interval R̂ ± z·SE.
 *
 * Variances use `src/stats`: s²/n for independent cases, or the cluster-robust CR1 estimator
 * when cases carry cluster keys (v_cb from Var(c̄ + b̄) = v_cc + v_bb + 2 v_cb).
 */

import { zCritical } from "../stats/critical.ts";
import type { PairedScore } from "../stats/paired.ts";
import { isNonEmpty, type NonEmpty } from "../stats/samples.ts";
import { clusteredStandardError, clusterKeys, meanStandardError } from "../stats/standard-error.ts";

/** A ratio of paired means with its intervals; a flat JSON-friendly record. */
export interface PairedRatio {
  /** Paired cases. */
  n: number;
  /** Mean of the numerator (candidate, `b` in a PairedScore) and of the denominator (baseline, `a`). */
  mean_numerator: number;
  mean_denominator: number;
  /** mean_numerator / mean_denominator; null when the denominator's mean is 0. */
  ratio: number | null;
  /** Fieller interval; null ends when it is unbounded or can't be computed. */
  fieller_lower: number | null;
  fieller_upper: number | null;
  /** Delta-method interval R̂ ± z·SE; null when it can't be computed. */
  delta_lower: number | null;
  delta_upper: number | null;
  delta_se: number | null;
  /** "paired" (i.i.d. cases) or "clustered" (CR1). */
  variance: "paired" | "clustered";
  confidence: number;
  /** Why an interval is missing, if it is. */
  note: string | null;
}

/** Variance of the mean of `values` (s²/n, or CR1 with clusters); null when not estimable. */
function varianceOfMean(values: NonEmpty<number>, keys: string[] | null): number | null {
  if (keys === null) {
    const se = meanStandardError(values);
    return se === null ? null : se * se;
  }
  const robust = clusteredStandardError(values, keys);
  return robust === null ? null : robust.se * robust.se;
}

/**
 * Ratio of paired means, numerator `b` over denominator `a` of each {@link PairedScore} (so with
 * pairs built as `pairCaseScores(baseline, candidate)` it is candidate ÷ baseline).
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function pairedRatio(pairs: NonEmpty<PairedScore>, confidence = 0.95): PairedRatio {
  const z = zCritical(confidence);
  const n = pairs.length;
  const num = pairs.map((p) => p.b) as unknown as NonEmpty<number>;
  const den = pairs.map((p) => p.a) as unknown as NonEmpty<number>;
  const meanNum = num.reduce((s, v) => s + v, 0) / n;
  const meanDen = den.reduce((s, v) => s + v, 0) / n;
  const clustered = pairs.some((p) => p.cluster !== undefined);
  const keys = clustered ? clusterKeys(pairs) : null;
  const base = {
    n,
    mean_numerator: meanNum,
    mean_denominator: meanDen,
    variance: clustered ? ("clustered" as const) : ("paired" as const),
    confidence,
  };
  const empty = {
    fieller_lower: null,
    fieller_upper: null,
    delta_lower: null,
    delta_upper: null,
    delta_se: null,
  };
  if (meanDen === 0) {
    return { ...base, ratio: null, ...empty, note: "the baseline scored 0 on every paired case: no ratio" };
  }
  const ratio = meanNum / meanDen;

  const vNum = varianceOfMean(num, keys);
  const vDen = varianceOfMean(den, keys);
  const sums = pairs.map((p) => p.a + p.b);
  const vSum = isNonEmpty(sums) ? varianceOfMean(sums, keys) : null;
  if (vNum === null || vDen === null || vSum === null) {
    const why = clustered ? "fewer than 2 clusters" : "a single case";
    return { ...base, ratio, ...empty, note: `no interval from ${why}` };
  }
  const cov = (vSum - vNum - vDen) / 2;

  // Delta method on the linearised residuals.
  const residuals = pairs.map((p) => p.b - ratio * p.a) as unknown as NonEmpty<number>;
  const vResidual = varianceOfMean(residuals, keys);
  const deltaSe = vResidual === null ? null : Math.sqrt(vResidual) / Math.abs(meanDen);

  // Fieller.
  const a = meanDen * meanDen - z * z * vDen;
  const b = meanNum * meanDen - z * z * cov;
  const c = meanNum * meanNum - z * z * vNum;
  const discriminant = b * b - a * c;
  let fieller: [number, number] | null = null;
  let note: string | null = null;
  if (a > 0 && discriminant >= 0) {
    const root = Math.sqrt(discriminant);
    fieller = [(b - root) / a, (b + root) / a];
  } else {
    note = "Fieller interval unbounded: the baseline's mean is not distinguishable from 0 at this confidence";
  }
  return {
    ...base,
    ratio,
    fieller_lower: fieller?.[0] ?? null,
    fieller_upper: fieller?.[1] ?? null,
    delta_lower: deltaSe === null ? null : ratio - z * deltaSe,
    delta_upper: deltaSe === null ? null : ratio + z * deltaSe,
    delta_se: deltaSe,
    note,
  };
}
