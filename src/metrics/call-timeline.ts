/**
 * Folds one call's runner events into the per-call metrics (README: Metrics). Pure bookkeeping on
 * the transport's timestamps: nothing here reads a clock.
 */
import type { RunnerEvent, TokenUsage, ToolCall } from "../core/runner.ts";

/** Per-call timing and token fields, with `null` for what was not measured. */
export interface CallMetrics {
  ttft_ms: number | null;
  ttft_reasoning_ms: number | null;
  e2e_ms: number | null;
  chunk_gaps_ms: number[];
  tpot_ms: number | null;
  output_tps: number | null;
  queue_ms: number | null;
}

/** Rounds to microseconds: sub-µs digits of performance.now() are noise and bloat the log. */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

export class CallTimeline {
  tSend: number | undefined;
  tEnd: number | undefined;
  tFirstContent: number | undefined;
  tFirstReasoning: number | undefined;
  private tLastContent: number | undefined;
  readonly chunkGapsMs: number[] = [];
  content = "";
  reasoning = "";
  /** Complete tool calls, in the order the model made them. */
  readonly toolCalls: ToolCall[] = [];
  usage: TokenUsage = {};
  serverTimings: Record<string, unknown> | undefined;
  responseId: string | undefined;
  modelSnapshot: string | undefined;
  finishReason: string | undefined;

  apply(event: RunnerEvent): void {
    switch (event.type) {
      case "sent":
        this.tSend = event.t;
        break;
      case "delta":
        if (event.channel === "content") {
          this.content += event.text;
          if (this.tLastContent !== undefined) this.chunkGapsMs.push(us(event.t - this.tLastContent));
          this.tFirstContent ??= event.t;
          this.tLastContent = event.t;
        } else {
          this.reasoning += event.text;
          this.tFirstReasoning ??= event.t;
        }
        break;
      case "tool_call":
        this.toolCalls.push(event.call);
        break;
      case "usage":
        this.usage = { ...this.usage, ...definedOnly(event.usage) };
        break;
      case "server_timings":
        this.serverTimings = event.timings;
        break;
      case "response":
        this.responseId = event.id ?? this.responseId;
        this.modelSnapshot = event.model ?? this.modelSnapshot;
        this.finishReason = event.finishReason ?? this.finishReason;
        break;
      case "end":
        this.tEnd = event.t;
        break;
    }
  }

  /**
   * Derives the metrics. `outputTokens` is the count to use for TPOT (server-reported or
   * estimated); `streamed` false means TTFT cannot be observed and stays null.
   */
  metrics(outputTokens: number | undefined, streamed: boolean): CallMetrics {
    const { tSend, tEnd } = this;
    const e2e = tSend !== undefined && tEnd !== undefined ? tEnd - tSend : null;
    const ttft =
      streamed && tSend !== undefined && this.tFirstContent !== undefined ? this.tFirstContent - tSend : null;
    const ttftReasoning =
      streamed && tSend !== undefined && this.tFirstReasoning !== undefined
        ? this.tFirstReasoning - tSend
        : null;
    // Decode time starts at the first visible token, or the first reasoning token for reasoning models.
    const firstToken = ttftReasoning !== null && ttft !== null ? Math.min(ttft, ttftReasoning) : ttft;
    let tpot: number | null = null;
    let tps: number | null = null;
    if (e2e !== null && firstToken !== null && outputTokens !== undefined && outputTokens >= 2) {
      const decodeMs = e2e - firstToken;
      tpot = decodeMs / (outputTokens - 1);
      tps = decodeMs > 0 ? (outputTokens - 1) / (decodeMs / 1000) : null;
    }
    const promptMs = this.serverTimings?.prompt_ms;
    const queue = ttft !== null && typeof promptMs === "number" ? ttft - promptMs : null;
    return {
      ttft_ms: ttft === null ? null : us(ttft),
      ttft_reasoning_ms: ttftReasoning === null ? null : us(ttftReasoning),
      e2e_ms: e2e === null ? null : us(e2e),
      chunk_gaps_ms: this.chunkGapsMs,
      tpot_ms: tpot === null ? null : us(tpot),
      output_tps: tps === null ? null : Math.round(tps * 100) / 100,
      queue_ms: queue === null ? null : us(queue),
    };
  }
}

/** Every count a usage event may carry (the type checks that none is missing). */
const USAGE_KEYS = Object.keys({
  inputTokens: true,
  cachedInputTokens: true,
  cacheWriteInputTokens: true,
  outputTokens: true,
  reasoningTokens: true,
} satisfies Record<keyof TokenUsage, true>) as (keyof TokenUsage)[];

/** The counts of `usage` that are given (a call's hot path: no entries array). */
function definedOnly(usage: TokenUsage): TokenUsage {
  const out: TokenUsage = {};
  for (const key of USAGE_KEYS) {
    const value = usage[key];
    if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}
