/**
 * The accuracy-drop tests of accuracy-delta.ts for cases that carry weights (task
 * `weight_field`: a case stands for w identical logged calls). The figures count calls, as the
 * summary's accuracy does; the tests keep the case as the sampling unit — one cluster of its w
 * calls, never w independent draws — so McNemar's test (independent pairs) is left out:
 * paired, the cluster-robust difference over calls (z); unpaired, the two accuracies with their
 * cluster-robust standard errors from the summaries (z).
 */
import { normalQuantile, twoSidedNormalP } from "../stats/distributions.ts";
import type { PairedScore } from "../stats/paired.ts";
import type { NonEmpty } from "../stats/samples.ts";
import { weightedPairedDifference } from "../stats/weighted-paired.ts";
import type { GroupCaseWeights } from "./case-scores.ts";

/** One side of a comparison: its accuracy, and its per-case scores when known. */
export interface AccuracySide {
  mean: number;
  /** Cases. */
  n: number;
  /** Case id → score, when the per-case scores are known (from a log or a saved baseline). */
  cases: Map<string, number> | null;
  /** The accuracy's standard error (the summary's: cluster-robust when weighted). */
  se?: number | null | undefined;
  /** Present when the accuracy is over calls: the calls its cases stand for. */
  calls?: number | undefined;
}

/** A test's figures (drop = baseline − current) and how many more cases would decide it. */
export interface DeltaTest {
  current: number;
  baseline: number;
  drop: number;
  interval: [number, number] | null;
  pValue: number | null;
  test: string;
  paired: boolean;
  n: number;
  weighted?: { cases: number; calls: number };
  moreCases(): number | null;
}

/**
 * Cases more for a z-test to detect `drop` at α with `power`, from the standard error `se` seen
 * on `n` cases (it shrinks as 1/√cases): n·((z₁₋α/₂ + z_power)·se/drop)² − n, at least 1.
 */
function casesMore(n: number, se: number | null, drop: number, alpha: number, power: number): number | null {
  if (se === null || !(se > 0) || drop === 0) return null;
  const factor = (((normalQuantile(1 - alpha / 2) + normalQuantile(power)) * se) / Math.abs(drop)) ** 2;
  return Math.max(1, Math.ceil(n * factor) - n);
}

const flip = (interval: [number, number] | null): [number, number] | null =>
  interval ? [-interval[1], -interval[0]] : null;

/** The paired test over calls on the shared cases (a = baseline, b = current). */
export function weightedPairedTest(
  pairs: NonEmpty<PairedScore>,
  weights: GroupCaseWeights,
  alpha: number,
  power: number,
): DeltaTest {
  const [first, ...rest] = pairs;
  const weigh = ({ caseId, a, b }: PairedScore) => ({
    caseId,
    a,
    b,
    weight: weights.weights.get(caseId) ?? 1,
    cluster: weights.clusters.get(caseId),
  });
  const d = weightedPairedDifference([weigh(first), ...rest.map(weigh)], 1 - alpha);
  const drop = -d.meanDiff;
  const named = weights.clusters.size > 0;
  const how =
    d.se !== null && d.se === 0 && d.meanDiff !== 0
      ? `exact sign test over its ${d.clusters} ${named ? "clusters" : "cases"}, each one draw`
      : `cluster-robust z, each ${named ? "cluster" : "case"} one draw`;
  return {
    current: d.meanB,
    baseline: d.meanA,
    drop,
    interval: d.lower === null || d.upper === null ? null : flip([d.lower, d.upper]),
    pValue: d.pValue,
    test: `weighted paired difference (${how}; no McNemar), over the ${d.calls} logged calls its ${d.n} shared cases stand for`,
    paired: true,
    n: d.n,
    weighted: { cases: d.n, calls: d.calls },
    moreCases: () => casesMore(d.n, d.se, drop, alpha, power),
  };
}

const sideWords = (side: AccuracySide) =>
  side.calls === undefined ? `${side.n} cases` : `${side.n} cases standing for ${side.calls} logged calls`;

/** The unpaired test from the two summaries' accuracies and their (cluster-robust) standard errors. */
export function weightedUnpairedTest(
  current: AccuracySide,
  baseline: AccuracySide,
  alpha: number,
  power: number,
): DeltaTest {
  const drop = baseline.mean - current.mean;
  const n = Math.min(current.n, baseline.n);
  const known = (current.se ?? null) !== null && (baseline.se ?? null) !== null;
  const se = known ? Math.sqrt(current.se! ** 2 + baseline.se! ** 2) : null;
  let pValue: number | null;
  if (drop === 0) pValue = 1;
  else if (se === null) pValue = null;
  else if (se > 0) pValue = twoSidedNormalP(drop / se);
  else {
    // Every case scored the same on each side (SE 0, certainty it does not have): the
    // two-proportion test over the cases, each one draw.
    const pooled = (baseline.mean * baseline.n + current.mean * current.n) / (baseline.n + current.n);
    const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.n + 1 / current.n));
    pValue = sePooled > 0 ? twoSidedNormalP(drop / sePooled) : null;
  }
  const z = normalQuantile(1 - alpha / 2);
  return {
    current: current.mean,
    baseline: baseline.mean,
    drop,
    interval: se === null ? null : [Math.max(-1, drop - z * se), Math.min(1, drop + z * se)],
    pValue,
    test: `z-test on the two weighted accuracies with their cluster-robust SEs, unpaired (${sideWords(current)} vs the baseline's ${sideWords(baseline)})`,
    paired: false,
    n,
    weighted: { cases: current.n, calls: current.calls ?? current.n },
    moreCases: () => casesMore(n, se, drop, alpha, power),
  };
}
