/**
 * The wait a provider asks for after a 429/503, from each provider's headers or body, on
 * hand-written header sets in the documented formats.
 */
import { describe, expect, it } from "vitest";
import {
  durationMs,
  googleRetryDelayMs,
  rateLimitResetMs,
  retryAfterHintMs,
} from "../../runners/rate-limit-headers.ts";
import { apiFixture } from "../helpers/fault-server.ts";

const NOW = Date.parse("2026-01-01T00:00:00Z");

describe("durationMs (OpenAI x-ratelimit-reset-* values)", () => {
  it.each([
    ["1s", 1000],
    ["6m0s", 360_000],
    ["20ms", 20],
    ["2m59.56s", 179_560],
    ["1h2m3s", 3_723_000],
    ["0s", 0],
    ["1.5s", 1500],
  ])("%s is %d ms", (text, ms) => {
    expect(durationMs(text)).toBe(ms);
  });

  it.each(["", "soon", "5", "1x", "s1", "1s garbage"])("rejects %j", (text) => {
    expect(durationMs(text)).toBeUndefined();
  });
});

describe("retryAfterHintMs", () => {
  it("prefers retry-after-ms, then Retry-After in seconds or as an HTTP date", () => {
    expect(retryAfterHintMs({ "retry-after-ms": "1500", "retry-after": "9" }, 429, "", NOW)).toBe(1500);
    expect(retryAfterHintMs({ "retry-after": "7" }, 429, "", NOW)).toBe(7000);
    expect(retryAfterHintMs({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, 503, "", NOW)).toBe(30_000);
  });

  it("reads OpenAI's reset headers on a 429: the exhausted limit's reset", () => {
    const headers = {
      "x-ratelimit-limit-requests": "500",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": "1m30s",
      "x-ratelimit-limit-tokens": "30000",
      "x-ratelimit-remaining-tokens": "29000",
      "x-ratelimit-reset-tokens": "20ms",
    };
    expect(retryAfterHintMs(headers, 429, "", NOW)).toBe(90_000);
  });

  it("takes the soonest reset when no limit says it is exhausted", () => {
    const headers = { "x-ratelimit-reset-requests": "2s", "x-ratelimit-reset-tokens": "350ms" };
    expect(rateLimitResetMs(headers, NOW)).toBe(350);
  });

  it("reads Anthropic's RFC 3339 reset times, waiting for every exhausted limit", () => {
    const headers = {
      "anthropic-ratelimit-requests-remaining": "12",
      "anthropic-ratelimit-requests-reset": "2026-01-01T00:00:05Z",
      "anthropic-ratelimit-input-tokens-remaining": "0",
      "anthropic-ratelimit-input-tokens-reset": "2026-01-01T00:00:42Z",
      "anthropic-ratelimit-output-tokens-remaining": "0",
      "anthropic-ratelimit-output-tokens-reset": "2026-01-01T00:00:20Z",
    };
    expect(retryAfterHintMs(headers, 429, "", NOW)).toBe(42_000);
  });

  it("ignores reset headers on a 5xx: they describe rate limits, not an outage", () => {
    expect(retryAfterHintMs({ "x-ratelimit-reset-requests": "1s" }, 503, "", NOW)).toBeUndefined();
  });

  it("falls back to Google's RetryInfo in the error body", () => {
    expect(retryAfterHintMs({}, 429, apiFixture("gemini/error-429.json"), NOW)).toBe(37_000);
  });
});

describe("googleRetryDelayMs", () => {
  it("reads fractional delays and the array-wrapped form of the OpenAI-compatible endpoint", () => {
    const detail = { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" };
    expect(googleRetryDelayMs(JSON.stringify({ error: { code: 503, details: [detail] } }))).toBe(1500);
    expect(googleRetryDelayMs(JSON.stringify([{ error: { code: 429, details: [detail] } }]))).toBe(1500);
  });

  it("is undefined for bodies without a RetryInfo", () => {
    expect(googleRetryDelayMs('{"error":{"code":429,"message":"slow down"}}')).toBeUndefined();
    expect(googleRetryDelayMs("RetryInfo but not JSON")).toBeUndefined();
  });
});
