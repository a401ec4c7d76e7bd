/**
 * The engine: runs a resolved suite into a run directory. Owns concurrency, retries, timeouts,
 * rate limits, the spending limit and the log; runners only stream. Everything after the log
 * (summary, reports) reads the log.
 */
import { mkdirSync } from "node:fs";
import { CallError } from "../core/errors.ts";
import { type CallRecord, LOG_VERSION, type LogEvent, type RunEndEvent } from "../core/records.ts";
import { RunLog } from "../core/run-log.ts";
import type { BackendInfo } from "../core/runner.ts";
import { pricesDataVersion } from "../cost/prices-version.ts";
import type { RunFacts } from "../host/host-info.ts";
import type { CallJudging } from "../scoring/score-all.ts";
import type { ResolvedModel, ResolvedParams, ResolvedSuite } from "../suite/resolved.ts";
import { type AttemptOutcome, callParams, runAttempt } from "./attempt.ts";
import type { CostBudget, Reservation } from "./budget.ts";
import { JudgePanel, judgeTimeoutMs, WARMUP_JUDGING } from "./judges.ts";
import { ModelSession } from "./model-session.ts";
import { measuredItemCount, measuredItems, type WorkItem, warmupItems } from "./plan.ts";
import { runPool } from "./pool.ts";
import { RateLimiter, roughTokens } from "./rate-limiter.ts";
import type { ResumeState } from "./resume.ts";
import { backoffMs, shouldRetry, sleep } from "./retry.ts";
import { runStartEvent } from "./run-start.ts";
import type { ModelServices } from "./services.ts";
import type { Shard } from "./shard.ts";
import { callPriceLine, SpendGuard } from "./spend-guard.ts";

/** Tokens a chat template may add around a prompt (role markers, a default system prompt), at most. */
export const CHAT_TEMPLATE_TOKENS = 128;

/** Lifecycle hooks for progress display; all optional. */
export interface RunObserver {
  /** Work planned for this segment: measured calls still to make, per model. */
  planned?(remaining: Map<string, number>): void;
  modelStarted?(model: ResolvedModel, backend: BackendInfo | undefined): void;
  modelFailed?(model: ResolvedModel, error: Error): void;
  /** Every attempt, retried or final, warm-up included. */
  callRecorded?(record: CallRecord): void;
  log?(message: string): void;
}

export interface RunOptions {
  suite: ResolvedSuite;
  runDir: string;
  /** Builds a model's runner and services (the CLI passes the runner registry and cost/energy). */
  prepareModel: (model: ResolvedModel) => ModelServices;
  /** Aborts on Ctrl-C: no new calls start, calls in flight are cancelled and left for --resume. */
  signal: AbortSignal;
  resume?: ResumeState;
  observer?: RunObserver;
  argv?: string[];
  /** Values masked wherever they would appear in the log (API keys). */
  secrets?: string[];
  /** Describes the suite for the log (see describeSuite); kept out of the engine's imports. */
  describedSuite?: unknown;
  /** Command-line overrides applied to the suite, recorded so `--resume` can apply them again. */
  overrides?: Record<string, unknown>;
  /** `--max-cost`: API spending limit. */
  budget?: CostBudget;
  /**
   * Sees every event as it is logged (secrets masked), in log order: lets the caller fold the
   * summary during the run instead of reading the log back afterwards.
   */
  onEvent?: (event: LogEvent) => void;
  /** `--shard`: make only this shard's measured items (recorded in run_start). */
  shard?: Shard;
  /** run_start's host facts and git state, started by the caller while it loaded the suite. */
  facts?: RunFacts;
}

export interface RunResult {
  status: RunEndEvent["status"];
  runDir: string;
}

