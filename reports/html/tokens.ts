/**
 * Tokens per call: each model's mean input and output tokens over all its tasks, as bars side by
 * side (the model's colour; input lighter than output), each labelled with its value, with the
 * totals in the tooltip and the description.
 */
import type { TopLevelSpec } from "vega-lite";
import type { Summary } from "../../src/metrics/summary.ts";
import { CHART_CONFIG, type ChartSlot } from "./chart.ts";
import { modelColorScale } from "./colors.ts";
import { enUS } from "./format.ts";

export interface TokenBar {
  model: string;
  direction: "Input" | "Output";
  /** Mean tokens per call. */
  mean: number;
  total: number;
}

/** Two bars per model with token counts (a model whose calls report none has no bars). */
export function tokenBars(summary: Summary): TokenBar[] {
  return summary.by_model.flatMap((g) => {
    const { input_mean, output_mean, input_total, output_total } = g.tokens;
    if (input_mean === null && output_mean === null) return [];
    return [
      { model: g.model, direction: "Input" as const, mean: input_mean ?? 0, total: input_total },
      { model: g.model, direction: "Output" as const, mean: output_mean ?? 0, total: output_total },
    ];
  });
}

const round = (v: number) => enUS(Number(v.toPrecision(4)));

function describe(bars: readonly TokenBar[]): string {
  const models = [...new Set(bars.map((b) => b.model))];
  const items = models.map((model) => {
    const [input, output] = (["Input", "Output"] as const).map((d) =>
      bars.find((b) => b.model === model && b.direction === d),
    );
    return `${model}: ${round(input?.mean ?? 0)} input and ${round(output?.mean ?? 0)} output tokens per call (${round(input?.total ?? 0)} and ${round(output?.total ?? 0)} in all)`;
  });
  return `Mean tokens per call of each model over all its tasks. ${items.join("; ")}.`;
}

export function tokenSpec(summary: Summary, bars: readonly TokenBar[]): TopLevelSpec {
  const scale = modelColorScale(summary);
  return {
    title: {
      text: "Tokens per call",
      subtitle: "Mean input (light) and output (dark) tokens per call, per model over all its tasks",
    },
    description: describe(bars),
    width: 460,
    height: { step: 22 },
    config: CHART_CONFIG,
    data: { values: bars.map((b) => ({ ...b, label: `${b.direction.toLowerCase()} ${round(b.mean)}` })) },
    encoding: {
      y: { field: "model", type: "nominal", title: "Model", sort: scale.domain },
      yOffset: { field: "direction", type: "nominal", sort: ["Input", "Output"] },
      x: { field: "mean", type: "quantitative", title: "Mean tokens per call" },
    },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          color: { field: "model", type: "nominal", title: "Model", scale, legend: null },
          // The label at each bar's end says input or output: no legend needed.
          opacity: {
            field: "direction",
            type: "ordinal",
            sort: ["Input", "Output"],
            scale: { domain: ["Input", "Output"], range: [0.45, 1] },
            legend: null,
          },
          tooltip: [
            { field: "model", title: "Model" },
            { field: "direction", title: "Tokens" },
            { field: "mean", title: "Mean per call", format: ",.4~g" },
            { field: "total", title: "Total", format: ",d" },
          ],
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 11, color: "#333" },
        encoding: { text: { field: "label", type: "nominal" } },
      },
    ],
  };
}

/** The tokens chart of a run, or a note when no call reported token counts. */
export function tokensChart(summary: Summary): ChartSlot {
  const id = "tokens";
  const title = "Tokens per call";
  const bars = tokenBars(summary);
  if (bars.length === 0) return { kind: "note", id, title, reason: "no call reported token counts" };
  return { kind: "chart", id, title, description: describe(bars), spec: tokenSpec(summary, bars) };
}
