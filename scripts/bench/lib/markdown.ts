/** Markdown pieces the benchmark sections share: numbers, "median (min–max)" spreads, tables. */
import type { Spread } from "./stats.ts";

export const n = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined ? "–" : value.toFixed(digits);

/** "median (min–max)", or the single value of one run. */
export function fmt(spread: Spread | null | undefined, digits = 2): string {
  if (!spread) return "–";
  if (spread.n === 1) return n(spread.median, digits);
  return `${n(spread.median, digits)} (${n(spread.min, digits)}–${n(spread.max, digits)})`;
}

/** A spread of milliseconds in seconds. */
export const seconds = (spread: Spread | null): Spread | null =>
  spread && { ...spread, min: spread.min / 1000, median: spread.median / 1000, max: spread.max / 1000 };

export const met = (ok: boolean | null): string =>
  ok === null ? "not measured" : ok ? "**met**" : "**not met**";

export function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

export function scale(spread: Spread | null, factor: number): Spread | null {
  return (
    spread && {
      n: spread.n,
      min: spread.min * factor,
      median: spread.median * factor,
      max: spread.max * factor,
    }
  );
}
