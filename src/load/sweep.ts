/**
 * `opbench load`: drives one model through a sweep of load steps (concurrency levels or request
 * rates) into a run directory. The model's session is a run's (engine/model-session.ts): the
 * same startup and `model_start`, calls priced the same way, and for a local model with a meter
 * one energy window per step, so each step has its own energy. Every call goes to `events.jsonl`
 * with its step; `load.json` is computed from that log alone (the same builder folds the events
 * as they are written).
 */
import { mkdirSync } from "node:fs";
import {
  LOG_VERSION,
  type LoadEndEvent,
  type LoadStepEndEvent,
  type LogEvent,
  type ServerMetricsScrape,
} from "../core/records.ts";
import { RunLog } from "../core/run-log.ts";
import type { Runner } from "../core/runner.ts";
import { maskUrl } from "../core/url.ts";
import { pricesDataVersion } from "../cost/prices-version.ts";
import { ModelSession } from "../engine/model-session.ts";
import { runStartEvent } from "../engine/run-start.ts";
import type { ModelServices } from "../engine/services.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";
import { stepSeed } from "./arrivals.ts";
import { LoadCaller, promptCycleLength } from "./caller.ts";
import { runClosedLoopStep, type StepBounds, type StepOutcome } from "./closed-loop.ts";
import { describeLoad, type ResolvedLoad } from "./config.ts";
import { type LoadLevel, nextAutoConcurrency, stepThroughput } from "./levels.ts";
import { runOpenLoopStep } from "./open-loop.ts";
import { MetricsWatch, scrapeMetrics } from "./server-metrics.ts";
import type { LoadStepSummary } from "./step-summary.ts";
import { type LoadSummary, LoadSummaryBuilder } from "./summary.ts";

/** Progress hooks, all optional. */
export interface LoadObserver {
  log?(message: string): void;
  stepStarted?(step: number, level: LoadLevel): void;
  stepDone?(summary: LoadStepSummary): void;
}

export interface LoadRunOptions {
  suite: ResolvedSuite;
  model: ResolvedModel;
  load: ResolvedLoad;
  runDir: string;
  /** Builds the model's runner and services: pricing, energy (the CLI's `modelPreparer`). */
  prepareModel: (model: ResolvedModel) => ModelServices;
  /** Aborts on Ctrl-C: no new calls, calls in flight cancelled, the sweep ends `interrupted`. */
  signal: AbortSignal;
  observer?: LoadObserver;
  argv?: string[];
  /** The suite as describeSuite() gives it, for the run_start record. */
  describedSuite?: unknown;
  /** Values masked wherever they would appear in the log (API keys). */
  secrets?: string[];
}

export interface LoadRunResult {
  status: "completed" | "interrupted" | "failed";
  runDir: string;
  /** load.json's content (the command's outputs write it); null when the model did not start. */
  summary: LoadSummary | null;
  /** Why the model could not start. */
  error?: string;
}

interface SweepContext {
  options: LoadRunOptions;
  session: ModelSession;
  caller: LoadCaller;
  emit: (event: LogEvent) => void;
  builder: LoadSummaryBuilder;
  metricsUrl: string | null;
  warnedMetrics: boolean;
}

/** Runs the sweep; never throws for call failures (they are results), only for harness bugs. */
export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const { suite, model, load, runDir, signal } = options;
  const say = (message: string) => options.observer?.log?.(`[${model.id}] ${message}`);
  mkdirSync(runDir, { recursive: true });
  const log = new RunLog(runDir, options.secrets, undefined, suite.maxOutputBytes);
  const builder = new LoadSummaryBuilder();
  const emit = (event: LogEvent) => {
    log.append(event);
    builder.add(event);
  };
  emit(
    await runStartEvent({
      suite,
      runDir,
      describedSuite: options.describedSuite,
      overrides: { load: describeLoad(load) },
      // API calls are priced, as in a run: name the price list.
      prices: pricesDataVersion(),
      argv: options.argv,
    }),
  );
  const services = options.prepareModel(model);
  let status: LoadRunResult["status"] = "failed";
  let session: ModelSession | undefined;
  try {
    promptCycleLength(suite);
    const started = await ModelSession.start({
      model,
      services,
      runDir,
      baseDir: suite.baseDir,
      concurrency: startupConcurrency(load, model),
      signal,
      append: emit,
      log: (message) => options.observer?.log?.(message),
    });
    if (!started.session) return { status, runDir, summary: null, error: started.error.message };
    session = started.session;
    const caller = new LoadCaller({ suite, model, session, maxTokens: load.maxTokens, signal });
    const metricsUrl = serverMetricsUrl(load, session.runner);
    if (metricsUrl === null && load.serverMetrics !== false) {
      say("server metrics: not scraped (not a llama.cpp model; give load.server_metrics a /metrics URL)");
    }
    emit({
      v: LOG_VERSION,
      type: "load_start",
      at: new Date().toISOString(),
      model: model.id,
      mode: load.mode,
      slo: load.slo,
      attainment: load.attainment,
      locality: services.locality,
      settings: {
        ...describeLoad(load),
        server_metrics_url: metricsUrl === null ? null : maskUrl(metricsUrl),
      },
    });
    const ctx: SweepContext = { options, session, caller, emit, builder, metricsUrl, warnedMetrics: false };
    const reason = await runSteps(ctx);
    emit({ v: LOG_VERSION, type: "load_end", at: new Date().toISOString(), reason });
    status = reason === "interrupted" ? "interrupted" : "completed";
  } finally {
    emit({ v: LOG_VERSION, type: "run_end", at: new Date().toISOString(), status });
    log.close();
    await session?.stop();
  }
  return { status, runDir, summary: builder.result() };
}

