/**
 * The load report's charts, pure functions of load.json: throughput vs latency (one point per
 * step, labelled with its concurrency or rate; p50 and p95 of end-to-end latency and of time to
 * first token, both from the intended send time), and goodput against the SLO per step. The step
 * the summary names as the highest throughput meeting the SLO is marked; none is invented.
 */
import type { TopLevelSpec } from "vega-lite";
import type { LoadStepSummary } from "../../src/load/step-summary.ts";
import type { LoadSummary } from "../../src/load/summary.ts";
import type { LatencySummary } from "../../src/metrics/group.ts";
import { CHART_CONFIG, type ChartSlot } from "./chart.ts";
import { OKABE_ITO } from "./colors.ts";
import { ms, percent } from "./format.ts";

/** A step's load level as a short label: `c=8` (concurrency) or `r=2.5/s` (rate); `step 3` else. */
export function stepLevel(step: Pick<LoadStepSummary, "step" | "concurrency" | "rate_per_s">): string {
  if (step.concurrency !== null) return `c=${step.concurrency}`;
  if (step.rate_per_s !== null) return `r=${Number(step.rate_per_s.toPrecision(3))}/s`;
  return `step ${step.step}`;
}

/** Whether the sweep had an SLO (any objective set). */
export function hasSlo(load: LoadSummary): boolean {
  return Object.values(load.slo).some((limit) => limit !== undefined);
}

/** The throughput axis: output tokens/s when every step with calls has it, else requests/s. */
export function throughputAxis(load: LoadSummary): "output_tokens_per_s" | "requests_per_s" {
  const measured = load.steps.filter((s) => s.requests_per_s !== null);
  return measured.length > 0 &&
    measured.every((s) => s.output_tokens_per_s !== null && s.output_tokens_per_s > 0)
    ? "output_tokens_per_s"
    : "requests_per_s";
}

const AXIS_TITLES = {
  output_tokens_per_s: "Output tokens/s",
  requests_per_s: "Requests/s",
} as const;

export const LOAD_LATENCY_METRICS = {
  e2e_corrected_ms: "End-to-end latency",
  ttft_corrected_ms: "Time to first token",
} as const;

export const LOAD_PERCENTILES = ["p50", "p95"] as const;

/** One point of the throughput-vs-latency chart. */
export interface LoadLatencyPoint {
  step: number;
  level: string;
  throughput: number;
  metric: (typeof LOAD_LATENCY_METRICS)[keyof typeof LOAD_LATENCY_METRICS];
  percentile: (typeof LOAD_PERCENTILES)[number];
  ms: number;
  /** The step the summary names as the highest throughput meeting the SLO. */
  knee: boolean;
}

/** The points: each step with a throughput, × e2e and TTFT, × p50 and p95 (where measured). */
export function loadLatencyPoints(load: LoadSummary): LoadLatencyPoint[] {
  const axis = throughputAxis(load);
  const knee = load.max_goodput_throughput?.step ?? null;
  return load.steps.flatMap((step) => {
    const throughput = step[axis];
    if (throughput === null) return [];
    return (Object.keys(LOAD_LATENCY_METRICS) as (keyof typeof LOAD_LATENCY_METRICS)[]).flatMap((key) => {
      const latency: LatencySummary | null = step[key];
      if (!latency) return [];
      return LOAD_PERCENTILES.map((percentile) => ({
        step: step.step,
        level: stepLevel(step),
        throughput,
        metric: LOAD_LATENCY_METRICS[key],
        percentile,
        ms: latency[percentile],
        knee: step.step === knee,
      }));
    });
  });
}

