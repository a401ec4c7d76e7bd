/**
 * The call record of one load call: the same `CallRecord` a run writes (same keys, same metrics
 * from the transport's timestamps through `CallTimeline`), built without scoring — a load call
 * measures capacity and is not scored (`opbench rescore` refuses load logs for that reason), so
 * its `scores` are empty and no scorer input, score objects or promises are made per request.
 */
import type { CallError } from "../core/errors.ts";
import { type CallRecord, LOG_VERSION } from "../core/records.ts";
import type { GenerationRequest, Runner } from "../core/runner.ts";
import type { CallTimeline } from "../metrics/call-timeline.ts";
import type { Case } from "../suite/resolved.ts";

/** Where the call sits: its item key, model, task, case and whether it is a warm-up. */
export interface LoadRecordPlace {
  key: string;
  model: string;
  task: string;
  case: Case;
  caseIndex: number;
  warmup: boolean;
}

/**
 * The record; a promise only when the server reported no token counts and the runner has to
 * count them (`tokens_source: "estimated"`), as a run does.
 */
export function loadCallRecord(
  runner: Runner,
  place: LoadRecordPlace,
  request: GenerationRequest,
  timeline: CallTimeline,
  error: CallError | undefined,
  startedAt: string,
): CallRecord | Promise<CallRecord> {
  const usage = timeline.usage;
  if (error === undefined && usage.outputTokens === undefined && runner.countTokens) {
    return estimated(runner, place, request, timeline, startedAt);
  }
  const source = usage.outputTokens !== undefined ? "server" : null;
  return record(place, request, timeline, error, startedAt, usage.outputTokens, usage.inputTokens, source);
}

async function estimated(
  runner: Runner,
  place: LoadRecordPlace,
  request: GenerationRequest,
  timeline: CallTimeline,
  startedAt: string,
): Promise<CallRecord> {
  const callText = timeline.toolCalls.map((call) => call.name + call.arguments).join("");
  const outputTokens = await runner.countTokens!(timeline.reasoning + timeline.content + callText);
  const inputTokens =
    timeline.usage.inputTokens ?? (await runner.countTokens!((request.system ?? "") + request.prompt));
  return record(place, request, timeline, undefined, startedAt, outputTokens, inputTokens, "estimated");
}

function record(
  place: LoadRecordPlace,
  request: GenerationRequest,
  timeline: CallTimeline,
  error: CallError | undefined,
  startedAt: string,
  outputTokens: number | undefined,
  inputTokens: number | undefined,
  tokensSource: CallRecord["tokens_source"],
): CallRecord {
  const ok = error === undefined;
  const usage = timeline.usage;
  const metrics = timeline.metrics(outputTokens, request.stream);
  const c = place.case;
  // Key for key the literal of engine/attempt.ts, so a load call's line reads as a run's.
  return {
    v: LOG_VERSION,
    type: "call",
    item: place.key,
    attempt: 1,
    model: place.model,
    task: place.task,
    case_id: c.id,
    case_index: place.caseIndex,
    cluster: c.cluster ?? null,
    case_weight: c.weight,
    repeat: 0,
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
    input_tokens: inputTokens ?? null,
    cached_input_tokens: usage.cachedInputTokens ?? null,
    cache_write_input_tokens: usage.cacheWriteInputTokens ?? null,
    output_tokens: outputTokens ?? null,
    reasoning_tokens: usage.reasoningTokens ?? null,
    tokens_source: tokensSource,
    server: timeline.serverTimings ?? null,
    output: ok || timeline.content ? timeline.content : null,
    reasoning: timeline.reasoning || null,
    tool_calls: timeline.toolCalls.length > 0 ? timeline.toolCalls : null,
    finish_reason: timeline.finishReason ?? null,
    response_id: timeline.responseId ?? null,
    model_snapshot: timeline.modelSnapshot ?? null,
    expected: c.expected ?? null,
    scores: [],
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    error: error ? { class: error.errorClass, message: error.message, status: error.status ?? null } : null,
    backoff_ms: null,
    rate_wait_ms: null,
    will_retry: false,
  };
}
