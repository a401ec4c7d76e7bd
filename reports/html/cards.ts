/**
 * The headline cards: one per savings pair and task (candidate vs baseline), each figure the
 * summary's comparison shows, or grey with the reason when the run could not know it.
 */

import type { GroupSummary } from "../../src/metrics/group.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import type { SavingsComparison } from "../../src/savings/compare.ts";
import { enUS, escapeHtml, joules, ms, percent, percentInterval, ratio, usd } from "./format.ts";

/**
 * One figure of a card: its value, or why it is unknown; `source` says where its numbers come
 * from (price data, energy meter, model), set by {@link savingsCards}.
 */
export type CardFigure =
  | { label: string; known: true; value: string; detail: string | null; source?: string }
  | { label: string; known: false; reason: string; source?: string };

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

/** "band 11–445×" for a ratio's band (a modelled or estimated side), or null without one. */
function ratioBand(low: number | null | undefined, high: number | null | undefined): string | null {
  if (low == null || high == null || !(low > 0) || !(high > 0)) return null;
  const f = (v: number) => (v >= 10 ? enUS(Math.round(v)) : Number(v.toPrecision(2)));
  return `band ${f(low)}–${f(high)}×`;
}

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
    millions >= 1 && Number.isInteger(millions) ? `${millions}M calls` : `${enUS(c.projected_calls)} calls`;
  const projectedDetail = [
    c.projected_latency_hours_saved !== null
      ? c.projected_latency_hours_saved >= 0
        ? `${Number(c.projected_latency_hours_saved.toPrecision(3))} h of waiting`
        : `${Number((-c.projected_latency_hours_saved).toPrecision(3))} h more waiting`
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
      [
        ratioBand(c.energy_ratio_low, c.energy_ratio_high),
        pair(cand.energy_per_call_j, base.energy_per_call_j, (v) => `${joules(v)}/call`),
      ]
        .filter((part) => part !== null)
        .join("; ") || null,
      reasonFrom(c, ["energy"], "energy not measured or estimated on one side"),
    ),
    ...(cand.cpu_core_s_per_call != null
      ? [
          {
            label: "Compute (candidate)",
            known: true as const,
            value: `${Number(cand.cpu_core_s_per_call.toPrecision(3))} CPU-s`,
            detail: `CPU core-seconds per call of the serving process${c.compute_ratio != null ? `; ${times(c.compute_ratio, "less compute", "more compute")} than the baseline` : ""}`,
          },
        ]
      : []),
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

/** The model × task group of the summary, or null when the run has none. */
function findGroup(summary: Summary, model: string, task: string): GroupSummary | null {
  return summary.results.find((g) => g.model === model && g.task === task) ?? null;
}

/** Where a group's cost comes from: the price data (API) or the local model's assumptions. */
export function costSource(summary: Summary, group: GroupSummary | null): string {
  if (group === null || group.cost.source === null) return "no cost recorded";
  if (group.cost.source === "api") {
    const p = summary.prices;
    return p
      ? `priced per token, ${p.package} ${p.version ?? "(version unknown)"} (${p.data})`
      : "priced per token (no price data recorded)";
  }
  // Absent in summaries from before local cost was recorded (and read from JSON, not typed).
  const local = group.cost.local ?? null;
  if (local === null) return "modelled from energy and hardware time (no assumptions recorded)";
  const electricity = `energy × ${usd(local.usd_per_kwh)}/kWh × PUE ${local.pue}`;
  return local.mode === "full"
    ? `modelled: ${electricity} + hardware ${usd(local.usd_per_hour)}/h`
    : `modelled: ${electricity} (hardware time left out)`;
}

/** How a group's energy was obtained: the meter measured (its name), modelled, or published. */
export function energySource(summary: Summary, group: GroupSummary | null): string {
  const source = group?.energy.source ?? null;
  if (group === null || source === null) return "not measured or estimated";
  const method = summary.models.find((m) => m.model === group.model)?.energy?.method ?? null;
  const meter = (kind: string) => `measured (${kind} meter${method ? `: ${method}` : ""})`;
  switch (source) {
    case "measured-gpu":
      return meter("GPU");
    case "measured-cpu":
      return meter("CPU");
    case "modelled": {
      const band = group.energy.band;
      if (!band) return "modelled";
      const symmetric = Math.abs(1 - band.low - (band.high - 1)) < 0.01;
      return symmetric
        ? `modelled ±${Math.round((band.high - 1) * 100)}%`
        : `modelled, ×${Number(band.low.toPrecision(2))}–×${Number(band.high.toPrecision(2))}`;
    }
    case "published-estimate":
      return "published estimate";
  }
}

