/**
 * Cost and energy per correct answer: one row per model × task, each figure the summary's (total
 * ÷ the sum of the first scorer's scores), or "—" with the reason it is unknown as a tooltip.
 */
import type { GroupSummary } from "../../src/metrics/group.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { costSource, energySource } from "./cards.ts";
import { modelColor } from "./colors.ts";
import { escapeHtml, joules, usd } from "./format.ts";

/** A figure per correct answer with where it comes from, or why it is unknown. */
export type PerCorrectFigure =
  | { known: true; value: number; source: string }
  | { known: false; reason: string };

export interface PerCorrectRow {
  model: string;
  task: string;
  /** Sum of the first scorer's scores (failed calls 0); null without a scorer. */
  correct: number | null;
  cost: PerCorrectFigure;
  energy: PerCorrectFigure;
  /** CPU core-seconds of the serving process per correct answer (local models). */
  compute: PerCorrectFigure;
  /** gCO2e per 1M calls, from the energy at the model's grid intensity. */
  carbon: PerCorrectFigure;
}

/** Why nothing can be divided by the correct answers, or null when something can. */
function noCorrect(group: GroupSummary): string | null {
  if (group.correct === null) return "no scorer: correct answers not counted";
  if (group.correct === 0) return "no correct answers";
  return null;
}

function costFigure(summary: Summary, group: GroupSummary): PerCorrectFigure {
  const value = group.cost.per_correct_usd;
  if (value !== null) return { known: true, value, source: costSource(summary, group) };
  const reason =
    noCorrect(group) ??
    (group.cost.source === "api" && group.cost.unknown_calls > 0
      ? `${group.cost.unknown_calls} call(s) without a price`
      : group.cost.source === "local-estimate"
        ? "no energy reading, so no local cost"
        : "cost unknown");
  return { known: false, reason };
}

function energyFigure(summary: Summary, group: GroupSummary): PerCorrectFigure {
  const value = group.energy.per_correct_j;
  if (value !== null) return { known: true, value, source: energySource(summary, group) };
  return { known: false, reason: noCorrect(group) ?? "energy not measured or estimated" };
}

function computeFigure(group: GroupSummary): PerCorrectFigure {
  const value = group.compute?.per_correct_cpu_core_s ?? null;
  if (value !== null) return { known: true, value, source: "the serving process's CPU time" };
  return {
    known: false,
    reason:
      noCorrect(group) ?? (group.compute ? "no CPU time read" : "an API model: its compute is not known"),
  };
}

function carbonFigure(group: GroupSummary): PerCorrectFigure {
  const carbon = group.carbon ?? null;
  const value = carbon?.per_1m_calls_kg ?? null;
  if (carbon && value !== null) {
    const grid = `${carbon.g_per_kwh} gCO2e/kWh${carbon.source === "default" ? " (default grid intensity; set energy.carbon_g_per_kwh)" : ""}`;
    return { known: true, value, source: `energy × ${grid}` };
  }
  return { known: false, reason: "energy unknown, so no carbon" };
}

/** The rows, in the summary's order (model × task as first seen). */
export function perCorrectRows(summary: Summary): PerCorrectRow[] {
  return summary.results.flatMap((group) =>
    group.task === null
      ? []
      : [
          {
            model: group.model,
            task: group.task,
            correct: group.correct,
            cost: costFigure(summary, group),
            energy: energyFigure(summary, group),
            compute: computeFigure(group),
            carbon: carbonFigure(group),
          },
        ],
  );
}

/** A cell: the value with its source as a tooltip, or "—" with the reason as one. */
function cell(figure: PerCorrectFigure, format: (v: number) => string): string {
  return figure.known
    ? `<td class="num" title="${escapeHtml(`source: ${figure.source}`)}">${escapeHtml(format(figure.value))}</td>`
    : `<td class="num" title="${escapeHtml(figure.reason)}">—</td>`;
}

/** The table as HTML (every name escaped); empty when the run has no model × task. */
export function renderPerCorrectTable(summary: Summary, rows: readonly PerCorrectRow[]): string {
  if (rows.length === 0) return "";
  const body = rows
    .map((r) => {
      const swatch = `<span class="swatch" style="background:${modelColor(summary, r.model)}"></span>`;
      const correct = r.correct === null ? "—" : String(Number(r.correct.toPrecision(4)));
      return `<tr><td>${swatch}${escapeHtml(r.model)}</td><td>${escapeHtml(r.task)}</td><td class="num">${correct}</td>${cell(r.cost, usd)}${cell(r.energy, joules)}${cell(r.compute, (v) => `${Number(v.toPrecision(3))} CPU-s`)}${cell(r.carbon, (v) => `${Number(v.toPrecision(3))} kg`)}</tr>`;
    })
    .join("\n");
  return `<table class="accuracy per-correct"><caption>Cost, energy and compute per correct answer (the total over the sum of the first scorer's scores), and carbon per 1M calls; hover a figure for its source, or "—" for why it is unknown.</caption><thead><tr><th scope="col">Model</th><th scope="col">Task</th><th scope="col" class="num">Correct</th><th scope="col" class="num">Cost per correct</th><th scope="col" class="num">Energy per correct</th><th scope="col" class="num">Compute per correct</th><th scope="col" class="num">CO2e per 1M calls</th></tr></thead><tbody>${body}</tbody></table>`;
}
