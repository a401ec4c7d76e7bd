/**
 * Accumulates the final records of one group (a model × task, or a whole model) in one pass
 * with flat memory: latencies in Float64Arrays, per-case scores in arrays indexed by case.
 */

import type { ErrorClass } from "../core/errors.ts";
import { isoTimeMs } from "../core/iso-time.ts";
import type { CallRecord } from "../core/records.ts";
import type { HardwareConfig } from "../cost/local-cost.ts";
import type { CarbonIntensity } from "../energy/carbon.ts";
import { EXACT_SAMPLES, SampleAccumulator } from "../stats/accumulator.ts";
import type { AccuracyEstimate } from "../stats/accuracy.ts";
import type { DistributionSummary } from "../stats/percentiles.ts";
import { quantileRanks } from "../stats/quantile-ci.ts";
import type { AccuracyStore } from "./accuracy-store.ts";
import { PerCallAccuracy, PerCaseAccuracy } from "./case-columns.ts";
import {
  type CarbonSummary,
  type ComputeSummary,
  CostEnergyAccumulator,
  type CostSummary,
  type EnergySummary,
} from "./cost-energy.ts";
import { type LabelF1, LabelTally } from "./label-f1.ts";

/** Percentiles with their distribution-free 95% intervals (null: too few samples for one). */
export interface LatencySummary extends DistributionSummary {
  /** Present when the group passed EXACT_SAMPLES calls: every value is within this relative error. */
  approx_relative_error?: number;
  ci95: {
    p50: [number, number] | null;
    p90: [number, number] | null;
    p95: [number, number] | null;
    p99: [number, number] | null;
  };
}

export interface ScorerAccuracy extends AccuracyEstimate {
  scorer: string;
  /** Calls that failed after every retry: they count as score 0 (the user got no answer). */
  failed_calls_scored_zero: number;
  /** Calls the scorer could not score (e.g. no expected answer): left out. */
  unscored_calls: number;
  /** Multi-label scorers only: the task's micro- and macro-averaged F1 over the scored calls. */
  label_f1?: LabelF1;
}

export interface GroupSummary {
  model: string;
  /** Task id, or null for the whole-model roll-up. */
  task: string | null;
  /** Measured items that ended: succeeded, or failed after every retry. */
  calls: number;
  succeeded: number;
  failed: number;
  /** Attempts that were retried (each has its own record). */
  retries: number;
  /**
   * Calls cut off at `--max-cost` while streaming: their cost counts, but they are neither
   * succeeded nor failed (not scored); `--resume` makes them again.
   */
  budget_stopped: number;
  errors_by_class: Partial<Record<ErrorClass, number>>;
  error_examples: string[];
  accuracy: ScorerAccuracy[];
  latency: { ttft_ms: LatencySummary | null; e2e_ms: LatencySummary | null; tpot_ms: LatencySummary | null };
  tokens: {
    input_total: number;
    output_total: number;
    input_mean: number | null;
    output_mean: number | null;
    /** Calls whose counts came from the server vs a local tokenizer. */
    server_counted: number;
    estimated: number;
  };
  throughput: { wall_s: number | null; requests_per_s: number | null; output_tokens_per_s: number | null };
  /** Sum of the first scorer's scores over the calls (failed calls 0): "correct answers". */
  correct: number | null;
  cost: CostSummary;
  energy: EnergySummary;
  /** Busy device-seconds per call and per correct answer (absent in summaries from before it). */
  compute?: ComputeSummary;
  /** gCO2e at the model's grid intensity (absent in summaries from before it). */
  carbon?: CarbonSummary | null;
}

const MAX_ERROR_EXAMPLES = 5;

export class GroupAccumulator {
  /** Cost and energy of the group's attempts. */
  readonly money = new CostEnergyAccumulator();
  /** Latency samples; a model's roll-up keeps none (it merges its tasks' at the end). */
  readonly samples: { ttft: SampleAccumulator; e2e: SampleAccumulator; tpot: SampleAccumulator } | null;
  /** Per-task accuracy; null for a model's roll-up (case indexes differ between tasks). */
  private readonly accuracyStore: AccuracyStore | null;
  private succeeded = 0;
  private failed = 0;
  private retries = 0;
  private budgetStopped = 0;
  private readonly errorsByClass: Partial<Record<ErrorClass, number>> = {};
  private readonly errorExamples = new Set<string>();
  private inputTotal = 0;
  private outputTotal = 0;
  private tokenCalls = 0;
  private serverCounted = 0;
  private estimated = 0;
  private readonly windows: { start: number; end: number }[] = [];