/** The cards' "source:" lines, by figure label prefix (candidate first, then baseline). */
function figureSources(
  summary: Summary,
  s: Summary["savings"][number],
): (label: string) => string | undefined {
  const projected = s.baseline_kind === "projected";
  const cand = findGroup(summary, s.candidate, s.task);
  const base = projected ? null : findGroup(summary, s.baseline, s.task);
  const sides = (a: string, b: string) => `${s.candidate}: ${a}; ${s.baseline}: ${b}`;
  const cost = sides(
    costSource(summary, cand),
    projected ? "projected from the candidate's tokens at its list price" : costSource(summary, base),
  );
  const energy = sides(
    energySource(summary, cand),
    projected ? "projected from the candidate's calls" : energySource(summary, base),
  );
  return (label) => {
    if (label.startsWith("Accuracy")) return `scored by ${s.scorer} on the cases both ran`;
    if (label.startsWith("Cost") || label.startsWith("Saved")) return cost;
    if (label.startsWith("Energy")) return energy;
    if (label.startsWith("Latency")) return "measured per call by opbench (wall clock, end to end)";
    if (label.startsWith("Time to first token")) return "measured per call by opbench (first streamed token)";
    return undefined;
  };
}

/** One card per savings result of the run, in the summary's order. */
export function savingsCards(summary: Summary): Card[] {
  return summary.savings.map((s) => {
    const sourceOf = figureSources(summary, s);
    return {
      candidate: s.candidate,
      baseline: s.baseline,
      task: s.task,
      scorer: s.scorer,
      auto: s.auto,
      projected: s.baseline_kind === "projected",
      listPrice: s.projection
        ? `${usd(s.projection.price.input_per_mtok)}/M input, ${usd(s.projection.price.output_per_mtok)}/M output tokens`
        : null,
      figures: cardFigures(s.comparison, s.baseline_kind === "projected").map((f) => {
        const source = sourceOf(f.label);
        const sourced = source === undefined ? f : { ...f, source };
        // Against replayed traffic the "accuracy" is agreement with the logged model's answers.
        return s.reference === "recorded" && f.label === "Accuracy retained"
          ? {
              ...sourced,
              ...agreementFigure(s.comparison),
              label: "Agreement retained",
              source: `agreement with ${s.baseline}'s logged answers, not correctness${s.comparison.weighted ? `; weighted: ${s.comparison.weighted.cases} cases stand for ${s.comparison.weighted.calls} logged calls, each counted` : ""}${source ? `; ${source}` : ""}`,
            }
          : sourced;
      }),
    };
  });
}

/**
 * Against replayed traffic the baseline agrees with itself on every case, so what the candidate
 * retains is its agreement, with the agreement's own interval (the ratio's interval collapses to
 * a point when every answer disagrees, or every one agrees). As the terminal's savings line.
 */
function agreementFigure(c: SavingsComparison): { value: string; detail: string } | object {
  const agreement = c.candidate.accuracy;
  if (agreement === null) return {};
  const ci = percentInterval(c.candidate.accuracy_lower, c.candidate.accuracy_upper);
  const conf = `${Math.round(c.confidence * 100)}% CI`;
  const cases = c.weighted
    ? `${c.weighted.cases} paired cases (${c.weighted.calls} logged calls)`
    : `${c.scored_pairs} paired cases`;
  return { value: percent(agreement), detail: `${ci ? `${conf} ${ci}, ` : ""}${cases}` };
}

/** The cards as HTML (every name escaped); a grey note when the run compared no pair. */
export function renderCards(cards: readonly Card[]): string {
  if (cards.length === 0) {
    return `<p class="note">No savings comparison: the run has no candidate and baseline that both ran a task. Add a <code>savings:</code> block to the suite, or run a second model on the same tasks.</p>`;
  }
  return cards
    .map((card) => {
      const figures = card.figures
        .map((f) => {
          const source = f.source ? `<div class="detail source">source: ${escapeHtml(f.source)}</div>` : "";
          return f.known
            ? `<div class="figure"><div class="label">${escapeHtml(f.label)}</div><div class="value">${escapeHtml(f.value)}</div>${f.detail ? `<div class="detail">${escapeHtml(f.detail)}</div>` : ""}${source}</div>`
            : `<div class="figure unknown"><div class="label">${escapeHtml(f.label)}</div><div class="value">unknown</div><div class="detail">${escapeHtml(f.reason)}</div>${source}</div>`;
        })
        .join("");
      const heading = `<span class="model">${escapeHtml(card.candidate)}</span> vs <span class="model">${escapeHtml(card.baseline)}</span>`;
      const sub = `task ${escapeHtml(card.task)}, accuracy by ${escapeHtml(card.scorer)}${card.auto ? " (pair chosen by opbench)" : ""}${card.projected ? `; baseline not run, its cost projected from the candidate's tokens at its list price${card.listPrice ? ` (${escapeHtml(card.listPrice)})` : ""}` : ""}`;
      return `<section class="card"><h3>${heading}</h3><p class="sub">${sub}</p><div class="figures">${figures}</div></section>`;
    })
    .join("\n");
}
