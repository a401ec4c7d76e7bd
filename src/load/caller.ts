/**
 * Makes one load call: the same request and metrics as `opbench run` (the request built by the
 * engine's `callRequest`, the metrics folded by `CallTimeline` from the transport's timestamps),
 * through a lean path of its own — no scoring, no retries (under load a failure is a result),
 * one abort listener for every call in flight — so that the harness takes as little CPU per
 * request as it can from a server sharing the machine. Dispatch delay is measured on the
 * transport's clock (its `sent` event). Once the call is over it is priced and added to the
 * step's energy window, as a run's calls are.
 */
import { CallError, toCallError } from "../core/errors.ts";
import { isoTime } from "../core/iso-time.ts";
import type { CallRecord, LoadCallEvent } from "../core/records.ts";
import { runCall } from "../core/runner.ts";
import { callParams, callRequest } from "../engine/attempt.ts";
import type { ModelSession } from "../engine/model-session.ts";
import type { WorkItem } from "../engine/plan.ts";
import { CallTimeline } from "../metrics/call-timeline.ts";
import type { Case, ResolvedModel, ResolvedParams, ResolvedSuite, ResolvedTask } from "../suite/resolved.ts";
import { loadCallRecord } from "./load-record.ts";

/** One prompt of the cycle: a case of one of the suite's tasks. */
interface Prompt {
  task: ResolvedTask;
  case: Case;
  caseIndex: number;
}

/** One prompt with its call's generation parameters, as every dispatch of it uses them. */
interface PreparedPrompt extends Prompt {
  params: ResolvedParams;
  /** The prompt's work item, that its requests are built from (key and warm-up are per call). */
  item: WorkItem;
}

/**
 * Prompts kept once prepared. A case rendered from its dataset row on every dispatch (the row
 * parsed, the template filled) cost more CPU per load call than the request's own building; a
 * cycle up to this long is prepared once, a longer one per dispatch (its memory would grow with
 * the dataset).
 */
const PREPARED_PROMPTS = 10_000;

/** Rounds to microseconds, as call records do. */
const us = (ms: number): number => Math.round(ms * 1000) / 1000;

/** What a load call needs of its model's session: the runner, pricing, and the step's energy window. */
export type CallSession = Pick<ModelSession, "runner" | "finishCall" | "measuring">;

/**
 * Cases in the prompt cycle (every case of every task); throws when there are none, so a sweep
 * can check before it starts the model.
 */
export function promptCycleLength(suite: ResolvedSuite): number {
  const count = suite.tasks.reduce((sum, task) => sum + task.cases.length, 0);
  if (count === 0) throw new Error("the suite has no cases to send");
  return count;
}

/** Prompt number `seq` of the cycle through every case of every task, in suite order. */
function promptAt(suite: ResolvedSuite, total: number, seq: number): Prompt {
  let caseIndex = seq % total;
  for (const task of suite.tasks) {
    if (caseIndex < task.cases.length) return { task, case: task.cases.at(caseIndex)!, caseIndex };
    caseIndex -= task.cases.length;
  }
  throw new Error(`prompt ${seq} is outside the suite's ${total} cases`);
}

export interface LoadCallerOptions {
  suite: ResolvedSuite;
  model: ResolvedModel;
  session: CallSession;
  /** Output token limit overriding the task's; undefined keeps it. */
  maxTokens: number | undefined;
  /** Aborts calls in flight (Ctrl-C). */
  signal: AbortSignal;
}

/** What one dispatch needs: where it sits in the step, and its clock. */
export interface Dispatch {
  step: number;
  seq: number;
  warmup: boolean;
  /** performance.now() of the step's start, ms. */
  t0: number;
  /** performance.now() when the call was meant to leave, ms. */
  intended: number;
  /** Calls in flight once this one is, itself included. */
  inFlight: number;
}

export class LoadCaller {
  /** Cases in the prompt cycle (every case of every task). */
  private readonly promptCount: number;
  private readonly options: LoadCallerOptions;
  /** Prepared prompts by cycle position (when the cycle is short enough to keep). */
  private readonly prepared: (PreparedPrompt | undefined)[] | undefined;

  /** Calls in flight, aborted together by one listener on the sweep's signal. */
  private readonly inFlight = new Set<AbortController>();

  constructor(options: LoadCallerOptions) {
    this.options = options;
    const { signal } = options;
    signal.addEventListener(
      "abort",
      () => {
        for (const call of this.inFlight) call.abort(signal.reason);
        this.inFlight.clear();
      },
      { once: true },
    );
    this.promptCount = promptCycleLength(options.suite);
    if (this.promptCount <= PREPARED_PROMPTS) this.prepared = new Array(this.promptCount);
  }

