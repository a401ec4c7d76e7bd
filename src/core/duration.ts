/** Durations as the suite writes them: a number of seconds, or `500ms`, `30s`, `2m`, `1h`. */

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/;

/**
 * A suite duration in milliseconds: numbers are seconds, strings carry their unit.
 * Throws `RangeError` for anything else (the schema rejects those before this runs).
 */
export function parseDuration(value: number | string): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`invalid duration: ${value}`);
    return roundMs(value * 1_000);
  }
  const match = DURATION.exec(value.trim());
  if (!match) throw new RangeError(`invalid duration: ${JSON.stringify(value)} (use 500ms, 30s, 2m, 1h)`);
  return roundMs(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** Drops floating-point noise (1.1 s is 1100 ms, not 1100.0000000000002), keeping microseconds. */
function roundMs(ms: number): number {
  return Math.round(ms * 1_000) / 1_000;
}
