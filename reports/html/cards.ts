/**
 * The headline cards: one per savings pair and task (candidate vs baseline), each figure the
 * summary's comparison shows, or grey with the reason when the run could not know it.
 */

import type { Summary } from "../../src/metrics/summary.ts";
import type { SavingsComparison } from "../../src/savings/compare.ts";
import { escapeHtml, joules, ms, percent, percentInterval, ratio, usd } from "./format.ts";

/** One figure of a card: its value, or why it is unknown. */
export type CardFigure =
  | { label: string; known: true; value: string; detail: string | null }
  | { label: string; known: false; reason: string };

export interface Card {
  candidate: string;
  baseline: string;
  task: string;
  scorer: string;
  /** Whether opbench chose the pair (the suite has no `savings:` block). */
  auto: boolean;
  /** Whether the baseline was projected from its list price instead of run. */
  projected: boolean;
  /** The projected baseline's list price ("$2/M input, $8/M output"); null for a baseline that ran. */
  listPrice: string | null;
  figures: CardFigure[];
}

/**
 * Why a figure is unknown: the comparison's notes that mention one of `words` and say what is
 * unknown (those naming a side first, then the ratio's own), else those mentioning a word, else
 * `fallback`.
 */
function reasonFrom(c: SavingsComparison, words: readonly string[], fallback: string): string {
  const mentioning = c.notes.filter((n) => words.some((w) => n.toLowerCase().includes(w)));
  const unknown = mentioning.filter((n) => /unknown|missing|no /.test(n));
  const sides = unknown.filter((n) => !/ratio:/.test(n));
  const chosen = sides.length > 0 ? sides : unknown.length > 0 ? unknown : mentioning;
  return chosen.length > 0 ? chosen.join("; ") : fallback;
}

/** "3.2× cheaper", or "1.5× more expensive" below 1. */
function times(value: number, better: string, worse: string): string {
  return value >= 1 ? `${ratio(value)}× ${better}` : `${ratio(1 / value)}× ${worse}`;
}

function pair(a: number | null, b: number | null, format: (v: number) => string): string | null {
  if (a === null || b === null) return null;
  return `${format(a)} vs ${format(b)}`;
}

function ratioFigure(
  label: string,
  value: number | null,
  words: [better: string, worse: string],
  detail: string | null,
  reason: string,
): CardFigure {
  if (value === null || !Number.isFinite(value) || value <= 0) return { label, known: false, reason };
  return { label, known: true, value: times(value, ...words), detail };
}

const NOT_RUN = "not measured: the baseline was not run (projected)";

/**
 * The figures of one comparison, in the cards' order.
 * @param projected the baseline was projected, not run: no accuracy or latency of its own
 */