function describeLatency(load: LoadSummary, points: readonly LoadLatencyPoint[]): string {
  const axis = AXIS_TITLES[throughputAxis(load)].toLowerCase();
  const steps = new Map<number, string[]>();
  for (const p of points) {
    const list = steps.get(p.step) ?? [`${p.level}: ${Number(p.throughput.toPrecision(4))} ${axis}`];
    list.push(`${p.metric.toLowerCase()} ${p.percentile} ${ms(p.ms)}`);
    steps.set(p.step, list);
  }
  const knee = load.max_goodput_throughput;
  const kneeText = knee
    ? ` The highest throughput meeting the SLO is step ${knee.step}.`
    : hasSlo(load)
      ? " No step met the SLO."
      : "";
  return `Throughput against latency, one point per load step. ${[...steps.values()].map((l) => l.join(", ")).join("; ")}.${kneeText}`;
}

/** The Vega-Lite spec of throughput vs latency over `points` (non-empty). */
export function loadLatencySpec(load: LoadSummary, points: readonly LoadLatencyPoint[]): TopLevelSpec {
  const axis = throughputAxis(load);
  const x = { field: "throughput", type: "quantitative", title: AXIS_TITLES[axis] } as const;
  const y = { field: "ms", type: "quantitative", title: "Latency (ms, from intended send)" } as const;
  const color = {
    field: "percentile",
    type: "nominal",
    title: "Percentile",
    scale: { domain: [...LOAD_PERCENTILES], range: [OKABE_ITO[0], OKABE_ITO[1]] },
  } as const;
  const metrics = Object.values(LOAD_LATENCY_METRICS).filter((m) => points.some((p) => p.metric === m));
  const tooltip = [
    { field: "level", title: "Level" },
    { field: "step", title: "Step" },
    { field: "throughput", title: AXIS_TITLES[axis], format: ".4~g" },
    { field: "metric", title: "Metric" },
    { field: "percentile", title: "Percentile" },
    { field: "ms", title: "ms", format: ".4~g" },
  ];
  const knee = points.some((p) => p.knee);
  return {
    title: {
      text: "Throughput vs latency per step",
      subtitle: `Points labelled with each step's ${load.mode === "rate" ? "target rate" : "concurrency"}${knee ? "; the dashed line marks the highest throughput meeting the SLO" : ""}`,
    },
    description: describeLatency(load, points),
    config: CHART_CONFIG,
    data: { values: points.map((p) => ({ ...p })) },
    facet: {
      column: { field: "metric", type: "nominal", title: null, sort: metrics, header: { labelFontSize: 13 } },
    },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: 400,
      height: 260,
      layer: [
        {
          mark: { type: "line", point: true },
          encoding: { x, y, color, order: { field: "step", type: "quantitative" }, tooltip },
        },
        {
          transform: [{ filter: "datum.percentile === 'p95'" }],
          mark: { type: "text", dy: -10, fontSize: 11, color: "#333" },
          encoding: { x, y, text: { field: "level", type: "nominal" } },
        },
        // The summary's knee only when it names one (an empty layer makes Vega warn).
        ...(knee
          ? [
              {
                transform: [{ filter: "datum.knee && datum.percentile === 'p50'" }],
                mark: { type: "rule" as const, strokeDash: [4, 4], color: OKABE_ITO[2] },
                encoding: { x },
              },
            ]
          : []),
      ],
    },
  };
}

/** The throughput-vs-latency chart, or a note when no step has a throughput and a latency. */
export function loadLatencyChart(load: LoadSummary): ChartSlot {
  const id = "load-latency";
  const title = "Throughput vs latency per step";
  const points = loadLatencyPoints(load);
  if (points.length === 0)
    return { kind: "note", id, title, reason: "no step has a successful call with timing" };
  return {
    kind: "chart",
    id,
    title,
    description: describeLatency(load, points),
    spec: loadLatencySpec(load, points),
  };
}

/** One bar of the goodput chart. */
export interface GoodputBar {
  step: number;
  level: string;
  /** Fraction of the step's offered requests that met the SLO. */
  goodput: number;
  met: number;
  offered: number;
  verdict: "meets attainment" | "misses attainment";
  knee: boolean;
}

