/**
 * The trade-off charts: each model × task as one point, accuracy (first scorer, with its
 * interval) against cost per 1,000 calls, against p50 end-to-end latency (with the median's
 * interval), and against energy per call. Up and to the left is better; the x axes are
 * logarithmic, since models differ by orders of magnitude in price, speed and energy.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Summary } from "../../src/metrics/summary.ts";
import { CHART_CONFIG, type ChartSlot, primaryAccuracy } from "./chart.ts";
import { modelColorScale } from "./colors.ts";
import { joules, ms, percent, usd } from "./format.ts";

/** One point of a trade-off chart. */
export interface ParetoPoint {
  model: string;
  task: string;
  scorer: string;
  accuracy: number;
  accuracyLower: number | null;
  accuracyUpper: number | null;
  /** The x value: USD per 1,000 calls, ms, or joules per call. Always > 0 (a log axis). */
  x: number;
  xLower: number | null;
  xUpper: number | null;
}

type Axis = "cost" | "latency" | "energy";

/** The points of one chart: groups with an accuracy and a known, positive x. */
export function paretoPoints(summary: Summary, axis: Axis): ParetoPoint[] {
  return summary.results.flatMap((group) => {
    const acc = primaryAccuracy(group);
    if (!acc || group.task === null) return [];
    let x: number | null;
    let interval: [number, number] | null = null;
    if (axis === "cost") {
      x = group.cost.per_1k_calls_usd;
    } else if (axis === "energy") {
      x = group.energy.per_call_j;
    } else {
      x = group.latency.e2e_ms?.p50 ?? null;
      interval = group.latency.e2e_ms?.ci95.p50 ?? null;
    }
    if (x === null || !(x > 0)) return [];
    return [
      {
        model: group.model,
        task: group.task,
        scorer: acc.scorer,
        accuracy: acc.mean,
        accuracyLower: acc.lower,
        accuracyUpper: acc.upper,
        x,
        xLower: interval && interval[0] > 0 ? interval[0] : null,
        xUpper: interval && interval[0] > 0 ? interval[1] : null,
      },
    ];
  });
}

const AXES: Record<
  Axis,
  { title: string; xTitle: string; format: (v: number) => string; why: string; unknown: string }
> = {
  cost: {
    title: "Accuracy vs cost per 1,000 calls",
    xTitle: "Cost per 1,000 calls (USD, log scale)",
    format: usd,
    why: "no model × task has a known cost: API models need a price, local models an energy reading or hardware.usd_per_hour",
    unknown: "cost unknown",
  },
  latency: {
    title: "Accuracy vs p50 end-to-end latency",
    xTitle: "p50 end-to-end latency (ms, log scale)",
    format: ms,
    why: "no model × task has a successful call with timing",
    unknown: "no timed call",
  },
  energy: {
    title: "Accuracy vs energy per call",
    xTitle: "Energy per call (J, log scale)",
    format: joules,
    why: "no model × task has a known energy: local models need an energy reading, API models a published estimate",
    unknown: "energy unknown",
  },
};

/**
 * The efficient frontier of each task's points: those no other point of the task beats on both
 * axes (at most the same x with more accuracy, or less x with at least the same accuracy), in x
 * order. Points of different tasks are never compared.
 */
export function frontier(points: readonly ParetoPoint[]): ParetoPoint[] {
  const byTask = new Map<string, ParetoPoint[]>();
  for (const p of points) byTask.set(p.task, [...(byTask.get(p.task) ?? []), p]);
  return [...byTask.values()].flatMap((list) => {
    const sorted = [...list].sort((a, b) => a.x - b.x || b.accuracy - a.accuracy);
    const kept: ParetoPoint[] = [];
    for (const p of sorted) {
      const best = kept.at(-1);
      if (!best || p.accuracy > best.accuracy) kept.push(p);
    }
    return kept;
  });
}

/** The model × task groups with an accuracy that a chart leaves out (x unknown), as "model (task)". */
export function leftOut(summary: Summary, points: readonly ParetoPoint[]): string[] {
  const tasks = new Set(summary.results.flatMap((g) => (g.task === null ? [] : [g.task])));
  return summary.results.flatMap((g) =>
    g.task !== null && primaryAccuracy(g) && !points.some((p) => p.model === g.model && p.task === g.task)
      ? [tasks.size > 1 ? `${g.model} (${g.task})` : g.model]
      : [],
  );
}

/** "Not shown (cost unknown): a, b" — or empty. */
function leftOutLine(axis: Axis, left: readonly string[]): string {
  return left.length === 0 ? "" : `Not shown (${AXES[axis].unknown}): ${left.join(", ")}`;
}

