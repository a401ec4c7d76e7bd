/**
 * The per-task accuracy table: one row per model × task × scorer, with the estimate's interval,
 * the number of cases, the method, and the calls that failed (scored 0) or could not be scored.
 */
import type { Summary } from "../../src/metrics/summary.ts";
import type { SavingsComparison } from "../../src/savings/compare.ts";
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
  /** Calls the cases stand for, when they carry weights (`weight_field`): the accuracy counts each. */
  calls?: number;
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
          ...(a.calls !== undefined && { calls: a.calls }),
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
      return `<tr><td>${swatch}${escapeHtml(r.model)}</td><td>${escapeHtml(r.task)}</td><td>${escapeHtml(r.scorer)}</td><td class="num">${percent(r.accuracy)}</td><td>${escapeHtml(interval)}</td><td class="num">${r.calls === undefined ? r.cases : `${r.cases} (weighted: ${r.calls} calls)`}</td><td>${escapeHtml(r.method)}</td><td class="num">${r.failedScoredZero}</td><td class="num">${r.unscored}</td></tr>`;
    })
    .join("\n");
  const weighted = rows.some((r) => r.calls !== undefined)
    ? " Weighted rows count a case as the logged calls it stands for (exact duplicates): the traffic's rate."
    : "";
  return `<table class="accuracy"><caption>Accuracy per model, task and scorer; failed calls count as 0, unscored calls are left out.${weighted}</caption><thead><tr><th scope="col">Model</th><th scope="col">Task</th><th scope="col">Scorer</th><th scope="col" class="num">Accuracy</th><th scope="col">Interval</th><th scope="col" class="num">Cases</th><th scope="col">Method</th><th scope="col" class="num">Failed (scored 0)</th><th scope="col" class="num">Unscored</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** One savings pair on a task: the paired accuracy difference candidate − baseline. */
export interface ComparisonRow {
  candidate: string;
  baseline: string;
  task: string;
  scorer: string;
  pairs: number;
  /** Present when the cases carry weights: `pairs` then counts calls, `cases` the cases they are. */
  weighted?: { cases: number; calls: number };
  candidateAccuracy: number | null;
  baselineAccuracy: number | null;
  /** Candidate − baseline, in accuracy points (0.05 = 5 points). */
  diff: number | null;
  diffLower: number | null;
  diffUpper: number | null;
  confidence: number;
  mcnemarP: number | null;
  /**
   * Whether the difference is significant at 1 − confidence: by McNemar's exact test where the
   * scores are 0/1, else by the interval leaving out 0; null when neither is known.
   */
  significant: boolean | null;
}

/** A row per savings result whose baseline ran (a projected baseline has no accuracy). */
export function comparisonRows(summary: Summary): ComparisonRow[] {
  return summary.savings
    .filter((s) => s.baseline_kind !== "projected")
    .map((s) => comparisonRow(s.candidate, s.baseline, s.task, s.scorer, s.comparison));
}

/** The row of one paired comparison (significance as {@link ComparisonRow.significant} says). */
export function comparisonRow(
  candidate: string,
  baseline: string,
  task: string,
  scorer: string,
  c: SavingsComparison,
): ComparisonRow {
  const alpha = 1 - c.confidence;
  const significant =
    c.mcnemar_p_value !== null
      ? c.mcnemar_p_value < alpha
      : c.accuracy_diff_lower !== null && c.accuracy_diff_upper !== null
        ? c.accuracy_diff_lower > 0 || c.accuracy_diff_upper < 0
        : null;
  return {
    candidate,
    baseline,
    task,
    scorer,
    pairs: c.scored_pairs,
    ...(c.weighted && { weighted: c.weighted }),
    candidateAccuracy: c.candidate.accuracy,
    baselineAccuracy: c.baseline.accuracy,
    diff: c.accuracy_diff,
    diffLower: c.accuracy_diff_lower,
    diffUpper: c.accuracy_diff_upper,
    confidence: c.confidence,
    mcnemarP: c.mcnemar_p_value,
    significant,
  };
}

/** Accuracy points with a sign: 0.05 → "+5 pts", −0.125 → "−12.5 pts". */
export function points(value: number): string {
  const text = percent(Math.abs(value)).replace("%", "");
  return `${value > 0 ? "+" : value < 0 ? "−" : ""}${text} pts`;
}

/** A p-value: "< 0.001", else three significant figures. */
export function pValue(p: number): string {
  return p < 0.001 ? "< 0.001" : String(Number(p.toPrecision(3)));
}

/** The paired comparisons as HTML; empty when the run compared no pair that both ran. */
export function renderComparisonTable(
  summary: Summary,
  rows: readonly ComparisonRow[],
  labels: { what: string; candidate: string; baseline: string } = {
    what: "Each candidate against its baseline",
    candidate: "Candidate",
    baseline: "Baseline",
  },
): string {
  if (rows.length === 0) return "";
  const swatch = (model: string) =>
    `<span class="swatch" style="background:${modelColor(summary, model)}"></span>`;
  const body = rows
    .map((r) => {
      const acc = (v: number | null) => (v === null ? "—" : percent(v));
      const interval =
        r.diffLower !== null && r.diffUpper !== null
          ? `${Math.round(r.confidence * 100)}% CI ${points(r.diffLower)} to ${points(r.diffUpper)}`
          : "no interval";
      const verdict =
        r.significant === null ? "unknown" : r.significant ? `<span class="yes">yes</span>` : "no";
      return `<tr><td>${swatch(r.candidate)}${escapeHtml(r.candidate)}</td><td>${swatch(r.baseline)}${escapeHtml(r.baseline)}</td><td>${escapeHtml(r.task)}</td><td>${escapeHtml(r.scorer)}</td><td class="num">${r.weighted ? `${r.weighted.cases} (weighted: ${r.weighted.calls} calls)` : r.pairs}</td><td class="num">${acc(r.candidateAccuracy)}</td><td class="num">${acc(r.baselineAccuracy)}</td><td class="num">${r.diff === null ? "—" : points(r.diff)}</td><td>${escapeHtml(interval)}</td><td class="num">${r.mcnemarP === null ? "—" : escapeHtml(pValue(r.mcnemarP))}</td><td>${verdict}</td></tr>`;
    })
    .join("\n");
  const alpha = rows[0] ? Number((1 - rows[0].confidence).toPrecision(2)) : 0.05;
  return `<table class="accuracy comparisons"><caption>${escapeHtml(labels.what)} on the cases both ran: the paired accuracy difference (${escapeHtml(labels.candidate.toLowerCase())} − ${escapeHtml(labels.baseline.toLowerCase())}, in percentage points) with its interval, McNemar's exact p for 0/1 scores, and whether the difference is significant at ${alpha} (by McNemar where known, else by the interval leaving out 0).${rows.some((r) => r.weighted) ? " Weighted rows count a case as the logged calls it stands for, each case one draw in the interval (no McNemar test)." : ""}</caption><thead><tr><th scope="col">${escapeHtml(labels.candidate)}</th><th scope="col">${escapeHtml(labels.baseline)}</th><th scope="col">Task</th><th scope="col">Scorer</th><th scope="col" class="num">Paired cases</th><th scope="col" class="num">${escapeHtml(labels.candidate)}</th><th scope="col" class="num">${escapeHtml(labels.baseline)}</th><th scope="col" class="num">Difference</th><th scope="col">Interval</th><th scope="col" class="num">McNemar p</th><th scope="col">Significant</th></tr></thead><tbody>${body}</tbody></table>`;
}
