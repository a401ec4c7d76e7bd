/**
 * Did accuracy drop against the baseline, beyond the margin and beyond noise? Paired on the cases
 * both runs share (McNemar's exact test for 0/1 scores, else the paired mean difference), or
 * unpaired from the two accuracies (a two-proportion z-test) when they share none. The test is of
 * "no difference" at level α: a drop beyond the margin fails only when it is also significant;
 * otherwise the verdict is inconclusive, with the cases `opbench plan`'s arithmetic says would
 * decide it. Cases that carry weights (task `weight_field`) are compared over the calls they
 * stand for, each case one cluster of its calls (weighted-accuracy-delta.ts).
 */
import { normalQuantile, twoSidedNormalP } from "../stats/distributions.ts";
import { mcnemarExact, type PairedScore, pairedDifference } from "../stats/paired.ts";
import { casesForPairedProportions, casesForTwoProportions } from "../stats/sample-size.ts";
import { isNonEmpty } from "../stats/samples.ts";
import type { GroupCaseWeights } from "./case-scores.ts";
import {
  type AccuracySide,
  type DeltaTest,
  weightedPairedTest,
  weightedUnpairedTest,
} from "./weighted-accuracy-delta.ts";

export interface AccuracyDeltaInput {
  current: AccuracySide;
  baseline: AccuracySide;
  /** The current run's case weights and clusters, when its cases carry weights. */
  weights?: GroupCaseWeights | null | undefined;
  /** Largest drop allowed, a fraction (0.02 = 2 points). */
  margin: number;
  /** Inclusive (`<=`) or strict (`<`) margin. */
  strict: boolean;
  alpha: number;
}

export interface AccuracyDeltaResult {
  status: "pass" | "fail" | "inconclusive";
  current: number;
  baseline: number;
  /** baseline − current: positive is a drop. */
  drop: number;
  /** Interval of the drop at 1 − α. */
  interval: [number, number] | null;
  pValue: number | null;
  test: string;
  moreCasesNeeded: number | null;
  paired: boolean;
  n: number;
  /** Present when the figures are over calls: the cases compared and the calls they stand for. */
  weighted?: { cases: number; calls: number };
}

const POWER = 0.8;

export function accuracyDelta(input: AccuracyDeltaInput): AccuracyDeltaResult {
  const pairs = sharedCases(input.current.cases, input.baseline.cases);
  const weighted =
    (input.weights ?? null) !== null ||
    input.current.calls !== undefined ||
    input.baseline.calls !== undefined;
  const result =
    pairs && isNonEmpty(pairs)
      ? input.weights
        ? weightedPairedTest(pairs, input.weights, input.alpha, POWER)
        : pairedTest(pairs, input.alpha)
      : weighted
        ? weightedUnpairedTest(input.current, input.baseline, input.alpha, POWER)
        : unpairedTest(input);
  const beyond = input.strict ? result.drop >= input.margin : result.drop > input.margin;
  const significant = result.pValue !== null && result.pValue < input.alpha;
  const status = !beyond ? "pass" : significant ? "fail" : "inconclusive";
  return {
    ...result,
    status,
    moreCasesNeeded: status === "inconclusive" ? result.moreCases() : null,
  };
}

/** Cases both runs scored, as pairs (a = baseline, b = current); null when either side's cases are unknown. */
function sharedCases(
  current: Map<string, number> | null,
  baseline: Map<string, number> | null,
): PairedScore[] | null {
  if (!current || !baseline) return null;
  const pairs: PairedScore[] = [];
  for (const [caseId, a] of baseline) {
    const b = current.get(caseId);
    if (b !== undefined) pairs.push({ caseId, a, b });
  }
  return pairs;
}

type TestResult = DeltaTest;

function pairedTest(pairs: readonly [PairedScore, ...PairedScore[]], alpha: number): TestResult {
  const difference = pairedDifference(pairs, 1 - alpha);
  const drop = -difference.meanDiff;
  const interval: [number, number] | null =
    difference.lower === null || difference.upper === null ? null : [-difference.upper, -difference.lower];
  const binary = pairs.every(({ a, b }) => (a === 0 || a === 1) && (b === 0 || b === 1));
  const n = pairs.length;
  let pValue: number | null;
  let test: string;
  let discordance: number;
  if (binary) {
    const mcnemar = mcnemarExact(pairs);
    pValue = mcnemar.pValue;
    discordance = (mcnemar.b + mcnemar.c) / n;
    test = `McNemar exact, paired on ${n} shared cases (${mcnemar.b} only the baseline got right, ${mcnemar.c} only this run)`;
  } else {
    pValue = difference.se
      ? twoSidedNormalP(difference.meanDiff / difference.se)
      : difference.meanDiff === 0
        ? 1
        : null;
    discordance = pairs.reduce((sum, { a, b }) => sum + Math.abs(a - b), 0) / n;
    test = `paired mean difference (z), on ${n} shared cases`;
  }
  return {
    current: difference.meanB,
    baseline: difference.meanA,
    drop,
    interval,
    pValue,
    test,
    paired: true,
    n,
    moreCases: () => {
      try {
        const psi = Math.min(1, Math.max(discordance, Math.abs(drop)));
        return Math.max(1, casesForPairedProportions(psi, Math.abs(drop), { alpha, power: POWER }) - n);
      } catch {
        return null;
      }
    },
  };
}

function unpairedTest({ current, baseline, alpha }: AccuracyDeltaInput): TestResult {
  const drop = baseline.mean - current.mean;
  const n = Math.min(current.n, baseline.n);
  let pValue: number | null = null;
  let interval: [number, number] | null = null;
  if (current.n > 0 && baseline.n > 0) {
    const pooled = (baseline.mean * baseline.n + current.mean * current.n) / (baseline.n + current.n);
    const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / baseline.n + 1 / current.n));
    pValue = sePooled > 0 ? twoSidedNormalP(drop / sePooled) : drop === 0 ? 1 : 0;
    const se = Math.sqrt(
      (baseline.mean * (1 - baseline.mean)) / baseline.n + (current.mean * (1 - current.mean)) / current.n,
    );
    const z = normalQuantile(1 - alpha / 2);
    interval = [Math.max(-1, drop - z * se), Math.min(1, drop + z * se)];
  }
  return {
    current: current.mean,
    baseline: baseline.mean,
    drop,
    interval,
    pValue,
    test: `two-proportion z-test, unpaired (${current.n} cases vs the baseline's ${baseline.n})`,
    paired: false,
    n,
    moreCases: () => {
      try {
        return Math.max(
          1,
          casesForTwoProportions(baseline.mean, -Math.abs(drop), { alpha, power: POWER }) - n,
        );
      } catch {
        return null;
      }
    },
  };
}
