/**
 * What a chart builder returns: a Vega-Lite spec (with its title and its text alternative,
 * `description`), or a note saying why the run holds nothing to draw.
 */
import type { TopLevelSpec } from "vega-lite";
import type { GroupSummary, ScorerAccuracy } from "../../src/metrics/group.ts";
import { escapeHtml } from "./format.ts";

export type ChartSlot =
  | {
      kind: "chart";
      /** Element id in the page (letters, digits and dashes). */
      id: string;
      /** What the chart shows, as its heading in the page. */
      title: string;
      /** The text alternative: what a reader who cannot see the chart needs. Also the spec's. */
      description: string;
      spec: TopLevelSpec;
    }
  | { kind: "note"; id: string; title: string; reason: string };

/** The primary accuracy of a group: its first scorer's estimate (null: no scorer). */
export function primaryAccuracy(group: GroupSummary): ScorerAccuracy | null {
  return group.accuracy[0] ?? null;
}

/** Shared look of the report's charts (fonts the system has: nothing is fetched). */
export const CHART_CONFIG = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  title: { fontSize: 14, anchor: "start", subtitleColor: "#555" },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: "#e6e6e6" },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  view: { stroke: null },
} as const;

/** A chart slot as page HTML: the element vega-embed draws into, or the note saying why not. */
export function renderSlot(slot: ChartSlot): string {
  if (slot.kind === "note") {
    return `<figure class="chart empty"><h3>${escapeHtml(slot.title)}</h3><p class="note">Nothing to draw: ${escapeHtml(slot.reason)}.</p></figure>`;
  }
  return `<figure class="chart"><div class="vega" id="${slot.id}" role="img" aria-label="${escapeHtml(slot.description)}"></div><figcaption><details><summary>Text description</summary>${escapeHtml(slot.description)}</details></figcaption></figure>`;
}
