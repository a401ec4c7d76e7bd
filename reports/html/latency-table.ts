/**
 * The latency percentile table: per model (over all its tasks) and metric — end-to-end, time to
 * first token, time per output token — the number of timed calls, the mean and p50/p90/p95/p99,
 * each percentile with its distribution-free 95% interval where the calls suffice for one.
 */
import type { LatencySummary } from "../../src/metrics/group.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { modelColor } from "./colors.ts";
import { escapeHtml, ms } from "./format.ts";
import { PERCENTILES } from "./latency.ts";

const METRICS = {
  e2e_ms: "End-to-end",
  ttft_ms: "Time to first token",
  tpot_ms: "Time per output token",
} as const;

/** One row: a model's distribution of one metric. */
export interface LatencyRow {
  model: string;
  metric: (typeof METRICS)[keyof typeof METRICS];
  latency: LatencySummary;
}

/** The rows, model by model in the summary's order, each metric the model has samples of. */
export function latencyRows(summary: Summary): LatencyRow[] {
  return summary.by_model.flatMap((group) =>
    (Object.keys(METRICS) as (keyof typeof METRICS)[]).flatMap((key) => {
      const latency = group.latency[key];
      return latency ? [{ model: group.model, metric: METRICS[key], latency }] : [];
    }),
  );
}

/** "412 ms (95% CI 398–430 ms)", or the value alone when the calls were too few for an interval. */
function withInterval(value: number, ci: [number, number] | null): string {
  return ci ? `${ms(value)} <span class="ci">(${ms(ci[0])}–${ms(ci[1])})</span>` : ms(value);
}

/** The table as HTML; empty when no model has a timed call (the chart's note says so). */
export function renderLatencyTable(summary: Summary, rows: readonly LatencyRow[]): string {
  if (rows.length === 0) return "";
  const body = rows
    .map(({ model, metric, latency }) => {
      const swatch = `<span class="swatch" style="background:${modelColor(summary, model)}"></span>`;
      const cells = PERCENTILES.map(
        (p) => `<td class="num">${withInterval(latency[p], latency.ci95[p])}</td>`,
      );
      const approx = latency.approx_relative_error
        ? ` <span class="ci">(±${(latency.approx_relative_error * 100).toFixed(1)}% sketch)</span>`
        : "";
      return `<tr><td>${swatch}${escapeHtml(model)}</td><td>${escapeHtml(metric)}</td><td class="num">${latency.n}</td><td class="num">${ms(latency.mean)}</td>${cells.join("")}<td class="num">${ms(latency.max)}${approx}</td></tr>`;
    })
    .join("\n");
  return `<table class="accuracy latency-table"><caption>Latency per model over all its tasks (successful calls): mean and percentiles, each percentile with its distribution-free 95% interval in brackets where the calls suffice for one.</caption><thead><tr><th scope="col">Model</th><th scope="col">Metric</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Mean</th>${PERCENTILES.map((p) => `<th scope="col" class="num">${p}</th>`).join("")}<th scope="col" class="num">Max</th></tr></thead><tbody>${body}</tbody></table>`;
}