export async function runSuite(options: RunOptions): Promise<RunResult> {
  const { suite, runDir, signal, resume, observer } = options;
  mkdirSync(runDir, { recursive: true });
  const log = new RunLog(runDir, options.secrets, options.onEvent, suite.maxOutputBytes);
  log.append(
    await runStartEvent({
      suite,
      runDir,
      resumedRunId: resume?.firstStart.run_id,
      describedSuite: options.describedSuite,
      overrides: options.overrides,
      prices: pricesDataVersion(),
      argv: options.argv,
      maxCostUsd: options.budget?.limitUsd ?? null,
      shard: options.shard,
      facts: options.facts,
    }),
  );

  const plans = suite.models.map((model) => ({
    model,
    measured: measuredItemCount(suite, model, resume?.done, options.shard),
  }));
  observer?.planned?.(new Map(plans.map((p) => [p.model.id, p.measured])));

  // Stops new calls: on Ctrl-C, or when the spending limit is reached.
  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const ctx: RunContext = { suite, options, log, observer, stop };
  let failed = false;
  try {
    // A model with no measured call left needs no warm-up either.
    const active = plans.filter((p) => p.measured > 0);
    // Judges start only when some call will be scored (a resumed run with nothing left starts none).
    if (active.length > 0 && (suite.judges?.length ?? 0) > 0) {
      ctx.judges = await JudgePanel.start({
        judges: suite.judges!,
        prepare: options.prepareModel,
        runDir,
        baseDir: suite.baseDir,
        signal,
        append: (event) => log.append(event),
        log: (message) => observer?.log?.(message),
        retry: suite.retry,
        timeoutMs: judgeTimeoutMs(suite),
      });
    }
    if (suite.parallelModels) {
      await Promise.all(active.map((p) => runModel(ctx, p.model)));
    } else {
      for (const p of active) {
        if (stop.signal.aborted) break;
        await runModel(ctx, p.model);
      }
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    await ctx.judges?.stop();
    signal.removeEventListener("abort", onAbort);
    log.append({ v: LOG_VERSION, type: "run_end", at: new Date().toISOString(), ...endStatus(ctx, failed) });
    log.close();
  }
  return { status: endStatus(ctx, failed).status, runDir };
}

function endStatus(ctx: RunContext, failed: boolean): Pick<RunEndEvent, "status" | "message"> {
  if (failed) return { status: "failed" };
  if (ctx.options.signal.aborted) return { status: "interrupted" };
  const budget = ctx.options.budget;
  if (budget?.exhausted) return { status: "budget_reached", message: budgetMessage(budget) };
  return { status: "completed" };
}

/** Why the limit ended the run: a call refused, calls cut off, or both. */
function budgetMessage(budget: CostBudget): string {
  const parts: string[] = [];
  if (budget.refusedCall) parts.push("stopped starting calls: the next would pass");
  if (budget.cutCalls > 0)
    parts.push(`${budget.cutCalls} call(s) cut off while streaming (left for --resume) at`);
  return `${parts.join("; ")} --max-cost $${budget.limitUsd} (spent $${budget.spentUsd.toFixed(4)})`;
}

interface RunContext {
  suite: ResolvedSuite;
  options: RunOptions;
  log: RunLog;
  observer: RunObserver | undefined;
  /** Aborted when no new call may start (Ctrl-C or budget). */
  stop: AbortController;
  /** The judges the scorers ask, started for the run. */
  judges?: JudgePanel;
}

/** Per model while it runs. */
interface ModelRun {
  session: ModelSession;
  limiter: RateLimiter;
}

async function runModel(ctx: RunContext, model: ResolvedModel): Promise<void> {
  const { options, log, observer } = ctx;
  const services = options.prepareModel(model);
  const started = await ModelSession.start({
    model,
    services,
    runDir: options.runDir,
    baseDir: ctx.suite.baseDir,
    concurrency: model.concurrency,
    signal: options.signal,
    append: (event) => log.append(event),
    log: (message) => observer?.log?.(message),
  });
  if (!started.session) {
    observer?.modelFailed?.(model, started.error);
    return;
  }
  const session = started.session;
  try {
    observer?.modelStarted?.(model, session.backend);
    const run: ModelRun = { session, limiter: new RateLimiter(services.limits ?? {}) };
    const params = ctx.suite.modelParams[model.id];
    const work = (item: WorkItem) => runItem(ctx, run, item, params);
    const done = options.resume?.done;
    await runPool(warmupItems(ctx.suite, model, done), model.concurrency, work, ctx.stop.signal);
    await session.beginMeasured();
    const items = measuredItems(ctx.suite, model, done, options.shard);
    await runPool(items, model.concurrency, work, ctx.stop.signal);
    await session.endMeasured();
  } finally {
    await session.stop();
  }
}

/** All attempts of one item: rate limits, budget, retries with backoff; each attempt its own record. */
async function runItem(
  ctx: RunContext,
  run: ModelRun,
  item: WorkItem,
  modelParams: ResolvedSuite["modelParams"][string] | undefined,
): Promise<void> {
  const { options, log, observer } = ctx;
  const { services } = run.session;
  const policy = ctx.suite.retry;
  const previous = options.resume?.attemptsMade.get(item.key) ?? 0;
  const params = callParams(item, modelParams);
  const inputText = (item.case.system ?? "") + item.case.prompt;
  const inputTokens = roughTokens(inputText);
  // The budget needs a worst case, not a guess: no tokenizer makes more tokens than the text has
  // UTF-8 bytes, and a chat template adds its role markers on top.
  const estimate =
    services.estimateCostUsd?.(Buffer.byteLength(inputText) + CHAT_TEMPLATE_TOKENS, params.maxTokens) ?? 0;
  let backoff: number | null = null;
  for (let attempt = 1; ; attempt++) {
    if (ctx.stop.signal.aborted) return;
    let rateWait = 0;
    try {
      if (run.limiter.active)
        rateWait = await run.limiter.acquire(inputTokens + params.maxTokens, ctx.stop.signal);
    } catch {
      return;
    }
    const budget = options.budget;
    // Waits while calls in flight hold the room this one needs; undefined: the limit is reached.
    const reservation = budget ? await budget.reserve(estimate, ctx.stop.signal) : undefined;
    if (budget && !reservation) {
      if (budget.refusedCall) ctx.stop.abort(new CallError("aborted", "spending limit reached"));
      return;
    }
    const energy = item.warmup ? undefined : run.session.measuring;
    const ticket = energy?.dispatch() ?? 0;
    const made = previous + attempt;
    // Without a --max-cost reservation there is no guard to arm nor spend to settle: the attempt is
    // made without pricedAttempt's own async step (a promise and its frame per call).
    const { record, error, sentAtMs } =
      reservation === undefined
        ? await runAttempt(
            run.session.runner,
            item,
            params,
            made,
            backoff,
            options.signal,
            undefined,
            judgingOf(ctx, item, made),
          )
        : await pricedAttempt(ctx, run, item, params, reservation, { attempt: made, backoff, inputTokens });
    if (reservation === undefined) run.session.finishCall(record);
    record.rate_wait_ms = run.limiter.active ? Math.round(rateWait * 1000) / 1000 : null;
    // A call cancelled by Ctrl-C is not a failure of the model: leave the item for --resume (its
    // judging cut short too).
    if (
      error?.errorClass === "aborted" ||
      (error && options.signal.aborted) ||
      ctx.judges?.interrupted(item.key)
    ) {
      energy?.forget(ticket);
      return;
    }
    const retry = error !== undefined && shouldRetry(error, attempt, policy);
    record.will_retry = retry;
    log.append(record);
    energy?.add(ticket, record, sentAtMs);
    observer?.callRecorded?.(record);
    if (!retry) return;
    backoff = backoffMs(error, attempt, policy);
    try {
      await sleep(backoff, ctx.stop.signal);
    } catch {
      return;
    }
  }
}

/**
 * One attempt, priced. Under `--max-cost` a streamed call's spend guard may cut it off
 * (`budget_stopped`), and its reservation settles whatever happens: calls waiting for room wait
 * on it (an unknown cost settles at what the call held).
 */
async function pricedAttempt(
  ctx: RunContext,
  run: ModelRun,
  item: WorkItem,
  params: ResolvedParams,
  reservation: Reservation,
  at: { attempt: number; backoff: number | null; inputTokens: number },
): Promise<AttemptOutcome> {
  const estimateCost = run.session.services.estimateCostUsd;
  const line = estimateCost && callPriceLine(estimateCost, at.inputTokens, params.maxTokens);
  const guard = line && params.stream ? new SpendGuard(reservation, line) : undefined;
  let outcome: AttemptOutcome | undefined;
  try {
    outcome = await runAttempt(
      run.session.runner,
      item,
      params,
      at.attempt,
      at.backoff,
      ctx.options.signal,
      guard?.check,
      judgingOf(ctx, item, at.attempt),
    );
    if (outcome.error?.errorClass === "budget_stopped") {
      guard?.fillTokens(outcome.record, at.inputTokens);
      ctx.options.budget?.noteCut();
    }
    run.session.finishCall(outcome.record);
    return outcome;
  } finally {
    reservation.settle(outcome?.record.cost_usd ?? null);
  }
}

/** What an attempt's judge scorers ask through: the run's judges, or none for a warm-up. */
function judgingOf(ctx: RunContext, item: WorkItem, attempt: number): CallJudging | undefined {
  if (item.warmup) return WARMUP_JUDGING;
  return ctx.judges?.forCall({ item: item.key, attempt, model: item.model.id, task: item.task.id });
}

/** The reason given to in-flight calls when the user interrupts the run. */
export function interruptReason(): CallError {
  return new CallError("aborted", "interrupted by the user");
}
