/**
 * Latency percentiles per model: p50/p90/p95/p99 of end-to-end latency and of time to first
 * token over all the model's tasks, each bar with its distribution-free 95% interval where the
 * run had calls enough for one.
 */
import type { TopLevelSpec } from "vega-lite";
import type { LatencySummary } from "../../src/metrics/group.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { CHART_CONFIG, type ChartSlot } from "./chart.ts";
import { modelColorScale } from "./colors.ts";
import { ms } from "./format.ts";

export const PERCENTILES = ["p50", "p90", "p95", "p99"] as const;

export const LATENCY_METRICS = {
  e2e_ms: "End-to-end latency",
  ttft_ms: "Time to first token",
} as const;

/** One bar: a percentile of one latency metric of one model, in ms. */
export interface LatencyBar {
  model: string;
  metric: (typeof LATENCY_METRICS)[keyof typeof LATENCY_METRICS];
  percentile: (typeof PERCENTILES)[number];
  ms: number;
  lower: number | null;
  upper: number | null;
}

/** The bars of the chart: every model with timed calls, e2e then TTFT, p50 to p99. */
export function latencyBars(summary: Summary): LatencyBar[] {
  return summary.by_model.flatMap((group) =>
    (Object.keys(LATENCY_METRICS) as (keyof typeof LATENCY_METRICS)[]).flatMap((key) => {
      const latency: LatencySummary | null = group.latency[key];
      if (!latency) return [];
      return PERCENTILES.map((percentile) => {
        const ci = latency.ci95[percentile];
        return {
          model: group.model,
          metric: LATENCY_METRICS[key],
          percentile,
          ms: latency[percentile],
          lower: ci ? ci[0] : null,
          upper: ci ? ci[1] : null,
        };
      });
    }),
  );
}

function describe(bars: readonly LatencyBar[]): string {
  const parts = new Map<string, string[]>();
  for (const bar of bars) {
    const key = `${bar.model}, ${bar.metric.toLowerCase()}`;
    const list = parts.get(key) ?? [];
    list.push(`${bar.percentile} ${ms(bar.ms)}`);
    parts.set(key, list);
  }
  const items = [...parts].map(([key, list]) => `${key}: ${list.join(", ")}`);
  return `Latency percentiles per model over all its tasks. ${items.join("; ")}.`;
}

/** The Vega-Lite spec of the latency chart over `bars` (non-empty). */
export function latencySpec(summary: Summary, bars: readonly LatencyBar[]): TopLevelSpec {
  const color = { field: "model", type: "nominal", title: "Model", scale: modelColorScale(summary) } as const;
  const x = {
    field: "percentile",
    type: "ordinal",
    title: "Percentile",
    sort: [...PERCENTILES],
    axis: { labelAngle: 0 },
  } as const;
  const metrics = Object.values(LATENCY_METRICS).filter((m) => bars.some((b) => b.metric === m));
  return {
    title: {
      text: "Latency percentiles per model",
      subtitle: "Lower is better; whiskers are distribution-free 95% intervals (shown where calls suffice)",
    },
    description: describe(bars),
    config: CHART_CONFIG,
    data: { values: bars.map((b) => ({ ...b })) },
    facet: {
      column: { field: "metric", type: "nominal", title: null, sort: metrics, header: { labelFontSize: 13 } },
    },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 400,
      height: 240,
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            x,
            xOffset: { field: "model", type: "nominal", scale: { domain: modelColorScale(summary).domain } },
            y: { field: "ms", type: "quantitative", title: "Latency (ms)" },
            color,
            tooltip: [
              { field: "model", title: "Model" },
              { field: "metric", title: "Metric" },
              { field: "percentile", title: "Percentile" },
              { field: "ms", title: "ms", format: ".4~g" },
              { field: "lower", title: "95% CI low (ms)", format: ".4~g" },
              { field: "upper", title: "95% CI high (ms)", format: ".4~g" },
            ],
          },
        },
        // Whiskers only where some bar has an interval (an empty layer makes Vega warn).
        ...(bars.some((b) => b.lower !== null && b.upper !== null)
          ? [
              {
                transform: [{ filter: "datum.lower != null && datum.upper != null" }],
                mark: { type: "rule" as const, color: "#333", strokeWidth: 1.5 },
                encoding: {
                  x,
                  xOffset: {
                    field: "model",
                    type: "nominal" as const,
                    scale: { domain: modelColorScale(summary).domain },
                  },
                  y: { field: "lower", type: "quantitative" as const },
                  y2: { field: "upper" },
                },
              },
            ]
          : []),
      ],
    },
  };
}

/** The latency chart of a run, or a note when no model has a timed call. */
export function latencyChart(summary: Summary): ChartSlot {
  const id = "latency";
  const title = "Latency percentiles per model";
  const bars = latencyBars(summary);
  if (bars.length === 0)
    return { kind: "note", id, title, reason: "no model has a successful call with timing" };
  return { kind: "chart", id, title, description: describe(bars), spec: latencySpec(summary, bars) };
}