  readonly model: string;
  /** Task id; null for a model's roll-up over all its tasks (no accuracy there). */
  readonly task: string | null;

  /**
   * @param oneCallPerCase every case gets one call (repeats: 1): accuracy from running moments,
   *   with memory independent of the number of cases; else per-case columns.
   * @param scorers the task's scorer names, in order: known before any call succeeds, so a
   *   group whose every call failed still scores 0 on each (scorers met only in records follow)
   */
  constructor(model: string, task: string | null, oneCallPerCase = false, scorers: readonly string[] = []) {
    this.model = model;
    this.task = task;
    this.accuracyStore =
      task === null ? null : oneCallPerCase ? new PerCallAccuracy() : new PerCaseAccuracy();
    for (const name of scorers) this.accuracyStore?.scorer(name);
    this.samples =
      task === null
        ? null
        : { ttft: new SampleAccumulator(), e2e: new SampleAccumulator(), tpot: new SampleAccumulator() };
  }

  /** Per multi-label scorer, its labels' outcomes over the group's calls. */
  private readonly labelTallies = new Map<string, LabelTally>();

  private labelTally(scorer: string): LabelTally {
    let tally = this.labelTallies.get(scorer);
    if (tally === undefined) {
      tally = new LabelTally();
      this.labelTallies.set(scorer, tally);
    }
    return tally;
  }

  /** A record that will be retried: counted, not measured. */
  addRetry(): void {
    this.retries++;
  }

  /** A call cut off at `--max-cost`: counted apart, not an outcome. */
  addBudgetStopped(): void {
    this.budgetStopped++;
  }

  /** A new run segment (resume) starts: throughput windows don't span the pause. */
  newSegment(): void {
    this.windows.push({ start: Number.POSITIVE_INFINITY, end: Number.NEGATIVE_INFINITY });
  }

  /** A final record: the item's outcome. */
  addFinal(record: CallRecord): void {
    const started = isoTimeMs(record.started_at);
    if (this.windows.length === 0) this.newSegment();
    const window = this.windows[this.windows.length - 1]!;
    window.start = Math.min(window.start, started);
    window.end = Math.max(window.end, started + (record.e2e_ms ?? 0));
    if (!record.ok) {
      this.failed++;
      const cls = record.error?.class ?? "network";
      this.errorsByClass[cls] = (this.errorsByClass[cls] ?? 0) + 1;
      if (this.errorExamples.size < MAX_ERROR_EXAMPLES && record.error) {
        this.errorExamples.add(`${cls}: ${record.error.message.slice(0, 300)}`);
      }
      this.accuracyStore?.failure(record.case_index, record.cluster, 1, record.case_weight);
      return;
    }
    this.succeeded++;
    if (this.samples) {
      if (record.ttft_ms !== null) this.samples.ttft.push(record.ttft_ms);
      if (record.e2e_ms !== null) this.samples.e2e.push(record.e2e_ms);
      if (record.tpot_ms !== null) this.samples.tpot.push(record.tpot_ms);
    }
    if (record.output_tokens !== null || record.input_tokens !== null) {
      this.tokenCalls++;
      this.inputTotal += record.input_tokens ?? 0;
      this.outputTotal += record.output_tokens ?? 0;
      if (record.tokens_source === "estimated") this.estimated++;
      else this.serverCounted++;
    }
    if (!this.accuracyStore) return;
    for (const { scorer, score, labels } of record.scores) {
      const store = this.accuracyStore.scorer(scorer);
      if (score === null) store.unscored++;
      else store.add(record.case_index, score, record.cluster, record.case_weight);
      if (labels !== undefined && score !== null) this.labelTally(scorer).add(labels);
    }
  }

  /**
   * Undoes `addFinal` of a failed record whose item succeeded later (a resumed run retried it).
   * Everything a failure contributes is a count, so it can be taken back exactly.
   */
  retractFailure(record: Pick<CallRecord, "case_index" | "error" | "cluster" | "case_weight">): void {
    this.failed--;
    const cls = record.error?.class ?? "network";
    const left = (this.errorsByClass[cls] ?? 1) - 1;
    if (left > 0) this.errorsByClass[cls] = left;
    else delete this.errorsByClass[cls];
    this.accuracyStore?.failure(record.case_index, record.cluster, -1, record.case_weight);
  }

