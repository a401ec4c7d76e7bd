/**
 * The per-task accuracy table: one row per model × task × scorer, with the estimate's interval,
 * the number of cases, the method, and the calls that failed (scored 0) or could not be scored.
 */
import type { Summary } from "../../src/metrics/summary.ts";
import { modelColor } from "./colors.ts";
import { escapeHtml, percent, percentInterval } from "./format.ts";

export interface AccuracyRow {
  model: string;
  task: string;
  scorer: string;
  accuracy: number;
  /** "62–91%"; null when the data support no interval. */
  interval: string | null;
  confidence: number;
  cases: number;
  method: string;
  failedScoredZero: number;
  unscored: number;
}

/** The rows, in the summary's order (model × task as first seen, scorers in the task's order). */
export function accuracyRows(summary: Summary): AccuracyRow[] {
  return summary.results.flatMap((group) =>
    group.task === null
      ? []
      : group.accuracy.map((a) => ({
          model: group.model,
          task: group.task as string,
          scorer: a.scorer,
          accuracy: a.mean,
          interval: percentInterval(a.lower, a.upper),
          confidence: a.confidence,
          cases: a.n,
          method: a.method,
          failedScoredZero: a.failed_calls_scored_zero,
          unscored: a.unscored_calls,
        })),
  );
}

/** The table as HTML (every name escaped), or a note when no call was scored. */
export function renderAccuracyTable(summary: Summary, rows: readonly AccuracyRow[]): string {
  if (rows.length === 0) return `<p class="note">No accuracy: no call of the run was scored.</p>`;
  const body = rows
    .map((r) => {
      const swatch = `<span class="swatch" style="background:${modelColor(summary, r.model)}"></span>`;
      const interval = r.interval ? `${Math.round(r.confidence * 100)}% CI ${r.interval}` : "no interval";
      return `<tr><td>${swatch}${escapeHtml(r.model)}</td><td>${escapeHtml(r.task)}</td><td>${escapeHtml(r.scorer)}</td><td class="num">${percent(r.accuracy)}</td><td>${escapeHtml(interval)}</td><td class="num">${r.cases}</td><td>${escapeHtml(r.method)}</td><td class="num">${r.failedScoredZero}</td><td class="num">${r.unscored}</td></tr>`;
    })
    .join("\n");
  return `<table class="accuracy"><caption>Accuracy per model, task and scorer; failed calls count as 0, unscored calls are left out.</caption><thead><tr><th scope="col">Model</th><th scope="col">Task</th><th scope="col">Scorer</th><th scope="col" class="num">Accuracy</th><th scope="col">Interval</th><th scope="col" class="num">Cases</th><th scope="col">Method</th><th scope="col" class="num">Failed (scored 0)</th><th scope="col" class="num">Unscored</th></tr></thead><tbody>${body}</tbody></table>`;
}
