/**
 * Accuracy of scores in [0, 1] with a confidence interval. The unit of analysis is the case:
 * repeats of a case are averaged first ({@link averageRepeats}), so K repeats never pretend to
 * be K independent cases.
 *
 * Interval, in order of precedence:
 * - "clustered": any case carries a cluster key → mean ± z·SE_CR1 (cases without a key are
 *   clusters of their own); null interval when there are fewer than 2 clusters. When every
 *   score is 0 (or every one is 1) SE_CR1 is 0, and the interval is Wilson's over the clusters,
 *   each one draw, instead of a point.
 * - "wilson": every case score is 0 or 1 and {@link prefersWilson} (n < 30, or fewer than 5
 *   correct, or fewer than 5 wrong) → Wilson score interval.
 * - "wald": 0/1 scores otherwise → p̂ ± z·√(p̂(1−p̂)/n).
 * - "mean-se": scores strictly between 0 and 1 (partial credit, or repeats that disagree) →
 *   mean ± z·s/√n; null interval for n = 1.
 * z = Φ⁻¹(1 − α/2) (1.96 at 95 %). Intervals are clamped to [0, 1].
 */
import { zCritical } from "./critical.ts";
import { prefersWilson, waldInterval, wilsonInterval } from "./proportion.ts";
import type { NonEmpty } from "./samples.ts";
import { mapNonEmpty } from "./samples.ts";
import { clusteredStandardError, clusterKeys } from "./standard-error.ts";

/** One scored call: a case's score in one repeat. */
export interface ScoreObservation {
  caseId: string;
  /** Score in [0, 1]; leave unscorable calls out rather than passing 0. */
  score: number;
  /** Cluster key for clustered standard errors, when the task defines one. */
  cluster?: string | undefined;
}

/** A case's score averaged over its repeats. */
export interface CaseScore {
  caseId: string;
  /** Mean score over the repeats, in [0, 1]. */
  score: number;
  /** Number of repeats averaged (≥ 1). */
  repeats: number;
  cluster?: string | undefined;
}

/**
 * Averages repeats per case, in first-seen case order.
 * @throws RangeError on a score outside [0, 1] or a case whose repeats disagree on its cluster
 */
export function averageRepeats(observations: readonly ScoreObservation[]): CaseScore[] {
  const byCase = new Map<string, { sum: number; repeats: number; cluster: string | undefined }>();
  for (const { caseId, score, cluster } of observations) {
    if (!(score >= 0 && score <= 1))
      throw new RangeError(`case ${caseId}: score must be in [0, 1], got ${score}`);
    const entry = byCase.get(caseId);
    if (entry === undefined) {
      byCase.set(caseId, { sum: score, repeats: 1, cluster });
      continue;
    }
    if (entry.cluster !== cluster) {
      throw new RangeError(
        `case ${caseId}: repeats disagree on the cluster (${entry.cluster} vs ${cluster})`,
      );
    }
    entry.sum += score;
    entry.repeats++;
  }
  return [...byCase].map(([caseId, { sum, repeats, cluster }]) => ({
    caseId,
    score: sum / repeats,
    repeats,
    ...(cluster === undefined ? {} : { cluster }),
  }));
}

/** How an accuracy interval was computed (see the module comment). */
export type AccuracyMethod = "wilson" | "wald" | "mean-se" | "clustered";

/** Accuracy over cases, as a flat record; proportions in [0, 1]. */
export interface AccuracyEstimate {
  /** Number of cases. */
  n: number;
  /** Mean case score. */
  mean: number;
  /** Standard error of the mean (√(p̂(1−p̂)/n) for 0/1 scores); null when it can't be estimated. */
  se: number | null;
  /** Interval ends; null when the data can't support an interval. */
  lower: number | null;
  upper: number | null;
  method: AccuracyMethod;
  /** Whether every case score is exactly 0 or 1. */
  binary: boolean;
  /** Number of clusters, for the clustered method; else null. */
  clusters: number | null;
  confidence: number;
  /**
   * Present when cases carry weights (`weight_field`): the calls they stand for. `mean` is then
   * over calls (a case of weight w counts w times), `n` still counts cases, and the interval is
   * clustered with each case a cluster of its calls.
   */
  calls?: number;
}

/**
 * Mean case score with its standard error and confidence interval (see the module comment).
 * @param cases one score per case, repeats already averaged
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function estimateAccuracy(cases: NonEmpty<CaseScore>, confidence = 0.95): AccuracyEstimate {
  for (const c of cases) {
    if (!(c.score >= 0 && c.score <= 1)) {
      throw new RangeError(`case ${c.caseId}: score must be in [0, 1], got ${c.score}`);
    }
  }
  const scores = mapNonEmpty(cases, (c) => c.score);
  if (!cases.some((c) => c.cluster !== undefined)) return estimateScoresAccuracy(scores, confidence);
  const n = cases.length;
  const mean = scores.reduce((sum, s) => sum + s, 0) / n;
  const binary = scores.every((s) => s === 0 || s === 1);
  const robust = clusteredStandardError(scores, clusterKeys(cases));
  const se = robust?.se ?? null;
  return {
    n,
    mean,
    binary,
    confidence,
    se,
    ...clusteredInterval(mean, se, robust?.clusters ?? null, confidence),
    method: "clustered",
    clusters: robust?.clusters ?? null,
  };
}

/**
 * mean ± z·SE; when every score was 0 or every one 1 (SE 0, a point that claims certainty), the
 * Wilson interval with each cluster one draw.
 */
