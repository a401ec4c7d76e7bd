/** One attempt of one work item: request → runner stream → metrics, scores → a CallRecord. */
import { CallError, toCallError } from "../core/errors.ts";
import { type CallRecord, LOG_VERSION, type ScoreRecord } from "../core/records.ts";
import {
  type GenerationRequest,
  type Runner,
  type RunnerEvent,
  runCall,
  type ToolCall,
} from "../core/runner.ts";
import type { ScoreInput } from "../core/scorer.ts";
import { CallTimeline } from "../metrics/call-timeline.ts";
import { type CallJudging, scoreAll } from "../scoring/score-all.ts";
import type { Case, ResolvedParams } from "../suite/resolved.ts";
import type { WorkItem } from "./plan.ts";

export interface AttemptOutcome {
  record: CallRecord;
  error: CallError | undefined;
  /** When the request was sent, epoch ms at sub-ms resolution (null if it never was). */
  sentAtMs: number | null;
}

/** Task params with the model's params merged over them. */
export function callParams(item: WorkItem, modelParams: Partial<ResolvedParams> | undefined): ResolvedParams {
  return { ...item.task.params, ...item.case.params, ...modelParams };
}

/**
 * Sees each runner event of a call as it arrives; a CallError returned cancels the call with it
 * (the `--max-cost` spend guard).
 */
export type CallGuard = (event: RunnerEvent) => CallError | undefined;

/** The calls in flight under each run signal, aborted together by one listener on it. */
const callsBySignal = new WeakMap<AbortSignal, Set<AbortController>>();

/**
 * The set of calls in flight under `runSignal`: one listener per run signal aborts them all, where
 * a listener added and removed per call costs more than the rest of the call's bookkeeping.
 */
function callsOf(runSignal: AbortSignal): Set<AbortController> {
  let calls = callsBySignal.get(runSignal);
  if (calls === undefined) {
    const inFlight = new Set<AbortController>();
    calls = inFlight;
    callsBySignal.set(runSignal, inFlight);
    runSignal.addEventListener(
      "abort",
      () => {
        for (const call of inFlight) call.abort(runSignal.reason);
        inFlight.clear();
      },
      { once: true },
    );
  }
  return calls;
}

/**
 * Makes one attempt. Never throws for call failures: they come back as a record with `error`.
 * `runSignal` aborts on Ctrl-C; the per-call timeout is armed here; `guard` may cut the call off.
 */
export async function runAttempt(
  runner: Runner,
  item: WorkItem,
  params: ResolvedParams,
  attempt: number,
  backoff: number | null,
  runSignal: AbortSignal,
  guard?: CallGuard,
  judging?: CallJudging,
): Promise<AttemptOutcome> {
  // One controller per call, aborted by its timeout or by the run's signal. Not AbortSignal.any:
  // its composite signals stay reachable from the long-lived run signal and pile up (with the
  // requests listening to them) over a long run.
  const call = new AbortController();
  const inFlight = callsOf(runSignal);
  if (runSignal.aborted) call.abort(runSignal.reason);
  else inFlight.add(call);
  const timer = setTimeout(
    () => call.abort(new CallError("timeout", `no complete response within ${params.timeoutMs} ms`)),
    params.timeoutMs,
  );
  const signal = call.signal;
  const tools = item.case.tools ?? item.task.tools;
  const toolChoice = item.case.toolChoice ?? item.task.toolChoice;
  const request: GenerationRequest = {
    prompt: item.case.prompt,
    maxTokens: params.maxTokens,
    stream: params.stream,
    signal,
    ...(item.case.system !== undefined && { system: item.case.system }),
    ...(item.case.messages !== undefined && { messages: item.case.messages }),
    ...(tools !== undefined && { tools }),
    ...(tools !== undefined && toolChoice !== undefined && { toolChoice }),
    ...(params.temperature !== undefined && { temperature: params.temperature }),
    ...(params.topP !== undefined && { topP: params.topP }),
    ...(params.topK !== undefined && { topK: params.topK }),
    ...(params.seed !== undefined && { seed: params.seed }),
    ...(params.stop !== undefined && { stop: params.stop }),
    ...(item.task.structured !== undefined &&
      !(item.task.structured.type === "grammar" && item.model.config.ignore_grammar === true) && {
        structured: item.task.structured,
      }),
  };
  const startedAt = new Date().toISOString();
  const timeline = new CallTimeline();
  let error: CallError | undefined;
  try {
    await runCall(
      runner,
      request,
      guard
        ? (event) => {
            timeline.apply(event);
            const cut = guard(event);
            if (cut) {
              call.abort(cut); // cancels the transport; the throw closes the runner's stream
              throw cut;
            }
          }
        : (event) => timeline.apply(event),
    );
    if (timeline.tEnd === undefined)
      throw new CallError("stream_aborted", "the runner ended without an end event");
  } catch (thrown) {
    // A signal's reason says why the call stopped (timeout or Ctrl-C) better than the transport's error.
    const reason = signal.aborted ? signal.reason : undefined;
    error = reason instanceof CallError ? reason : toCallError(thrown);
  } finally {
    clearTimeout(timer);
    inFlight.delete(call);
  }
  const record = await buildRecord(
    runner,
    item,
    request,
    timeline,
    error,
    attempt,
    backoff,
    startedAt,
    judging,
  );
  const sentAtMs = timeline.tSend === undefined ? null : performance.timeOrigin + timeline.tSend;
  return { record, error, sentAtMs };
}

