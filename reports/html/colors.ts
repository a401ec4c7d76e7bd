/**
 * One colour per model across every chart of the report: the Okabe–Ito palette, which readers
 * with the common colour-vision deficiencies can tell apart (yellow last: it is faint on white).
 */
import type { Summary } from "../../src/metrics/summary.ts";

export const OKABE_ITO = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#D55E00",
  "#CC79A7",
  "#56B4E9",
  "#000000",
  "#F0E442",
] as const;

/** The models of a run in a stable order: as they started, then any met only in results. */
export function modelOrder(summary: Summary): string[] {
  const names = [
    ...summary.models.map((m) => m.model),
    ...summary.by_model.map((g) => g.model),
    ...summary.results.map((g) => g.model),
  ];
  return [...new Set(names)];
}

/** A Vega-Lite colour scale giving each model of `summary` its palette colour (cycling past 8). */
export function modelColorScale(summary: Summary): { domain: string[]; range: string[] } {
  const domain = modelOrder(summary);
  return { domain, range: domain.map((_, i) => OKABE_ITO[i % OKABE_ITO.length] as string) };
}

/** The colour of `model` in `summary`'s charts. */
export function modelColor(summary: Summary, model: string): string {
  const index = Math.max(0, modelOrder(summary).indexOf(model));
  return OKABE_ITO[index % OKABE_ITO.length] as string;
}
