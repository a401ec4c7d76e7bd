/**
 * Latency distributions per model: empirical CDFs of end-to-end latency and time to first token,
 * and of time per output token, read from the run log in one streaming pass. Only measured,
 * final, successful calls count (not warm-up, not an attempt that was retried). Memory stays flat
 * for any run: each model × metric keeps a seeded reservoir sample of at most `sampleCap` values
 * (exact up to that many calls), and the page gets `points` quantiles of it (p = 0, 1/(points−1),
 * …, 1; type 7 as in src/stats/percentiles.ts), so its size does not grow with the calls.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import type { CallRecord } from "../../src/core/records.ts";
import { EVENTS_FILE, readRunLog } from "../../src/core/run-log.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { quantile } from "../../src/stats/percentiles.ts";
import { hashSeed, mulberry32 } from "../../src/stats/prng.ts";
import { sortSamples } from "../../src/stats/samples.ts";
import { CHART_CONFIG, type ChartSlot } from "./chart.ts";
import { modelColorScale, modelOrder } from "./colors.ts";
import { ms } from "./format.ts";

export const DISTRIBUTION_METRICS = {
  e2e_ms: { title: "End-to-end latency", unit: "ms" },
  ttft_ms: { title: "Time to first token", unit: "ms" },
  tpot_ms: { title: "Time per output token", unit: "ms/token" },
} as const;

export type DistributionMetric = keyof typeof DISTRIBUTION_METRICS;

/** One model's quantiles of one metric. */
export interface MetricQuantiles {
  model: string;
  metric: DistributionMetric;
  /** Calls with a value (all of them, sampled or not). */
  n: number;
  /** Whether the quantiles come from a sample (more than `sampleCap` calls) rather than all calls. */
  sampled: boolean;
  /** The quantiles at p = i / (points − 1), i = 0 … points − 1, ascending. */
  values: number[];
}

export interface LatencyDistributions {
  points: number;
  sampleCap: number;
  series: MetricQuantiles[];
}

export interface DistributionOptions {
  /** Quantile points per model and metric (default 101: every percentile). */
  points?: number;
  /** Values kept per model and metric (default 10,000). */
  sampleCap?: number;
}

/** A uniform sample of at most `cap` values of a stream (Vitter's algorithm R, seeded). */
class Reservoir {
  n = 0;
  readonly values: number[] = [];
  private readonly cap: number;
  private readonly random: () => number;

  constructor(cap: number, seedText: string) {
    this.cap = cap;
    this.random = mulberry32(hashSeed(0x5eed, seedText));
  }

  add(value: number): void {
    this.n++;
    if (this.values.length < this.cap) {
      this.values.push(value);
      return;
    }
    const j = Math.floor(this.random() * this.n);
    if (j < this.cap) this.values[j] = value;
  }
}

/** Whether a record is a measured call's final success. */
function isFinalSuccess(r: CallRecord): boolean {
  return r.ok && !r.warmup && !r.will_retry;
}

const METRICS = Object.keys(DISTRIBUTION_METRICS) as DistributionMetric[];

/** Folds call records, one at a time, into per-model quantiles. */
export class DistributionCollector {
  /** Each model's reservoirs, in METRICS order (found without building a key per record). */
  private readonly byModel = new Map<string, (Reservoir | undefined)[]>();
  /** Every reservoir, in the order its first value came. */
  private readonly reservoirs: { model: string; metric: DistributionMetric; reservoir: Reservoir }[] = [];
  private readonly points: number;
  private readonly sampleCap: number;

  constructor(options: DistributionOptions = {}) {
    this.points = Math.max(2, Math.floor(options.points ?? 101));
    this.sampleCap = Math.max(1, Math.floor(options.sampleCap ?? 10_000));
  }

  add(record: CallRecord): void {
    if (!isFinalSuccess(record)) return;
    let reservoirs = this.byModel.get(record.model);
    if (!reservoirs) {
      reservoirs = [];
      this.byModel.set(record.model, reservoirs);
    }
    for (let i = 0; i < METRICS.length; i++) {
      const metric = METRICS[i] as DistributionMetric;
      const value = record[metric];
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) continue;
      let reservoir = reservoirs[i];
      if (!reservoir) {
        reservoir = new Reservoir(this.sampleCap, JSON.stringify([record.model, metric]));
        reservoirs[i] = reservoir;
        this.reservoirs.push({ model: record.model, metric, reservoir });
      }
      reservoir.add(value);
    }
  }

  result(): LatencyDistributions {
    const series: MetricQuantiles[] = [];
    for (const { model, metric, reservoir } of this.reservoirs) {
      const sorted = sortSamples(reservoir.values as [number, ...number[]]);
      const values = Array.from({ length: this.points }, (_, i) => quantile(sorted, i / (this.points - 1)));
      series.push({ model, metric, n: reservoir.n, sampled: reservoir.n > reservoir.values.length, values });
    }
    return { points: this.points, sampleCap: this.sampleCap, series };
  }
}

/** The latency distributions of the run in `runDir` (null when it has no log). */
export async function collectDistributions(
  runDir: string,
  options: DistributionOptions = {},
): Promise<LatencyDistributions | null> {
  if (!existsSync(join(runDir, EVENTS_FILE))) return null;
  const collector = new DistributionCollector(options);
  for await (const event of readRunLog(runDir)) {
    if (event.type === "call") collector.add(event);
  }
  return collector.result();
}