  /** Prompt number `seq` of the cycle with its parameters, prepared once when the cycle is kept. */
  private prompt(seq: number): PreparedPrompt {
    const index = seq % this.promptCount;
    const kept = this.prepared?.[index];
    if (kept) return kept;
    const prompt = promptAt(this.options.suite, this.promptCount, index);
    const item = this.item(0, index, false, prompt);
    const prepared = { ...prompt, params: this.params(item), item };
    if (this.prepared) this.prepared[index] = prepared;
    return prepared;
  }

  /** The work item of prompt number `seq` (cycled) in `step`. */
  private item(step: number, seq: number, warmup: boolean, prompt: Prompt = this.prompt(seq)): WorkItem {
    const { model } = this.options;
    return {
      key: `${model.id}|load|${step}|${seq}`,
      model,
      task: prompt.task,
      case: prompt.case,
      caseIndex: prompt.caseIndex,
      repeat: 0,
      warmup,
    };
  }

  /** Generation parameters of a load call: task < case < model < the load's max_tokens. */
  private params(item: WorkItem): ResolvedParams {
    const { suite, model, maxTokens } = this.options;
    const params = callParams(item, suite.modelParams[model.id]);
    return maxTokens === undefined ? params : { ...params, maxTokens };
  }

  /** The parameters of each task's calls (for checks before the first call). */
  taskParams(): { task: string; params: ResolvedParams }[] {
    const seen = new Set<string>();
    const out: { task: string; params: ResolvedParams }[] = [];
    let seq = 0;
    for (const task of this.options.suite.tasks) {
      if (task.cases.length > 0 && !seen.has(task.id)) {
        seen.add(task.id);
        out.push({ task: task.id, params: this.prompt(seq).params });
      }
      seq += task.cases.length;
    }
    return out;
  }

  /**
   * Sends prompt number `seq` (cycled) and waits for the end. Returns the log event, or
   * undefined when the call was cancelled by the abort signal (not a result of the load).
   * Warm-up calls go into the step's energy window too: they share the hardware with the
   * measured ones, and the step's summary leaves their share out.
   */
  async call(dispatch: Dispatch): Promise<LoadCallEvent | undefined> {
    const { session, signal, model } = this.options;
    const runner = session.runner;
    const prompt = this.prompt(dispatch.seq);
    const energy = session.measuring;
    const ticket = energy?.dispatch() ?? 0;
    const controller = new AbortController();
    if (signal.aborted) controller.abort(signal.reason);
    else this.inFlight.add(controller);
    const timer = setTimeout(abortOnTimeout, prompt.params.timeoutMs, controller, prompt.params.timeoutMs);
    const request = callRequest(prompt.item, prompt.params, controller.signal);
    const startedAt = isoTime();
    const timeline = new CallTimeline();
    let error: CallError | undefined;
    try {
      await runCall(runner, request, (event) => timeline.apply(event));
      if (timeline.tEnd === undefined)
        throw new CallError("stream_aborted", "the runner ended without an end event");
    } catch (thrown) {
      // A signal's reason says why the call stopped (timeout or Ctrl-C) better than the transport's error.
      const reason = controller.signal.aborted ? controller.signal.reason : undefined;
      error = reason instanceof CallError ? reason : toCallError(thrown);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    const failedAt = performance.now();
    if (error && (error.errorClass === "aborted" || signal.aborted)) {
      energy?.forget(ticket);
      return undefined;
    }
    const place = {
      key: `${model.id}|load|${dispatch.step}|${dispatch.seq}`,
      model: model.id,
      task: prompt.task.id,
      case: prompt.case,
      caseIndex: prompt.caseIndex,
      warmup: dispatch.warmup,
    };
    const built = loadCallRecord(runner, place, request, timeline, error, startedAt);
    const record: CallRecord = built instanceof Promise ? await built : built;
    session.finishCall(record);
    const sent = timeline.tSend;
    energy?.add(ticket, record, sent === undefined ? null : performance.timeOrigin + sent);
    const { t0, intended } = dispatch;
    return {
      v: record.v,
      type: "load_call",
      step: dispatch.step,
      seq: dispatch.seq,
      intended_ms: us(intended - t0),
      sent_ms: sent === undefined ? null : us(sent - t0),
      done_ms: us((timeline.tEnd ?? failedAt) - t0),
      dispatch_delay_ms: sent === undefined ? null : us(sent - intended),
      in_flight: dispatch.inFlight,
      call: record,
    };
  }
}

/** A call's timeout: aborts it with the reason its record gives. */
function abortOnTimeout(controller: AbortController, timeoutMs: number): void {
  controller.abort(new CallError("timeout", `no complete response within ${timeoutMs} ms`));
}
