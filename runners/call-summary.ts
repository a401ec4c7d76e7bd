/**
 * What every protocol parser ends a call with, whatever the wire format: the usage in opbench's
 * canonical token convention, server timings, the response's identity, and the `end` event.
 */
import { CallError, classifyStatus } from "../src/core/errors.ts";
import type { RunnerEvent, RunnerEventSink, TokenUsage } from "../src/core/runner.ts";
import { canonicalTokens, type TokenCounts, type UsageConvention } from "../src/cost/tokens.ts";

/** What the last chunk (or the whole response) says about the call. */
export interface Summary {
  usage?: TokenUsage;
  timings?: Record<string, unknown>;
  id?: string;
  model?: string;
  finishReason?: string;
}

/** The closing events of a call: usage, server timings, response identity, then `end` at `tEnd`. */
export function* summaryEvents(summary: Summary, tEnd: number): Generator<RunnerEvent> {
  const events: RunnerEvent[] = [];
  emitSummary(summary, tEnd, (event) => events.push(event));
  yield* events;
}

/** {@link summaryEvents}, each pushed to `emit` (a decoder's end, without a generator). */
export function emitSummary(summary: Summary, tEnd: number, emit: RunnerEventSink): void {
  if (summary.usage) emit({ type: "usage", usage: summary.usage });
  if (summary.timings) emit({ type: "server_timings", timings: summary.timings });
  const response: Extract<RunnerEvent, { type: "response" }> = { type: "response" };
  if (summary.id !== undefined) response.id = summary.id;
  if (summary.model !== undefined) response.model = summary.model;
  if (summary.finishReason !== undefined) response.finishReason = summary.finishReason;
  emit(response);
  emit({ type: "end", t: tEnd });
}

/**
 * A provider's counts (mapped field by field) in opbench's canonical convention: input includes
 * cached reads and cache writes, output includes reasoning (see src/cost/tokens.ts).
 */
export function canonicalUsage(raw: TokenUsage, convention: UsageConvention): TokenUsage {
  const counts: TokenCounts = {
    input_tokens: raw.inputTokens ?? null,
    cached_input_tokens: raw.cachedInputTokens ?? null,
    cache_write_input_tokens: raw.cacheWriteInputTokens ?? null,
    output_tokens: raw.outputTokens ?? null,
    reasoning_tokens: raw.reasoningTokens ?? null,
  };
  const canonical = canonicalTokens(counts, convention);
  const usage: TokenUsage = {};
  if (canonical.input_tokens !== null) usage.inputTokens = canonical.input_tokens;
  if (canonical.cached_input_tokens !== null) usage.cachedInputTokens = canonical.cached_input_tokens;
  if (canonical.cache_write_input_tokens !== null) {
    usage.cacheWriteInputTokens = canonical.cache_write_input_tokens;
  }
  if (canonical.output_tokens !== null) usage.outputTokens = canonical.output_tokens;
  if (canonical.reasoning_tokens !== null) usage.reasoningTokens = canonical.reasoning_tokens;
  return usage;
}

/** A number field of a payload, or undefined when absent or not a finite number. */
export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** An error reported inside a 200 response (e.g. mid-stream), classified by its HTTP-like `status`. */
export function inBandError(status: number, message: string): CallError {
  return new CallError(classifyStatus(status), `server error: ${message}`, { status });
}

/** The value as a JSON object, or a `parse` error: every protocol's responses are objects. */
export function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CallError("parse", "expected a JSON object from the server");
  }
  return value as Record<string, unknown>;
}
