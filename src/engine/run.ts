/**
 * The engine: runs a resolved suite into a run directory. Owns concurrency, retries, timeouts
 * and the log; runners only stream. Everything after the log (summary, reports) reads the log.
 */
import { mkdirSync } from "node:fs";
import { CallError } from "../core/errors.ts";
import { type CallRecord, LOG_VERSION, METRICS_VERSION, type RunEndEvent } from "../core/records.ts";
import type { BackendInfo, Runner } from "../core/runner.ts";
import { gitState, hostInfo, OPBENCH_VERSION } from "../host/host-info.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";
import { callParams, runAttempt } from "./attempt.ts";
import { planModel, type WorkItem } from "./plan.ts";
import { runPool } from "./pool.ts";
import type { ResumeState } from "./resume.ts";
import { backoffMs, shouldRetry, sleep } from "./retry.ts";
import { RunLog } from "./run-log.ts";

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
  /** Builds a runner for a model (the CLI passes the runner registry). */
  createRunner: (model: ResolvedModel) => Runner;
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
}

export interface RunResult {
  status: RunEndEvent["status"];
  runDir: string;
}

export async function runSuite(options: RunOptions): Promise<RunResult> {
  const { suite, runDir, signal, resume, observer } = options;
  mkdirSync(runDir, { recursive: true });
  const log = new RunLog(runDir, options.secrets);
  const [host, git] = await Promise.all([hostInfo(), gitState(suite.baseDir)]);
  log.append({
    v: LOG_VERSION,
    type: "run_start",
    run_id: resume?.firstStart.run_id ?? runDir.split(/[\\/]/).pop()!,
    started_at: new Date().toISOString(),
    resumed: resume !== undefined,
    opbench_version: OPBENCH_VERSION,
    metrics_version: METRICS_VERSION,
    node_version: process.version,
    suite: {
      name: suite.name,
      path: suite.sourcePath,
      hash: suite.hash,
      resolved: options.describedSuite ?? null,
      overrides: options.overrides ?? {},
    },
    git,
    host,
    argv: options.argv ?? [],
  });

  const plans = suite.models.map((model) => {
    const items = planModel(suite, model).filter((item) => !resume?.done.has(item.key));
    const measured = items.filter((item) => !item.warmup).length;
    return { model, items: measured === 0 ? [] : items, measured };
  });
  observer?.planned?.(new Map(plans.map((p) => [p.model.id, p.measured])));

  const ctx = { suite, options, log, observer };
  let failed = false;
  try {
    const active = plans.filter((p) => p.items.length > 0);
    if (suite.parallelModels) {
      await Promise.all(active.map((p) => runModel(ctx, p.model, p.items)));
    } else {
      for (const p of active) {
        if (signal.aborted) break;
        await runModel(ctx, p.model, p.items);
      }
    }
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    const status: RunEndEvent["status"] = failed ? "failed" : signal.aborted ? "interrupted" : "completed";
    log.append({ v: LOG_VERSION, type: "run_end", at: new Date().toISOString(), status });
    log.close();
  }
  return { status: signal.aborted ? "interrupted" : "completed", runDir };
}

interface RunContext {
  suite: ResolvedSuite;
  options: RunOptions;
  log: RunLog;
  observer: RunObserver | undefined;
}

async function runModel(ctx: RunContext, model: ResolvedModel, items: WorkItem[]): Promise<void> {
  const { options, log, observer } = ctx;
  const runner = options.createRunner(model);
  const say = (message: string) => observer?.log?.(`[${model.id}] ${message}`);
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
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      log.append(modelStart(model, null, err.message));
      observer?.modelFailed?.(model, err);
      return;
    }
    log.append(modelStart(model, backend ?? null));
    observer?.modelStarted?.(model, backend);
    const params = ctx.suite.modelParams[model.id];
    await runPool(items, model.concurrency, (item) => runItem(ctx, runner, item, params), options.signal);
  } finally {
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

/** All attempts of one item: retries with backoff, each attempt its own record. */
async function runItem(
  ctx: RunContext,
  runner: Runner,
  item: WorkItem,
  modelParams: ResolvedSuite["modelParams"][string] | undefined,
): Promise<void> {
  const { options, log, observer } = ctx;
  const policy = ctx.suite.retry;
  const previous = options.resume?.attemptsMade.get(item.key) ?? 0;
  const params = callParams(item, modelParams);
  let backoff: number | null = null;
  for (let attempt = 1; ; attempt++) {
    const { record, error } = await runAttempt(
      runner,
      item,
      params,
      previous + attempt,
      backoff,
      options.signal,
    );
    // A call cancelled by Ctrl-C is not a failure of the model: leave the item for --resume.
    if (error?.errorClass === "aborted" || (error && options.signal.aborted)) return;
    const retry = error !== undefined && shouldRetry(error, attempt, policy);
    record.will_retry = retry;
    log.append(record);
    observer?.callRecorded?.(record);
    if (!retry) return;
    backoff = backoffMs(error, attempt, policy);
    try {
      await sleep(backoff, options.signal);
    } catch {
      return;
    }
  }
}

/** The reason given to in-flight calls when the user interrupts the run. */
export function interruptReason(): CallError {
  return new CallError("aborted", "interrupted by the user");
}
