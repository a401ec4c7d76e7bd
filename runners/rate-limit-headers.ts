/**
 * How long a provider asks a client to wait after a 429 (or 503), from whatever it sent:
 * `retry-after-ms` (OpenAI), `Retry-After` (seconds or an HTTP date; every provider), the
 * rate-limit reset headers of OpenAI (`x-ratelimit-reset-*`, Go-style durations such as `6m0s`)
 * and Anthropic (`anthropic-ratelimit-*-reset`, RFC 3339 times), and Google's
 * `google.rpc.RetryInfo.retryDelay` in the error body (Gemini sends no header).
 */
import { parseRetryAfter } from "../src/core/errors.ts";

/** Response headers as undici gives them. */
export type HeaderMap = Record<string, string | string[] | undefined>;

/** One rate limit's reset header and the header saying what is left of it. */
interface ResetHeader {
  reset: string;
  remaining: string;
  /** Milliseconds until the reset, from the header's value. */
  parse: (value: string, nowMs: number) => number | undefined;
}

const RESET_HEADERS: readonly ResetHeader[] = [
  { reset: "x-ratelimit-reset-requests", remaining: "x-ratelimit-remaining-requests", parse: durationMs },
  { reset: "x-ratelimit-reset-tokens", remaining: "x-ratelimit-remaining-tokens", parse: durationMs },
  ...["requests", "tokens", "input-tokens", "output-tokens"].map((limit) => ({
    reset: `anthropic-ratelimit-${limit}-reset`,
    remaining: `anthropic-ratelimit-${limit}-remaining`,
    parse: timeUntilMs,
  })),
];

/**
 * The wait a failed response asks for, in milliseconds, or undefined when it names none. An
 * explicit `retry-after-ms` or `Retry-After` wins; on a 429 without one, the reset headers; then
 * a `RetryInfo` in the body. `nowMs` is epoch milliseconds (for dates).
 */
export function retryAfterHintMs(
  headers: HeaderMap,
  status: number,
  body: string,
  nowMs = Date.now(),
): number | undefined {
  const explicitMs = headerValue(headers, "retry-after-ms");
  if (explicitMs !== undefined && /^\d+(\.\d+)?$/.test(explicitMs.trim())) {
    return Math.round(Number(explicitMs.trim()));
  }
  const retryAfter = parseRetryAfter(headerValue(headers, "retry-after"), nowMs);
  if (retryAfter !== undefined) return retryAfter;
  if (status === 429) {
    const reset = rateLimitResetMs(headers, nowMs);
    if (reset !== undefined) return reset;
  }
  return googleRetryDelayMs(body);
}

/**
 * Milliseconds until the rate limit that refused the call resets. Limits reported exhausted
 * (`remaining: 0`) must all reset, so the longest of their resets; when none says so, the soonest
 * reset of any limit, the first moment capacity comes back.
 */
export function rateLimitResetMs(headers: HeaderMap, nowMs = Date.now()): number | undefined {
  const exhausted: number[] = [];
  const all: number[] = [];
  for (const limit of RESET_HEADERS) {
    const value = headerValue(headers, limit.reset);
    const ms = value === undefined ? undefined : limit.parse(value.trim(), nowMs);
    if (ms === undefined) continue;
    all.push(ms);
    if (headerValue(headers, limit.remaining)?.trim() === "0") exhausted.push(ms);
  }
  if (exhausted.length > 0) return Math.max(...exhausted);
  return all.length > 0 ? Math.min(...all) : undefined;
}

const DURATION_UNITS_MS: Record<string, number> = {
  h: 3_600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
  us: 1e-3,
  µs: 1e-3,
  ns: 1e-6,
};

/** A Go-style duration (`1s`, `6m0s`, `20ms`, `1h2m3.5s`) in whole milliseconds, or undefined. */
export function durationMs(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] as string] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Milliseconds from `nowMs` until an RFC 3339 time (0 when it has passed), or undefined. */
function timeUntilMs(text: string, nowMs: number): number | undefined {
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * `retryDelay` of a `google.rpc.RetryInfo` detail in a Google API error body
 * (`{"error":{"details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"32s"}]}}`),
 * in milliseconds; undefined when the body has none.
 */
export function googleRetryDelayMs(body: string): number | undefined {
  if (!body.includes("RetryInfo")) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  // The OpenAI-compatible Gemini endpoint wraps the same error in an array.
  const root = Array.isArray(parsed) ? parsed[0] : parsed;
  const details = (root as { error?: { details?: unknown } } | null)?.error?.details;
  if (!Array.isArray(details)) return undefined;
  for (const detail of details) {
    const { "@type": type, retryDelay } = (detail ?? {}) as { "@type"?: unknown; retryDelay?: unknown };
    if (typeof type !== "string" || !type.endsWith("google.rpc.RetryInfo")) continue;
    const match = typeof retryDelay === "string" ? /^(\d+(\.\d+)?)s$/.exec(retryDelay.trim()) : null;
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}

function headerValue(headers: HeaderMap, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
