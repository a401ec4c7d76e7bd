/** Distribution summaries for the benchmarks, on opbench's own statistics (type-7 quantiles). */
import { quantile } from "../../../src/stats/percentiles.ts";
import { sortSamples } from "../../../src/stats/samples.ts";

/** Percentiles of one measured quantity (ms, MB, …: the samples' unit). */
export interface Percentiles {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** min / median / max over repeated runs of one benchmark. */
export interface Spread {
  n: number;
  min: number;
  median: number;
  max: number;
}

/** Percentiles of `values`; null when there are none. */
export function percentiles(values: readonly number[]): Percentiles | null {
  if (values.length === 0) return null;
  const sorted = sortSamples(Float64Array.from(values));
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    n: sorted.length,
    min: sorted[0]!,
    p50: quantile(sorted, 0.5),
    p90: quantile(sorted, 0.9),
    p99: quantile(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
    mean: sum / sorted.length,
  };
}

/** min / median / max of repeated measurements; null when there are none. */
export function spread(values: readonly number[]): Spread | null {
  if (values.length === 0) return null;
  const sorted = sortSamples(Float64Array.from(values));
  return {
    n: sorted.length,
    min: sorted[0]!,
    median: quantile(sorted, 0.5),
    max: sorted[sorted.length - 1]!,
  };
}

/** `spread` of one field over repeated runs, skipping runs where it is null. */
export function spreadOf<T>(runs: readonly T[], pick: (run: T) => number | null | undefined): Spread | null {
  return spread(runs.map(pick).filter((v): v is number => typeof v === "number" && Number.isFinite(v)));
}
