/**
 * The one builder of a call record: a run's attempt (engine/attempt.ts) and a load call
 * (load/load-record.ts) both make their `CallRecord` here, from where the call sits, its timeline
 * (metrics from the transport's timestamps), its token counts and its scores, so the two kinds of
 * line have the same keys in the same order by construction.
 */
import type { CallError } from "../core/errors.ts";
import { type CallRecord, LOG_VERSION, type ScoreRecord } from "../core/records.ts";
import type { GenerationRequest, Runner } from "../core/runner.ts";
import type { CallTimeline } from "../metrics/call-timeline.ts";
import type { Case } from "../suite/resolved.ts";

/**
 * Where a call sits: its item key, model and task ids, case and whether it is a warm-up. A load
 * call leaves out what only a run has: `attempt` (1), `repeat` (0) and `backoffMs` (null).
 */
export interface RecordPlace {
  key: string;
  model: string;
  task: string;
  case: Case;
  caseIndex: number;
  warmup: boolean;
  attempt?: number;
  repeat?: number;
  /** Time waited before this attempt because of an earlier attempt's failure. */
  backoffMs?: number | null;
}

/** A call's token counts and where they came from. */
export interface RecordTokens {
  input: number | undefined;
  output: number | undefined;
  source: CallRecord["tokens_source"];
}

/**
 * The call's token counts: the server's, or, when a successful call's server reported no output
 * count and the runner can count, the runner's estimate (`tokens_source: "estimated"`; the
 * input counted too unless the server gave it) — only then a promise.
 */
export function callTokens(
  runner: Runner,
  request: GenerationRequest,
  timeline: CallTimeline,
  ok: boolean,
): RecordTokens | Promise<RecordTokens> {
  const usage = timeline.usage;
  if (ok && usage.outputTokens === undefined && runner.countTokens) {
    return estimatedTokens(runner, request, timeline);
  }
  return {
    input: usage.inputTokens,
    output: usage.outputTokens,
    source: usage.outputTokens !== undefined ? "server" : null,
  };
}

async function estimatedTokens(
  runner: Runner,
  request: GenerationRequest,
  timeline: CallTimeline,
): Promise<RecordTokens> {
  const callText = timeline.toolCalls.map((call) => call.name + call.arguments).join("");
  const output = await runner.countTokens!(timeline.reasoning + timeline.content + callText);
  const input =
    timeline.usage.inputTokens ?? (await runner.countTokens!((request.system ?? "") + request.prompt));
  return { input, output, source: "estimated" };
}

/**
 * The record. `streamed`: whether the request streamed (TTFT is observable only then). Cost,
 * energy and the retry and rate-limit fields start empty; the engine fills them in place.
 */
export function callRecord(
  place: RecordPlace,
  streamed: boolean,
  timeline: CallTimeline,
  error: CallError | undefined,
  startedAt: string,
  tokens: RecordTokens,
  scores: ScoreRecord[],
): CallRecord {
  const ok = error === undefined;
  const usage = timeline.usage;
  const metrics = timeline.metrics(tokens.output, streamed);
  const c = place.case;
  // One literal, no spreads (a record is built per call). `case_weight` is undefined for a case
  // without a weight, which JSON leaves out of the line as the log format wants.
  return {
    v: LOG_VERSION,
    type: "call",
    item: place.key,
    attempt: place.attempt ?? 1,
    model: place.model,
    task: place.task,
    case_id: c.id,
    case_index: place.caseIndex,
    cluster: c.cluster ?? null,
    case_weight: c.weight,
    repeat: place.repeat ?? 0,
    warmup: place.warmup,
    started_at: startedAt,
    ok,
    ttft_ms: metrics.ttft_ms,
    ttft_reasoning_ms: metrics.ttft_reasoning_ms,
    e2e_ms: metrics.e2e_ms,
    chunk_gaps_ms: metrics.chunk_gaps_ms,
    tpot_ms: metrics.tpot_ms,
    output_tps: metrics.output_tps,
    queue_ms: metrics.queue_ms,
    input_tokens: tokens.input ?? null,
    cached_input_tokens: usage.cachedInputTokens ?? null,
    cache_write_input_tokens: usage.cacheWriteInputTokens ?? null,
    output_tokens: tokens.output ?? null,
    reasoning_tokens: usage.reasoningTokens ?? null,
    tokens_source: tokens.source,
    server: timeline.serverTimings ?? null,
    output: ok || timeline.content ? timeline.content : null,
    reasoning: timeline.reasoning || null,
    tool_calls: timeline.toolCalls.length > 0 ? timeline.toolCalls : null,
    finish_reason: timeline.finishReason ?? null,
    response_id: timeline.responseId ?? null,
    model_snapshot: timeline.modelSnapshot ?? null,
    expected: c.expected ?? null,
    scores,
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    error: error ? { class: error.errorClass, message: error.message, status: error.status ?? null } : null,
    backoff_ms: place.backoffMs ?? null,
    rate_wait_ms: null,
    will_retry: false,
  };
}