export function cardFigures(c: SavingsComparison, projected = false): CardFigure[] {
  const cand = c.candidate;
  const base = c.baseline;
  const conf = `${Math.round(c.confidence * 100)}% CI`;
  const retainedCi = percentInterval(c.accuracy_retained_lower, c.accuracy_retained_upper);
  const millions = c.projected_calls / 1_000_000;
  const callsText =
    millions >= 1 && Number.isInteger(millions)
      ? `${millions}M calls`
      : `${c.projected_calls.toLocaleString("en-US")} calls`;
  const projectedDetail = [
    c.projected_latency_hours_saved !== null
      ? `${Number(c.projected_latency_hours_saved.toPrecision(3))} h of waiting`
      : null,
    c.projected_energy_kwh_saved !== null
      ? `${Number(c.projected_energy_kwh_saved.toPrecision(3))} kWh`
      : null,
  ].filter((s) => s !== null);
  return [
    c.accuracy_retained === null
      ? {
          label: "Accuracy retained",
          known: false,
          reason: projected
            ? NOT_RUN
            : reasonFrom(c, ["accuracy", "scored", "correct"], "no scored pairs, or the baseline scored 0"),
        }
      : {
          label: "Accuracy retained",
          known: true,
          value: percent(c.accuracy_retained),
          detail: `${retainedCi ? `${conf} ${retainedCi}, ` : ""}${c.scored_pairs} paired cases`,
        },
    ratioFigure(
      "Cost",
      c.cost_ratio,
      ["cheaper", "more expensive"],
      pair(cand.cost_per_call_usd, base.cost_per_call_usd, (v) => `${usd(v)}/call`),
      reasonFrom(c, ["cost", "price"], "cost unknown on one side (no price, or no energy reading)"),
    ),
    ratioFigure(
      "Latency (p50 end-to-end)",
      c.e2e_p50_ratio,
      ["faster", "slower"],
      pair(cand.e2e_p50_ms, base.e2e_p50_ms, ms),
      projected
        ? NOT_RUN
        : reasonFrom(c, ["latency", "e2e", "succeeded"], "no successful call with timing on one side"),
    ),
    ratioFigure(
      "Time to first token (p50)",
      c.ttft_p50_ratio,
      ["faster", "slower"],
      pair(cand.ttft_p50_ms, base.ttft_p50_ms, ms),
      projected
        ? NOT_RUN
        : reasonFrom(c, ["ttft", "first token"], "no time to first token on one side (streaming off?)"),
    ),
    ratioFigure(
      "Energy",
      c.energy_ratio,
      ["less energy", "more energy"],
      pair(cand.energy_per_call_j, base.energy_per_call_j, (v) => `${joules(v)}/call`),
      reasonFrom(c, ["energy"], "energy not measured or estimated on one side"),
    ),
    c.projected_savings_usd === null
      ? {
          label: `Saved over ${callsText}`,
          known: false,
          reason: reasonFrom(c, ["cost", "price"], "cost unknown on one side"),
        }
      : {
          label: `Saved over ${callsText}`,
          known: true,
          value: usd(c.projected_savings_usd),
          detail: projectedDetail.length > 0 ? `and ${projectedDetail.join(", ")}` : null,
        },
  ];
}

/** One card per savings result of the run, in the summary's order. */
export function savingsCards(summary: Summary): Card[] {
  return summary.savings.map((s) => ({
    candidate: s.candidate,
    baseline: s.baseline,
    task: s.task,
    scorer: s.scorer,
    auto: s.auto,
    projected: s.baseline_kind === "projected",
    listPrice: s.projection
      ? `${usd(s.projection.price.input_per_mtok)}/M input, ${usd(s.projection.price.output_per_mtok)}/M output tokens`
      : null,
    figures: cardFigures(s.comparison, s.baseline_kind === "projected"),
  }));
}

/** The cards as HTML (every name escaped); a grey note when the run compared no pair. */
export function renderCards(cards: readonly Card[]): string {
  if (cards.length === 0) {
    return `<p class="note">No savings comparison: the run has no candidate and baseline that both ran a task. Add a <code>savings:</code> block to the suite, or run a second model on the same tasks.</p>`;
  }
  return cards
    .map((card) => {
      const figures = card.figures
        .map((f) =>
          f.known
            ? `<div class="figure"><div class="label">${escapeHtml(f.label)}</div><div class="value">${escapeHtml(f.value)}</div>${f.detail ? `<div class="detail">${escapeHtml(f.detail)}</div>` : ""}</div>`
            : `<div class="figure unknown"><div class="label">${escapeHtml(f.label)}</div><div class="value">unknown</div><div class="detail">${escapeHtml(f.reason)}</div></div>`,
        )
        .join("");
      const heading = `<span class="model">${escapeHtml(card.candidate)}</span> vs <span class="model">${escapeHtml(card.baseline)}</span>`;
      const sub = `task ${escapeHtml(card.task)}, accuracy by ${escapeHtml(card.scorer)}${card.auto ? " (pair chosen by opbench)" : ""}${card.projected ? `; baseline not run, its cost projected from the candidate's tokens at its list price${card.listPrice ? ` (${escapeHtml(card.listPrice)})` : ""}` : ""}`;
      return `<section class="card"><h3>${heading}</h3><p class="sub">${sub}</p><div class="figures">${figures}</div></section>`;
    })
    .join("\n");
}