/** Four significant figures: enough for a chart, and the page stays small. */
const round = (value: number) => Number(value.toPrecision(4));

/** The series of `metric`, in the run's model order. */
function seriesOf(
  summary: Summary,
  data: LatencyDistributions,
  metric: DistributionMetric,
): MetricQuantiles[] {
  const order = modelOrder(summary);
  const rank = (model: string) => {
    const i = order.indexOf(model);
    return i < 0 ? order.length : i;
  };
  return data.series
    .filter((s) => s.metric === metric && s.values.length > 0)
    .sort((a, b) => rank(a.model) - rank(b.model));
}

/** Whether the values span a decade or more (and are all positive): then the axis is logarithmic. */
export function wantsLogScale(series: readonly MetricQuantiles[]): boolean {
  const all = series.flatMap((s) => s.values);
  const min = Math.min(...all);
  const max = Math.max(...all);
  return min > 0 && max / min >= 10;
}

/** The value at p (nearest quantile point). */
function at(s: MetricQuantiles, p: number): number {
  return s.values[Math.round(p * (s.values.length - 1))] as number;
}

function describeMetric(metric: DistributionMetric, series: readonly MetricQuantiles[]): string {
  const { title, unit } = DISTRIBUTION_METRICS[metric];
  const suffix = unit === "ms" ? "" : " per token";
  const items = series.map(
    (s) =>
      `${s.model}: ${s.n} call(s)${s.sampled ? " (sampled)" : ""}, median ${ms(at(s, 0.5))}${suffix}, p90 ${ms(at(s, 0.9))}${suffix}, p99 ${ms(at(s, 0.99))}${suffix}`,
  );
  return `${title}: ${items.join("; ")}.`;
}

/** One CDF panel: x the metric's value, y the share of calls at or below it, one line per model. */
function cdfPanel(summary: Summary, metric: DistributionMetric, series: readonly MetricQuantiles[]) {
  const { title, unit } = DISTRIBUTION_METRICS[metric];
  const log = wantsLogScale(series);
  const values = series.flatMap((s) =>
    s.values.map((v, i) => ({ model: s.model, p: round(i / (s.values.length - 1)), value: round(v) })),
  );
  return {
    title: { text: title, fontSize: 13 },
    width: 360,
    height: 240,
    data: { values },
    mark: { type: "line" as const, interpolate: "step-after" as const, strokeWidth: 2 },
    encoding: {
      x: {
        field: "value",
        type: "quantitative" as const,
        title: `${title} (${unit}${log ? ", log scale" : ""})`,
        scale: log ? { type: "log" as const } : { zero: true },
      },
      y: {
        field: "p",
        type: "quantitative" as const,
        title: "Share of calls at or below",
        scale: { domain: [0, 1] },
        axis: { format: "%" },
      },
      color: { field: "model", type: "nominal" as const, title: "Model", scale: modelColorScale(summary) },
      tooltip: [
        { field: "model", type: "nominal" as const, title: "Model" },
        { field: "value", type: "quantitative" as const, title: unit, format: ".4~g" },
        { field: "p", type: "quantitative" as const, title: "Share of calls", format: ".0%" },
      ],
    },
  };
}

const LATENCY_TITLE = "Latency distribution per model (CDF)";
const TPOT_TITLE = "Time per output token distribution per model (CDF)";
const SUBTITLE = "Final successful calls; further left is faster; a steep line is consistent latency";

/**
 * The distribution charts of a run: the CDFs of e2e and TTFT side by side, and the CDF of TPOT,
 * each a note when no model has a value. Empty when the log was not read (`data` undefined or null).
 */
export function distributionCharts(
  summary: Summary,
  data: LatencyDistributions | null | undefined,
): ChartSlot[] {
  if (!data) return [];
  const slots: ChartSlot[] = [];

  const latencyMetrics = (["e2e_ms", "ttft_ms"] as const).filter(
    (m) => seriesOf(summary, data, m).length > 0,
  );
  if (latencyMetrics.length === 0) {
    slots.push({
      kind: "note",
      id: "latency-cdf",
      title: LATENCY_TITLE,
      reason: "no model has a successful call with timing",
    });
  } else {
    const description = `Empirical CDFs per model. ${latencyMetrics.map((m) => describeMetric(m, seriesOf(summary, data, m))).join(" ")}`;
    const spec: TopLevelSpec = {
      title: { text: LATENCY_TITLE, subtitle: SUBTITLE },
      description,
      config: CHART_CONFIG,
      hconcat: latencyMetrics.map((m) => cdfPanel(summary, m, seriesOf(summary, data, m))),
    };
    slots.push({ kind: "chart", id: "latency-cdf", title: LATENCY_TITLE, description, spec });
  }

  const tpot = seriesOf(summary, data, "tpot_ms");
  if (tpot.length === 0) {
    slots.push({
      kind: "note",
      id: "tpot-cdf",
      title: TPOT_TITLE,
      reason: "no model has a successful call with a time per output token",
    });
  } else {
    const description = `Empirical CDF per model. ${describeMetric("tpot_ms", tpot)}`;
    const spec: TopLevelSpec = {
      ...cdfPanel(summary, "tpot_ms", tpot),
      title: { text: TPOT_TITLE, subtitle: SUBTITLE },
      description,
      config: CHART_CONFIG,
    };
    slots.push({ kind: "chart", id: "tpot-cdf", title: TPOT_TITLE, description, spec });
  }
  return slots;
}
