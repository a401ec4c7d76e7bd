/** One attempt of one work item: request → runner stream → metrics, scores → a CallRecord. */
import { CallError, toCallError } from "../core/errors.ts";
import { isoTime } from "../core/iso-time.ts";
import type { CallRecord, ScoreRecord } from "../core/records.ts";
import {
  type GenerationRequest,
  type Runner,
  type RunnerEvent,
  type RunnerEventSink,
  runCall,
  type ToolCall,
} from "../core/runner.ts";
import type { ScoreInput } from "../core/scorer.ts";
import { CallTimeline } from "../metrics/call-timeline.ts";
import { type CallJudging, scoreAll } from "../scoring/score-all.ts";
import type { Case, ResolvedParams } from "../suite/resolved.ts";
import { callRecord, callTokens, type RecordPlace } from "./call-record.ts";
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
  const timer = setTimeout(abortOnTimeout, params.timeoutMs, call, params.timeoutMs);
  const signal = call.signal;
  const request = callRequest(item, params, signal);
  const startedAt = isoTime();
  const timeline = new CallTimeline();
  let error: CallError | undefined;
  try {
    const sink: RunnerEventSink = guard
      ? (event) => {
          timeline.apply(event);
          const cut = guard(event);
          if (cut) {
            call.abort(cut); // cancels the transport; the throw closes the runner's stream
            throw cut;
          }
        }
      : (event) => timeline.apply(event);
    await runCall(runner, request, sink);
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
  const ok = error === undefined;
  // Awaited only when the runner counts tokens or a scorer is asynchronous (a judge).
  const counted = callTokens(runner, request, timeline, ok);
  const tokens = counted instanceof Promise ? await counted : counted;
  let scores: ScoreRecord[] = [];
  if (ok) {
    const toolCalls = timeline.toolCalls.length > 0 ? timeline.toolCalls : undefined;
    const scored = scoreOutput(item, timeline.content, judging, toolCalls);
    scores = Array.isArray(scored) ? scored : await scored;
  }
  const place: RecordPlace = {
    key: item.key,
    model: item.model.id,
    task: item.task.id,
    case: item.case,
    caseIndex: item.caseIndex,
    warmup: item.warmup,
    attempt,
    repeat: item.repeat,
    backoffMs: backoff,
  };
  const record = callRecord(place, request.stream, timeline, error, startedAt, tokens, scores);
  const sentAtMs = timeline.tSend === undefined ? null : performance.timeOrigin + timeline.tSend;
  return { record, error, sentAtMs };
}

/** A call's timeout (no closure per call): aborts it with the reason its record gives. */
function abortOnTimeout(call: AbortController, timeoutMs: number): void {
  call.abort(new CallError("timeout", `no complete response within ${timeoutMs} ms`));
}

/**
 * The request of one call. Optional fields are set one by one rather than spread from temporary
 * objects: this runs once per call, and the spreads were a visible share of a run's CPU.
 */
export function callRequest(item: WorkItem, params: ResolvedParams, signal: AbortSignal): GenerationRequest {
  const c = item.case;
  const request: GenerationRequest = {
    prompt: c.prompt,
    maxTokens: params.maxTokens,
    stream: params.stream,
    signal,
  };
  if (c.system !== undefined) request.system = c.system;
  if (c.messages !== undefined) request.messages = c.messages;
  const tools = c.tools ?? item.task.tools;
  if (tools !== undefined) {
    request.tools = tools;
    const toolChoice = c.toolChoice ?? item.task.toolChoice;
    if (toolChoice !== undefined) request.toolChoice = toolChoice;
  }
  if (params.temperature !== undefined) request.temperature = params.temperature;
  if (params.topP !== undefined) request.topP = params.topP;
  if (params.topK !== undefined) request.topK = params.topK;
  if (params.seed !== undefined) request.seed = params.seed;
  if (params.stop !== undefined) request.stop = params.stop;
  const structured = item.task.structured;
  if (
    structured !== undefined &&
    !(structured.type === "grammar" && item.model.config.ignore_grammar === true)
  )
    request.structured = structured;
  return request;
}

/** Runs every scorer of the task; a scorer that throws yields "no score" with its message. */
export function scoreOutput(
  item: WorkItem,
  output: string,
  judging?: CallJudging,
  toolCalls?: readonly ToolCall[],
): ScoreRecord[] | Promise<ScoreRecord[]> {
  return scoreAll(item.task.scorers, scoreInput(item.case, output, toolCalls), judging);
}

/** What the scorers see of a case, its output and the tool calls the model made. */
export function scoreInput(c: Case, output: string, toolCalls?: readonly ToolCall[]): ScoreInput {
  // Set one by one (no spreads): once per call. No key is set to undefined, so a sandboxed
  // scorer sees the same plain object as before.
  const input = { output } as ScoreInput;
  if (toolCalls !== undefined) input.toolCalls = toolCalls;
  if (c.tools !== undefined) input.tools = c.tools;
  input.expected = c.expected;
  input.prompt = c.prompt;
  if (c.system !== undefined) input.system = c.system;
  if (c.row !== undefined) input.row = c.row;
  return input;
}