async function buildRecord(
  runner: Runner,
  item: WorkItem,
  request: GenerationRequest,
  timeline: CallTimeline,
  error: CallError | undefined,
  attempt: number,
  backoff: number | null,
  startedAt: string,
  judging: CallJudging | undefined,
): Promise<CallRecord> {
  const ok = error === undefined;
  const usage = timeline.usage;
  let outputTokens = usage.outputTokens;
  let inputTokens = usage.inputTokens;
  let tokensSource: CallRecord["tokens_source"] = outputTokens !== undefined ? "server" : null;
  if (ok && outputTokens === undefined && runner.countTokens) {
    const callText = timeline.toolCalls.map((call) => call.name + call.arguments).join("");
    outputTokens = await runner.countTokens(timeline.reasoning + timeline.content + callText);
    inputTokens ??= await runner.countTokens((request.system ?? "") + request.prompt);
    tokensSource = "estimated";
  }
  const metrics = timeline.metrics(outputTokens, request.stream);
  const toolCalls = timeline.toolCalls.length > 0 ? timeline.toolCalls : undefined;
  const scores: ScoreRecord[] = ok ? await scoreOutput(item, timeline.content, judging, toolCalls) : [];
  return {
    v: LOG_VERSION,
    type: "call",
    item: item.key,
    attempt,
    model: item.model.id,
    task: item.task.id,
    case_id: item.case.id,
    case_index: item.caseIndex,
    cluster: item.case.cluster ?? null,
    ...(item.case.weight !== undefined && { case_weight: item.case.weight }),
    repeat: item.repeat,
    warmup: item.warmup,
    started_at: startedAt,
    ok,
    ...metrics,
    input_tokens: inputTokens ?? null,
    cached_input_tokens: usage.cachedInputTokens ?? null,
    cache_write_input_tokens: usage.cacheWriteInputTokens ?? null,
    output_tokens: outputTokens ?? null,
    reasoning_tokens: usage.reasoningTokens ?? null,
    tokens_source: tokensSource,
    server: timeline.serverTimings ?? null,
    output: ok || timeline.content ? timeline.content : null,
    reasoning: timeline.reasoning || null,
    tool_calls: toolCalls ?? null,
    finish_reason: timeline.finishReason ?? null,
    response_id: timeline.responseId ?? null,
    model_snapshot: timeline.modelSnapshot ?? null,
    expected: item.case.expected ?? null,
    scores,
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    error: error ? { class: error.errorClass, message: error.message, status: error.status ?? null } : null,
    backoff_ms: backoff,
    rate_wait_ms: null,
    will_retry: false,
  };
}

/** Runs every scorer of the task; a scorer that throws yields "no score" with its message. */
export function scoreOutput(
  item: WorkItem,
  output: string,
  judging?: CallJudging,
  toolCalls?: readonly ToolCall[],
): Promise<ScoreRecord[]> {
  return scoreAll(item.task.scorers, scoreInput(item.case, output, toolCalls), judging);
}

/** What the scorers see of a case, its output and the tool calls the model made. */
export function scoreInput(c: Case, output: string, toolCalls?: readonly ToolCall[]): ScoreInput {
  return {
    output,
    ...(toolCalls !== undefined && { toolCalls }),
    ...(c.tools !== undefined && { tools: c.tools }),
    expected: c.expected,
    prompt: c.prompt,
    ...(c.system !== undefined && { system: c.system }),
    ...(c.row !== undefined && { row: c.row }),
  };
}