/**
 * Calls in flight the runner is told to expect (a spawned llama-server gets that many slots
 * unless `spawn.parallel` says otherwise): the highest listed level; the model's own
 * concurrency for automatic and rate sweeps.
 */
function startupConcurrency(load: ResolvedLoad, model: ResolvedModel): number {
  return load.mode === "concurrency" && load.concurrency ? Math.max(...load.concurrency) : model.concurrency;
}

/** Where to scrape: an explicit URL, else the runner's server (llama.cpp), else nowhere. */
function serverMetricsUrl(load: ResolvedLoad, runner: Runner): string | null {
  if (load.serverMetrics === false) return null;
  if (typeof load.serverMetrics === "string") return load.serverMetrics;
  return runner.serverMetricsUrl?.() ?? null;
}

/** The level of step `step`, or why the sweep ends. */
function nextLevel(
  load: ResolvedLoad,
  step: number,
  done: readonly { concurrency: number; throughput: number | null }[],
): LoadLevel | LoadEndEvent["reason"] {
  if (load.mode === "rate") {
    const rate = load.rates[step];
    return rate === undefined ? "levels_done" : { rate };
  }
  if (load.concurrency !== null) {
    const concurrency = load.concurrency[step];
    return concurrency === undefined ? "levels_done" : { concurrency };
  }
  const next = nextAutoConcurrency(done, load.maxConcurrency, load.minGain);
  return typeof next === "number" ? { concurrency: next } : next;
}

async function runSteps(ctx: SweepContext): Promise<LoadEndEvent["reason"]> {
  const { load, signal } = ctx.options;
  const done: { concurrency: number; throughput: number | null }[] = [];
  for (let step = 0; ; step++) {
    if (signal.aborted) return "interrupted";
    const level = nextLevel(load, step, done);
    if (typeof level === "string") return level;
    const summary = await runStep(ctx, step, level);
    done.push({
      concurrency: "concurrency" in level ? level.concurrency : 0,
      throughput: stepThroughput(summary),
    });
    if (signal.aborted || summary.status !== "completed") return "interrupted";
    if (summary.requests.offered > 0 && summary.requests.succeeded === 0) return "all_failed";
  }
}

async function runStep(ctx: SweepContext, step: number, level: LoadLevel): Promise<LoadStepSummary> {
  const { load, signal, observer } = ctx.options;
  observer?.stepStarted?.(step, level);
  const url = ctx.metricsUrl;
  let before: ServerMetricsScrape | null = null;
  let beforeError: string | undefined;
  if (url !== null) {
    try {
      before = await scrapeMetrics(url, signal);
    } catch (error) {
      beforeError = error instanceof Error ? error.message : String(error);
      if (!ctx.warnedMetrics) observer?.log?.(`server metrics: ${beforeError}`);
      ctx.warnedMetrics = true;
    }
  }
  ctx.emit({
    v: LOG_VERSION,
    type: "load_step_start",
    step,
    at: new Date().toISOString(),
    concurrency: "concurrency" in level ? level.concurrency : null,
    rate_per_s: "rate" in level ? level.rate : null,
    server_metrics: before,
    ...(beforeError !== undefined && { server_metrics_error: beforeError }),
  });
  // The step's own energy window (local models with a meter): its calls, warm-up included.
  await ctx.session.beginMeasured();
  const watch =
    url !== null && before !== null ? new MetricsWatch(url, before, load.metricsIntervalMs) : undefined;
  const bounds: StepBounds = { requests: load.requests, durationMs: load.durationMs, warmup: load.warmup };
  const emitCall = ctx.emit;
  let outcome: StepOutcome;
  try {
    outcome =
      "concurrency" in level
        ? await runClosedLoopStep(ctx.caller, step, level.concurrency, bounds, emitCall, signal)
        : await runOpenLoopStep(
            ctx.caller,
            step,
            level.rate,
            stepSeed(load.seed, step),
            load.maxInFlight,
            bounds,
            emitCall,
            signal,
          );
  } catch (error) {
    watch?.cancel();
    throw error;
  }
  // Its model_energy event comes before load_step_end: the step's summary folds it.
  await ctx.session.endMeasured();
  let after: LoadStepEndEvent["server_metrics"] = null;
  let afterError: string | undefined;
  if (watch) {
    try {
      after = await watch.finish();
    } catch (error) {
      afterError = error instanceof Error ? error.message : String(error);
    }
  }
  ctx.emit({
    v: LOG_VERSION,
    type: "load_step_end",
    step,
    at: new Date().toISOString(),
    status: signal.aborted ? "interrupted" : "completed",
    not_dispatched: outcome.notDispatched,
    not_dispatched_measured: outcome.notDispatchedMeasured,
    server_metrics: after,
    ...(afterError !== undefined && { server_metrics_error: afterError }),
  });
  const summary = ctx.builder.step(step)!;
  observer?.stepDone?.(summary);
  return summary;
}