function clusteredInterval(
  mean: number,
  se: number | null,
  clusters: number | null,
  confidence: number,
): { lower: number | null; upper: number | null } {
  if (se === 0 && clusters !== null && (mean === 0 || mean === 1))
    return wilsonInterval(mean * clusters, clusters, confidence);
  return clampedInterval(mean, se, zCritical(confidence));
}

function clampedInterval(
  mean: number,
  se: number | null,
  z: number,
): { lower: number | null; upper: number | null } {
  return se === null
    ? { lower: null, upper: null }
    : { lower: Math.max(0, mean - z * se), upper: Math.min(1, mean + z * se) };
}

/**
 * What an accuracy estimate needs, accumulated in one pass: case count, score sum and sum of
 * squares, how many scores are neither 0 nor 1, and — for clustered errors — each named
 * cluster's case count and score sum, and the moments of the cases without a cluster.
 */
export interface ScoreMoments {
  /** Cases; with weights, calls (Σw). */
  n: number;
  /** Σy (with weights Σwy). */
  sum: number;
  /** Σy² (with weights Σwy²). */
  sumSquares: number;
  nonBinary: number;
  /** Per named cluster: its cases (with weights, Σw) and their score sum (Σwy). */
  clusters: ReadonlyMap<string, { n: number; sum: number }>;
  /** Cases without a cluster: their count, Σy and Σy² (with weights Σw²y, Σw²y², and Σw² in `weightSquares`). */
  single: { n: number; sum: number; sumSquares: number; weightSquares?: number };
  /**
   * Present when cases carry weights (a case of weight w stands for w calls with its score, e.g.
   * a replayed request's exact duplicates): the number of cases, while `n` counts calls.
   */
  cases?: number | undefined;
}

/**
 * {@link estimateAccuracy} from moments (see {@link ScoreMoments}): the same methods and
 * formulas, with memory independent of the number of cases. Clustered when any case has a key
 * (cases without one are clusters of their own): Σ_g S_g² with S_g = Σ_{i∈g} (yᵢ − ȳ) = sum_g − n_g·ȳ.
 */
export function estimateFromMoments(m: ScoreMoments, confidence = 0.95): AccuracyEstimate {
  const { n } = m;
  if (n <= 0) throw new RangeError("accuracy needs at least one case");
  const mean = m.sum / n;
  const binary = m.nonBinary === 0;
  const base = { n, mean, binary, confidence };
  if (m.cases !== undefined) {
    // Weighted: the mean over calls, the case the sampling unit (a cluster of its w calls).
    Object.assign(base, { n: m.cases, calls: n });
  }
  if (m.clusters.size > 0 || m.cases !== undefined) {
    const groups = m.clusters.size + m.single.n;
    let squares = 0;
    for (const { n: size, sum } of m.clusters.values()) squares += (sum - size * mean) ** 2;
    // Singletons: Σ (yᵢ − ȳ)² = Σy² − 2ȳΣy + kȳ² (weighted: Σ wᵢ²(yᵢ − ȳ)², k = Σw²).
    squares +=
      m.single.sumSquares - 2 * mean * m.single.sum + (m.single.weightSquares ?? m.single.n) * mean * mean;
    const se = groups < 2 ? null : Math.sqrt(((groups / (groups - 1)) * Math.max(0, squares)) / (n * n));
    return {
      ...base,
      se,
      ...clusteredInterval(mean, se, groups < 2 ? null : groups, confidence),
      method: "clustered",
      clusters: groups < 2 ? null : groups,
    };
  }
  if (binary) {
    const se = Math.sqrt((mean * (1 - mean)) / n);
    const k = Math.round(m.sum);
    const method = prefersWilson(k, n) ? "wilson" : "wald";
    const interval = method === "wilson" ? wilsonInterval(k, n, confidence) : waldInterval(k, n, confidence);
    return { ...base, se, ...interval, method, clusters: null };
  }
  const se = n < 2 ? null : Math.sqrt(Math.max(0, m.sumSquares - (m.sum * m.sum) / n) / (n - 1) / n);
  return {
    ...base,
    se,
    ...clampedInterval(mean, se, zCritical(confidence)),
    method: "mean-se",
    clusters: null,
  };
}

/**
 * {@link estimateAccuracy} for cases without cluster keys, from the case scores alone (a typed
 * array will do: a million cases need no million objects).
 * @param scores one score in [0, 1] per case (repeats averaged), at least one
 */
export function estimateScoresAccuracy(scores: ArrayLike<number>, confidence = 0.95): AccuracyEstimate {
  const moments = {
    n: scores.length,
    sum: 0,
    sumSquares: 0,
    nonBinary: 0,
    clusters: new Map(),
    single: { n: 0, sum: 0, sumSquares: 0 },
  };
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (!(s >= 0 && s <= 1)) throw new RangeError(`case score ${i} must be in [0, 1], got ${s}`);
    moments.sum += s;
    moments.sumSquares += s * s;
    if (s !== 0 && s !== 1) moments.nonBinary++;
  }
  return estimateFromMoments(moments, confidence);
}
