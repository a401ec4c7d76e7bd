/**
 * The engine: runs a resolved suite into a run directory. Owns concurrency, retries, timeouts,
 * rate limits, the spending limit and the log; runners only stream. Everything after the log
 * (summary, reports) reads the log.
 */
import { mkdirSync } from "node:fs";
import { CallError } from "../core/errors.ts";
import { type CallRecord, LOG_VERSION, type LogEvent, type RunEndEvent } from "../core/records.ts";
import type { BackendInfo } from "../core/runner.ts";
import { pricesDataVersion } from "../cost/prices-version.ts";
import { modelFileFacts } from "../host/model-file.ts";
import type { ResolvedModel, ResolvedParams, ResolvedSuite } from "../suite/resolved.ts";
import { type AttemptOutcome, callParams, runAttempt } from "./attempt.ts";
import type { CostBudget, Reservation } from "./budget.ts";
import { EnergyWindow } from "./energy-window.ts";
import { measuredItemCount, measuredItems, type WorkItem, warmupItems } from "./plan.ts";
import { runPool } from "./pool.ts";
import { RateLimiter, roughTokens } from "./rate-limiter.ts";
import type { ResumeState } from "./resume.ts";
import { backoffMs, shouldRetry, sleep } from "./retry.ts";
import { RunLog } from "./run-log.ts";
import { runStartEvent } from "./run-start.ts";
import type { ModelServices } from "./services.ts";
import { callPriceLine, SpendGuard } from "./spend-guard.ts";

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
    }),
  );

  const plans = suite.models.map((model) => ({
    model,
    measured: measuredItemCount(suite, model, resume?.done),
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
}

/** Per model while it runs. */
interface ModelRun {
  services: ModelServices;
  limiter: RateLimiter;
  energy: EnergyWindow | undefined;
  warned: Set<string>;
}

async function runModel(ctx: RunContext, model: ResolvedModel): Promise<void> {
  const { options, log, observer } = ctx;
  const services = options.prepareModel(model);
  const { runner } = services;
  const say = (message: string) => observer?.log?.(`[${model.id}] ${message}`);
  const run: ModelRun = {
    services,
    limiter: new RateLimiter(services.limits ?? {}),
    energy: undefined,
    warned: new Set(),
  };
  try {
    let backend: BackendInfo | undefined;
    try {
      backend = await runner.startup?.({
        runDir: options.runDir,
        baseDir: ctx.suite.baseDir,
        concurrency: model.concurrency,
        log: say,
        signal: options.signal,
      });
      if (backend && typeof backend.model_path === "string" && backend.model_file === undefined) {
        backend.model_file = (await modelFileFacts(backend.model_path)) ?? null;
      }
      if (services.energy) {
        run.energy = await EnergyWindow.open(services.energy, backend?.device);
        say(`energy: ${run.energy.description}`);
      }
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      log.append(modelStart(model, null, err.message));
      observer?.modelFailed?.(model, err);
      return;
    }
    log.append(modelStart(model, backend ?? null));
    observer?.modelStarted?.(model, backend);
    const params = ctx.suite.modelParams[model.id];
    const work = (item: WorkItem) => runItem(ctx, run, item, params);
    const done = options.resume?.done;
    await runPool(warmupItems(ctx.suite, model, done), model.concurrency, work, ctx.stop.signal);
    await run.energy?.begin();
    await runPool(measuredItems(ctx.suite, model, done), model.concurrency, work, ctx.stop.signal);
    const energy = run.energy;
    run.energy = undefined;
    await energy?.end(model.id, (event) => log.append(event));
  } finally {
    await run.energy?.end(model.id, () => undefined).catch(() => undefined);
    await runner.shutdown?.();
  }
}

function modelStart(model: ResolvedModel, backend: BackendInfo | null, error?: string) {
  return {
    v: LOG_VERSION,
    type: "model_start" as const,
    model: model.id,
    runner: model.runner,
    at: new Date().toISOString(),
    backend,
    ...(error !== undefined && { error }),
  };
}

/** All attempts of one item: rate limits, budget, retries with backoff; each attempt its own record. */
async function runItem(
  ctx: RunContext,
  run: ModelRun,
  item: WorkItem,
  modelParams: ResolvedSuite["modelParams"][string] | undefined,
): Promise<void> {
  const { options, log, observer } = ctx;
  const { services } = run;
  const policy = ctx.suite.retry;
  const previous = options.resume?.attemptsMade.get(item.key) ?? 0;
  const params = callParams(item, modelParams);
  const inputTokens = roughTokens((item.case.system ?? "") + item.case.prompt);
  const estimate = services.estimateCostUsd?.(inputTokens, params.maxTokens) ?? 0;
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
    const energy = item.warmup ? undefined : run.energy;
    const ticket = energy?.dispatch() ?? 0;
    const { record, error, sentAtMs } = await pricedAttempt(ctx, run, item, params, reservation, {
      attempt: previous + attempt,
      backoff,
      inputTokens,
    });
    record.rate_wait_ms = run.limiter.active ? Math.round(rateWait * 1000) / 1000 : null;
    // A call cancelled by Ctrl-C is not a failure of the model: leave the item for --resume.
    if (error?.errorClass === "aborted" || (error && options.signal.aborted)) {
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
  reservation: Reservation | undefined,
  at: { attempt: number; backoff: number | null; inputTokens: number },
): Promise<AttemptOutcome> {
  const estimateCost = run.services.estimateCostUsd;
  const line = estimateCost && callPriceLine(estimateCost, at.inputTokens, params.maxTokens);
  const guard = reservation && line && params.stream ? new SpendGuard(reservation, line) : undefined;
  let outcome: AttemptOutcome | undefined;
  try {
    outcome = await runAttempt(
      run.services.runner,
      item,
      params,
      at.attempt,
      at.backoff,
      ctx.options.signal,
      guard?.check,
    );
    if (outcome.error?.errorClass === "budget_stopped") {
      guard?.fillTokens(outcome.record, at.inputTokens);
      ctx.options.budget?.noteCut();
    }
    finishRecord(ctx, run, outcome.record);
    return outcome;
  } finally {
    reservation?.settle(outcome?.record.cost_usd ?? null);
  }
}

/** Prices an API call and adds its published energy estimate; warns once per model and problem. */
function finishRecord(ctx: RunContext, run: ModelRun, record: CallRecord): void {
  const warn = (warning: string | undefined) => {
    if (!warning || run.warned.has(warning)) return;
    run.warned.add(warning);
    ctx.observer?.log?.(`[${record.model}] ${warning}`);
  };
  if (run.services.priceCall && (record.input_tokens !== null || record.output_tokens !== null)) {
    const price = run.services.priceCall(record);
    record.cost_usd = price.cost_usd;
    warn(price.warning);
  }
  if (run.services.callEnergy && record.ok) {
    const energy = run.services.callEnergy(record);
    record.energy_j = energy.energy_j;
    record.energy_source = energy.energy_j === null ? null : "published-estimate";
    warn(energy.warning);
  }
}

/** The reason given to in-flight calls when the user interrupts the run. */
export function interruptReason(): CallError {
  return new CallError("aborted", "interrupted by the user");
}
