/**
 * ISO 8601 timestamps of the current time (`Date#toISOString`'s form) and their epoch ms, for
 * code that stamps or reads one per call: the date and time up to the second are formatted or
 * parsed once per second, the milliseconds by hand. `toISOString` and `Date.parse` go through
 * V8's runtime on every call and were a visible share of a run's per-call CPU.
 */

/** The second whose text is cached (epoch ms of its start), and that text: `YYYY-MM-DDTHH:MM:SS.`. */
let cachedSecondMs = Number.NaN;
let cachedPrefix = "";

/** The end of year 9999: later times have six-digit years. */
const MAX_MS = 253402300800000;

function prefixOf(secondMs: number): string {
  if (secondMs !== cachedSecondMs) {
    cachedSecondMs = secondMs;
    cachedPrefix = new Date(secondMs).toISOString().slice(0, 20);
  }
  return cachedPrefix;
}

/** `new Date(ms).toISOString()` for a whole `ms` in years 1970–9999 (other values: the same, uncached). */
export function isoTime(ms: number = Date.now()): string {
  if (!(Number.isInteger(ms) && ms >= 0 && ms < MAX_MS)) return new Date(ms).toISOString();
  const milli = ms % 1000;
  const prefix = prefixOf(ms - milli);
  return `${prefix}${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}Z`;
}

/** `Date.parse(text)`, with a fast path for `toISOString`'s form in the second last formatted or parsed. */
export function isoTimeMs(text: string): number {
  if (
    text.length === 24 &&
    cachedPrefix !== "" &&
    text.startsWith(cachedPrefix) &&
    text.charCodeAt(23) === 0x5a
  ) {
    const d0 = text.charCodeAt(20) - 48;
    const d1 = text.charCodeAt(21) - 48;
    const d2 = text.charCodeAt(22) - 48;
    if (d0 >= 0 && d0 <= 9 && d1 >= 0 && d1 <= 9 && d2 >= 0 && d2 <= 9)
      return cachedSecondMs + d0 * 100 + d1 * 10 + d2;
  }
  const ms = Date.parse(text);
  // Remember this second, so that the next stamps of it are read without parsing.
  if (Number.isInteger(ms) && ms >= 0 && ms < MAX_MS) prefixOf(ms - (ms % 1000));
  return ms;
}
