/**
 * The cascade what-if of each savings pair (candidate first, the baseline when the rule fires),
 * as a compact table per pair — the mix against the baseline alone — with a sentence saying it.
 * The numbers are the summary's (src/savings/cascade.ts); no model is called again.
 */
import type { Summary } from "../../src/metrics/summary.ts";
import { escapeHtml, percent, ratio, usd } from "./format.ts";

export interface CascadeView {
  candidate: string;
  baseline: string;
  task: string;
  /** The rule in words ("escalate when the call failed or …"). */
  rule: string;
  calls: number;
  /** Share of calls answered by the candidate alone, in [0, 1]. */
  kept: number;
  accuracy: number | null;
  baselineAccuracy: number | null;
  costPerCall: number | null;
  baselineCostPerCall: number | null;
  /** Baseline ÷ cascade cost per call (> 1: the cascade is cheaper). */
  costRatio: number | null;
  /** Why a cost is unknown (the what-if's notes on cost); null when both are known. */
  costReason: string | null;
  /** What the table shows, in words (its text alternative). */
  description: string;
}

/** "3.2× cheaper than", or "1.5× more expensive than" below 1; null when unknown. */
function costWords(value: number | null): string | null {
  if (value === null || !Number.isFinite(value) || value <= 0) return null;
  return value >= 1 ? `${ratio(value)}× cheaper than` : `${ratio(1 / value)}× more expensive than`;
}

/** One view per savings pair whose baseline ran and shares cases with the candidate. */
export function cascadeViews(summary: Summary): CascadeView[] {
  return summary.savings
    .filter((s) => s.baseline_kind !== "projected" && s.cascade.calls > 0)
    .map((s) => {
      const c = s.cascade;
      const kept = 1 - c.escalated_fraction;
      const acc = (v: number | null) => (v === null ? "unknown" : percent(v));
      const costNotes = c.notes.filter((n) => /cost|price/i.test(n));
      const mixCost = c.cost_per_call_usd;
      const baseCost = c.baseline_cost_per_call_usd;
      const costReason =
        mixCost === null || baseCost === null
          ? costNotes.length > 0
            ? costNotes.join("; ")
            : "cost unknown on one side"
          : null;
      const cost =
        mixCost === null || baseCost === null
          ? `its cost is unknown (${costReason})`
          : `it costs ${usd(mixCost)}/call, ${costWords(c.cost_ratio) ?? "against"} ${usd(baseCost)}/call for ${s.baseline} alone`;
      const description = `Cascade on task ${s.task}: every case goes to ${s.candidate} first, and to ${s.baseline} when it should (${c.rule}). ${percent(kept)} of ${c.calls} calls stay on ${s.candidate}; accuracy ${acc(c.accuracy)} against ${acc(c.baseline_accuracy)} for ${s.baseline} alone; ${cost}.`;
      return {
        candidate: s.candidate,
        baseline: s.baseline,
        task: s.task,
        rule: c.rule,
        calls: c.calls,
        kept,
        accuracy: c.accuracy,
        baselineAccuracy: c.baseline_accuracy,
        costPerCall: c.cost_per_call_usd,
        baselineCostPerCall: c.baseline_cost_per_call_usd,
        costRatio: c.cost_ratio,
        costReason,
        description,
      };
    });
}

/** The views as HTML (every name escaped), or a note when no pair could be simulated. */
export function renderCascades(views: readonly CascadeView[]): string {
  if (views.length === 0) {
    return `<p class="note">No cascade what-if: no candidate and baseline both ran the same cases.</p>`;
  }
  const num = (v: number | null, format: (x: number) => string, reason = "unknown") =>
    v === null
      ? `<td class="num" title="${escapeHtml(reason)}">—</td>`
      : `<td class="num">${escapeHtml(format(v))}</td>`;
  return views
    .map((v) => {
      const rows = [
        `<tr><th scope="row">${escapeHtml(v.candidate)} → ${escapeHtml(v.baseline)}</th>${num(v.kept, percent)}${num(v.accuracy, percent)}${num(v.costPerCall, usd, v.costReason ?? undefined)}</tr>`,
        `<tr><th scope="row">${escapeHtml(v.baseline)} alone</th>${num(0, percent)}${num(v.baselineAccuracy, percent)}${num(v.baselineCostPerCall, usd, v.costReason ?? undefined)}</tr>`,
      ].join("");
      return `<table class="accuracy cascade"><caption>Cascade on task ${escapeHtml(v.task)}: ${escapeHtml(v.rule)}.</caption><thead><tr><th scope="col">Route</th><th scope="col" class="num">Calls on ${escapeHtml(v.candidate)}</th><th scope="col" class="num">Accuracy</th><th scope="col" class="num">Cost per call</th></tr></thead><tbody>${rows}</tbody></table><p class="sub">${escapeHtml(v.description)}</p>`;
    })
    .join("\n");
}