export function goodputBars(load: LoadSummary): GoodputBar[] {
  const knee = load.max_goodput_throughput?.step ?? null;
  return load.steps.flatMap((s) =>
    s.goodput.fraction === null
      ? []
      : [
          {
            step: s.step,
            level: stepLevel(s),
            goodput: s.goodput.fraction,
            met: s.goodput.met,
            offered: s.goodput.offered,
            verdict: s.goodput.fraction >= load.attainment ? "meets attainment" : "misses attainment",
            knee: s.step === knee,
          },
        ],
  );
}

/** The SLO in words: "e2e ≤ 900 ms, TTFT ≤ 200 ms". */
export function sloText(load: LoadSummary): string {
  const parts: string[] = [];
  if (load.slo.ttft_ms !== undefined) parts.push(`TTFT ≤ ${ms(load.slo.ttft_ms)}`);
  if (load.slo.tpot_ms !== undefined) parts.push(`TPOT ≤ ${ms(load.slo.tpot_ms)}`);
  if (load.slo.e2e_ms !== undefined) parts.push(`e2e ≤ ${ms(load.slo.e2e_ms)}`);
  return parts.join(", ");
}

function describeGoodput(load: LoadSummary, bars: readonly GoodputBar[]): string {
  const items = bars.map((b) => `${b.level} ${percent(b.goodput)} (${b.met} of ${b.offered})`);
  return `Goodput per step: the share of offered requests meeting the SLO (${sloText(load)}), against the attainment target ${percent(load.attainment)}. ${items.join("; ")}.`;
}

/** The Vega-Lite spec of goodput per step over `bars` (non-empty). */
export function goodputSpec(load: LoadSummary, bars: readonly GoodputBar[]): TopLevelSpec {
  const x = {
    field: "level",
    type: "ordinal",
    title: load.mode === "rate" ? "Target rate" : "Concurrency",
    sort: bars.map((b) => b.level),
    axis: { labelAngle: 0 },
  } as const;
  return {
    title: {
      text: "Goodput against the SLO per step",
      subtitle: `${sloText(load)}; the line is the attainment target (${percent(load.attainment)})`,
    },
    description: describeGoodput(load, bars),
    config: CHART_CONFIG,
    width: 540,
    height: 240,
    layer: [
      {
        data: { values: bars.map((b) => ({ ...b })) },
        mark: { type: "bar" },
        encoding: {
          x,
          y: {
            field: "goodput",
            type: "quantitative",
            title: "Requests meeting the SLO",
            axis: { format: "%" },
            scale: { domain: [0, 1] },
          },
          color: {
            field: "verdict",
            type: "nominal",
            title: null,
            scale: {
              domain: ["meets attainment", "misses attainment"],
              range: [OKABE_ITO[2], OKABE_ITO[3]],
            },
          },
          tooltip: [
            { field: "level", title: "Level" },
            { field: "step", title: "Step" },
            { field: "goodput", title: "Goodput", format: ".1%" },
            { field: "met", title: "Met" },
            { field: "offered", title: "Offered" },
          ],
        },
      },
      {
        data: { values: [{ attainment: load.attainment }] },
        mark: { type: "rule", strokeDash: [4, 4], color: "#333" },
        encoding: { y: { field: "attainment", type: "quantitative" } },
      },
    ],
  };
}

/** The goodput chart; a note when the sweep had no SLO or no step offered a request. */
export function goodputChart(load: LoadSummary): ChartSlot {
  const id = "load-goodput";
  const title = "Goodput against the SLO per step";
  if (!hasSlo(load)) return { kind: "note", id, title, reason: "the sweep set no SLO" };
  const bars = goodputBars(load);
  if (bars.length === 0) return { kind: "note", id, title, reason: "no step offered a measured request" };
  return {
    kind: "chart",
    id,
    title,
    description: describeGoodput(load, bars),
    spec: goodputSpec(load, bars),
  };
}

/** Every chart of the load report, in page order. */
export function loadCharts(load: LoadSummary): ChartSlot[] {
  return [loadLatencyChart(load), goodputChart(load)];
}