function describe(points: readonly ParetoPoint[], axis: Axis, left: readonly string[] = []): string {
  const { title, format } = AXES[axis];
  const items = points.map((p) => {
    const ci =
      p.accuracyLower !== null && p.accuracyUpper !== null
        ? ` (95% CI ${percent(p.accuracyLower)} to ${percent(p.accuracyUpper)})`
        : "";
    return `${p.model} on ${p.task}: accuracy ${percent(p.accuracy)}${ci} at ${format(p.x)}`;
  });
  const missing = leftOutLine(axis, left);
  const best = frontier(points);
  const front =
    best.length > 0 && best.length < points.length
      ? ` On the efficient frontier (no other point is both lower on this axis and more accurate): ${best.map((p) => `${p.model} on ${p.task}`).join(", ")}.`
      : "";
  return `${title}, one point per model and task. ${items.join("; ")}.${front}${missing ? ` ${missing}.` : ""}`;
}

/** The Vega-Lite spec of one trade-off chart over `points` (non-empty). */
export function paretoSpec(
  summary: Summary,
  points: readonly ParetoPoint[],
  axis: Axis,
  left: readonly string[] = [],
): TopLevelSpec {
  const { title, xTitle } = AXES[axis];
  const tasks = new Set(points.map((p) => p.task));
  const scorers = [...new Set(points.map((p) => p.scorer))];
  const color = {
    field: "model",
    type: "nominal",
    title: "Model",
    scale: modelColorScale(summary),
  } as const;
  const x = {
    field: "x",
    type: "quantitative",
    title: xTitle,
    scale: { type: "log" },
    // Log axes over many decades put long labels side by side: keep a gap, drop what collides.
    axis: { labelOverlap: "greedy", labelSeparation: 6 },
  } as const;
  const y = {
    field: "accuracy",
    type: "quantitative" as const,
    title: `Accuracy (${scorers.join(", ")}), 95% CI`,
    scale: { domain: [0, 1] },
    axis: { format: ".0%" },
  };
  const line = frontier(points);
  return {
    title: {
      text: title,
      subtitle: [
        `Up and left is better; bars are 95% intervals${line.length > 1 ? "; the dashed line is the efficient frontier" : ""}`,
        leftOutLine(axis, left),
      ].filter((l) => l !== ""),
    },
    description: describe(points, axis, left),
    width: 460,
    height: 300,
    config: {
      ...CHART_CONFIG,
      // Three to a row: a comparison of runs has many "run · model" entries, and one row would overflow.
      legend: { ...CHART_CONFIG.legend, orient: "bottom", direction: "horizontal", columns: 3 },
    },
    data: { values: points.map((p) => ({ ...p })) },
    // An interval layer only where some point has one: a layer whose rows are all filtered out
    // makes Vega warn of an infinite extent.
    layer: [
      // The frontier: a step line through the points nothing beats (one per task).
      ...(line.length > 1
        ? [
            {
              data: {
                values: line.map((p, order) => ({ x: p.x, accuracy: p.accuracy, task: p.task, order })),
              },
              mark: {
                type: "line" as const,
                interpolate: "step-after" as const,
                strokeDash: [4, 3],
                color: "#888888",
              },
              encoding: {
                x,
                y,
                detail: { field: "task", type: "nominal" as const },
                order: { field: "order", type: "quantitative" as const },
              },
            },
          ]
        : []),
      ...(points.some((p) => p.accuracyLower !== null && p.accuracyUpper !== null)
        ? [
            {
              transform: [{ filter: "datum.accuracyLower != null && datum.accuracyUpper != null" }],
              mark: { type: "rule" as const, strokeWidth: 1.5 },
              encoding: { x, y: { ...y, field: "accuracyLower" }, y2: { field: "accuracyUpper" }, color },
            },
          ]
        : []),
      ...(points.some((p) => p.xLower !== null && p.xUpper !== null)
        ? [
            {
              transform: [{ filter: "datum.xLower != null && datum.xUpper != null" }],
              mark: { type: "rule" as const, strokeWidth: 1.5 },
              encoding: { x: { ...x, field: "xLower" }, x2: { field: "xUpper" }, y, color },
            },
          ]
        : []),
      {
        mark: { type: "point", filled: true, size: 90, opacity: 1 },
        encoding: {
          x,
          y,
          color,
          ...(tasks.size > 1 && { shape: { field: "task", type: "nominal", title: "Task" } }),
          tooltip: [
            { field: "model", title: "Model" },
            { field: "task", title: "Task" },
            { field: "accuracy", title: "Accuracy", format: ".1%" },
            { field: "x", title: xTitle.replace(", log scale", ""), format: ".3~g" },
          ],
        },
      },
    ],
  };
}

/** The three trade-off charts of a run, each a chart or a note saying why it is empty. */
export function paretoCharts(summary: Summary): ChartSlot[] {
  return (["cost", "latency", "energy"] as const).map((axis): ChartSlot => {
    const id = `pareto-${axis}`;
    const points = paretoPoints(summary, axis);
    const { title, why } = AXES[axis];
    if (points.length === 0) return { kind: "note", id, title, reason: why };
    const left = leftOut(summary, points);
    const spec = paretoSpec(summary, points, axis, left);
    return { kind: "chart", id, title, description: describe(points, axis, left), spec };
  });
}