  /** Sum of the first scorer's scores, failed calls counting 0; null without a scorer. */
  private correct(): number | null {
    return this.accuracyStore?.firstTotal() ?? null;
  }

  /**
   * @param local for a local model: this group's busy seconds and the model's hardware block
   * @param tasks for a model's roll-up: its task groups, whose latency samples it merges
   * @param carbon the model's grid carbon intensity
   */
  summary(
    local?: { busySeconds: number; hardware: HardwareConfig | undefined },
    tasks: readonly GroupAccumulator[] = [],
    carbon?: CarbonIntensity,
  ): GroupSummary {
    const samples = this.samples ?? mergeSamples(tasks);
    const correct = this.correct();
    const wallMs = this.windows.reduce((sum, w) => (w.end > w.start ? sum + (w.end - w.start) : sum), 0);
    const wallS = wallMs > 0 ? wallMs / 1000 : null;
    return {
      model: this.model,
      task: this.task,
      calls: this.succeeded + this.failed,
      succeeded: this.succeeded,
      failed: this.failed,
      retries: this.retries,
      budget_stopped: this.budgetStopped,
      errors_by_class: this.errorsByClass,
      error_examples: [...this.errorExamples],
      accuracy: (this.accuracyStore?.estimates() ?? []).map(({ scorer, estimate, unscored }) => {
        const labelF1 = this.labelTallies.get(scorer)?.result();
        return {
          scorer,
          ...estimate,
          failed_calls_scored_zero: this.failed,
          unscored_calls: unscored,
          ...(labelF1 && { label_f1: labelF1 }),
        };
      }),
      latency: {
        ttft_ms: latencySummary(samples.ttft),
        e2e_ms: latencySummary(samples.e2e),
        tpot_ms: latencySummary(samples.tpot),
      },
      tokens: {
        input_total: this.inputTotal,
        output_total: this.outputTotal,
        input_mean: this.tokenCalls > 0 ? this.inputTotal / this.tokenCalls : null,
        output_mean: this.tokenCalls > 0 ? this.outputTotal / this.tokenCalls : null,
        server_counted: this.serverCounted,
        estimated: this.estimated,
      },
      throughput: {
        wall_s: wallS,
        requests_per_s: wallS ? (this.succeeded + this.failed) / wallS : null,
        output_tokens_per_s: wallS && this.tokenCalls > 0 ? this.outputTotal / wallS : null,
      },
      correct,
      ...this.money.summary(this.succeeded + this.failed, correct, this.outputTotal, local, carbon),
    };
  }
}

/** A model's latency samples: its single task's, or all its tasks' merged. */
function mergeSamples(tasks: readonly GroupAccumulator[]) {
  const merge = (pick: (s: NonNullable<GroupAccumulator["samples"]>) => SampleAccumulator) => {
    const parts = tasks.flatMap((t) => (t.samples ? [pick(t.samples)] : []));
    if (parts.length === 1) return parts[0]!;
    const merged = new SampleAccumulator(
      Math.max(
        1,
        Math.min(
          EXACT_SAMPLES,
          parts.reduce((n, p) => n + p.count, 0),
        ),
      ),
    );
    for (const part of parts) merged.pushAll(part);
    return merged;
  };
  return { ttft: merge((s) => s.ttft), e2e: merge((s) => s.e2e), tpot: merge((s) => s.tpot) };
}

/**
 * Percentiles with distribution-free 95% intervals, as run summaries report them; null when empty.
 * Past EXACT_SAMPLES they come from a sketch, and `approx_relative_error` says how close they are.
 */
export function latencySummary(samples: SampleAccumulator): LatencySummary | null {
  const stats = samples.statistics();
  if (!stats) return null;
  const ci = (q: number): [number, number] | null => {
    const ranks = quantileRanks(stats.n, q);
    return ranks ? [stats.atRank(ranks.lowerRank), stats.atRank(ranks.upperRank)] : null;
  };
  return {
    n: stats.n,
    mean: stats.mean,
    min: stats.min,
    max: stats.max,
    p50: stats.quantile(0.5),
    p90: stats.quantile(0.9),
    p95: stats.quantile(0.95),
    p99: stats.quantile(0.99),
    ci95: { p50: ci(0.5), p90: ci(0.9), p95: ci(0.95), p99: ci(0.99) },
    ...(stats.relativeError > 0 && { approx_relative_error: stats.relativeError }),
  };
}
