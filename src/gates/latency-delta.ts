/**
 * Did a latency percentile rise against the baseline beyond the margin, beyond noise? With the
 * distribution-free 95% intervals summary.json already holds for p50–p99: the rise fails when
 * this run's lower bound is above the baseline's upper bound × (1 + margin) — the intervals
 * separate, a conservative test. A rise beyond the margin whose intervals overlap is
 * inconclusive, with roughly how many more calls would separate them (intervals narrow as 1/√n).
 * Mean, min and max have no interval in the summary: their rise is compared as measured.
 */
import type { LatencySummary } from "../metrics/group.ts";
import { minSamplesForQuantileInterval } from "../stats/quantile-ci.ts";

export interface RiseResult {
  status: "pass" | "fail" | "inconclusive" | "unknown";
  current: number | null;
  baseline: number | null;
  /** current ÷ baseline − 1. */
  rise: number | null;
  test: string;
  moreCasesNeeded: number | null;
}

const QUANTILES: Record<string, number> = { p50: 0.5, p90: 0.9, p95: 0.95, p99: 0.99 };

export function latencyRise(
  current: LatencySummary | null,
  baseline: LatencySummary | null,
  stat: string,
  margin: number,
  strict: boolean,
): RiseResult {
  const cur = current ? (current[stat as keyof LatencySummary] as number | null) : null;
  const base = baseline ? (baseline[stat as keyof LatencySummary] as number | null) : null;
  if (cur === null || base === null || cur === undefined || base === undefined) {
    const missing = cur === null || cur === undefined ? "this run has" : "the baseline has";
    return {
      status: "unknown",
      current: cur ?? null,
      baseline: base ?? null,
      rise: null,
      test: `${missing} no ${stat}`,
      moreCasesNeeded: null,
    };
  }
  const rise = base > 0 ? cur / base - 1 : cur > 0 ? Number.POSITIVE_INFINITY : 0;
  const beyond = strict ? rise >= margin : rise > margin;
  const q = QUANTILES[stat];
  if (q === undefined) {
    return {
      status: beyond ? "fail" : "pass",
      current: cur,
      baseline: base,
      rise,
      test: `${stat} compared as measured (the summary holds no interval for it)`,
      moreCasesNeeded: null,
    };
  }
  const curCi = current!.ci95[stat as keyof LatencySummary["ci95"]];
  const baseCi = baseline!.ci95[stat as keyof LatencySummary["ci95"]];
  const limit = (value: number) => value * (1 + margin);
  if (!beyond) {
    return {
      status: "pass",
      current: cur,
      baseline: base,
      rise,
      test: "within the margin as measured",
      moreCasesNeeded: null,
    };
  }
  if (!curCi || !baseCi) {
    const need = minSamplesForQuantileInterval(q);
    const have = Math.min(current!.n, baseline!.n);
    return {
      status: "inconclusive",
      current: cur,
      baseline: base,
      rise,
      test: `95% order-statistic intervals: too few calls for a ${stat} interval (${have}; needs ${need})`,
      moreCasesNeeded: Math.max(1, need - have),
    };
  }
  const separated = curCi[0] > limit(baseCi[1]);
  const test = `95% order-statistic intervals of ${stat}: this run [${fmt(curCi[0])}–${fmt(curCi[1])}] ms vs baseline [${fmt(baseCi[0])}–${fmt(baseCi[1])}] ms`;
  if (separated)
    return {
      status: "fail",
      current: cur,
      baseline: base,
      rise,
      test: `${test}, separated`,
      moreCasesNeeded: null,
    };
  // Half-widths shrink as 1/√n: the factor k by which they must shrink for the intervals to part.
  const gap = cur - limit(base);
  const spread = cur - curCi[0] + limit(baseCi[1]) - limit(base);
  const k = spread > 0 ? gap / spread : 0;
  const n = Math.min(current!.n, baseline!.n);
  const more = k > 0 ? Math.max(1, Math.ceil(n / (k * k) - n)) : null;
  return {
    status: "inconclusive",
    current: cur,
    baseline: base,
    rise,
    test: `${test}, overlapping`,
    moreCasesNeeded: more,
  };
}

/** A rise of a figure without an interval (cost): compared as measured. */
export function pointRise(
  current: number | null,
  baseline: number | null,
  margin: number,
  strict: boolean,
  what: string,
): RiseResult {
  if (current === null || baseline === null) {
    const missing = current === null ? "this run's" : "the baseline's";
    return {
      status: "unknown",
      current,
      baseline,
      rise: null,
      test: `${missing} ${what} is unknown`,
      moreCasesNeeded: null,
    };
  }
  const rise = baseline > 0 ? current / baseline - 1 : current > 0 ? Number.POSITIVE_INFINITY : 0;
  const beyond = strict ? rise >= margin : rise > margin;
  return {
    status: beyond ? "fail" : "pass",
    current,
    baseline,
    rise,
    test: `${what} compared as measured (no sampling interval in the summary)`,
    moreCasesNeeded: null,
  };
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
}
