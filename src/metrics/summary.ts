/**
 * `summary.json`: a pure function of a run's event log, computed in one streaming pass.
 * Warm-up calls are left out; retried attempts count as retries; an item's final record is its
 * outcome, and a failure later made good by `--resume` is taken back.
 */
import type { ErrorClass } from "../core/errors.ts";
import {
  type CallRecord,
  type LogEvent,
  METRICS_VERSION,
  type ModelStartEvent,
  type RunStartEvent,
} from "../core/records.ts";
import { GroupAccumulator, type GroupSummary } from "./group.ts";

/** Version of the summary format; bumped only on breaking changes. */
export const SUMMARY_VERSION = 1 as const;

export interface Summary {
  summary_version: typeof SUMMARY_VERSION;
  metrics_version: typeof METRICS_VERSION;
  run: {
    run_id: string;
    suite: RunStartEvent["suite"];
    started_at: string;
    ended_at: string | null;
    status: "completed" | "interrupted" | "failed" | "incomplete";
    segments: number;
    opbench_version: string;
    node_version: string;
    git: RunStartEvent["git"];
    host: RunStartEvent["host"];
  };
  /** Each model's backend as its runner reported it at start (last start wins), or its start error. */
  models: { model: string; runner: string; backend: ModelStartEvent["backend"]; error: string | null }[];
  /** One entry per model × task, in the order first seen. */
  results: GroupSummary[];
  /** One entry per model, over all its tasks (no accuracy: it is per task). */
  by_model: GroupSummary[];
  warmup_calls: number;
}

/** Folds events into a summary. Feed every event in log order, then call `result()`. */
export class SummaryBuilder {
  private firstStart: RunStartEvent | undefined;
  private segments = 0;
  private endedAt: string | null = null;
  private status: Summary["run"]["status"] = "incomplete";
  private readonly models = new Map<string, Summary["models"][number]>();
  private readonly groups = new Map<string, GroupAccumulator>();
  private readonly modelGroups = new Map<string, GroupAccumulator>();
  /** Items whose final record so far is a failure: a later success retracts it. */
  private readonly failedItems = new Map<
    string,
    Pick<CallRecord, "case_index" | "error" | "model" | "task">
  >();
  private warmupCalls = 0;

  add(event: LogEvent): void {
    switch (event.type) {
      case "run_start":
        this.firstStart ??= event;
        this.segments++;
        this.status = "incomplete";
        this.endedAt = null;
        for (const group of [...this.groups.values(), ...this.modelGroups.values()]) group.newSegment();
        break;
      case "run_end":
        this.status = event.status;
        this.endedAt = event.at;
        break;
      case "model_start":
        this.models.set(event.model, {
          model: event.model,
          runner: event.runner,
          backend: event.backend,
          error: event.error ?? null,
        });
        break;
      case "call":
        this.addCall(event);
        break;
    }
  }

  private addCall(record: CallRecord): void {
    if (record.warmup) {
      if (!record.will_retry) this.warmupCalls++;
      return;
    }
    const groups = [this.group(record.model, record.task), this.modelGroup(record.model)];
    if (record.will_retry) {
      for (const g of groups) g.addRetry();
      return;
    }
    const earlier = this.failedItems.get(record.item);
    if (earlier) {
      for (const g of groups) g.retractFailure(earlier);
      this.failedItems.delete(record.item);
    }
    if (!record.ok) {
      this.failedItems.set(record.item, {
        case_index: record.case_index,
        error: record.error,
        model: record.model,
        task: record.task,
      });
    }
    for (const g of groups) g.addFinal(record);
  }

  private group(model: string, task: string): GroupAccumulator {
    const key = `${model}\u0000${task}`;
    let group = this.groups.get(key);
    if (!group) {
      group = new GroupAccumulator(model, task);
      this.groups.set(key, group);
    }
    return group;
  }

  private modelGroup(model: string): GroupAccumulator {
    let group = this.modelGroups.get(model);
    if (!group) {
      group = new GroupAccumulator(model, null);
      this.modelGroups.set(model, group);
    }
    return group;
  }

  result(): Summary {
    const start = this.firstStart;
    if (!start) throw new Error("the run log holds no run_start event");
    return {
      summary_version: SUMMARY_VERSION,
      metrics_version: METRICS_VERSION,
      run: {
        run_id: start.run_id,
        suite: start.suite,
        started_at: start.started_at,
        ended_at: this.endedAt,
        status: this.status,
        segments: this.segments,
        opbench_version: start.opbench_version,
        node_version: start.node_version,
        git: start.git,
        host: start.host,
      },
      models: [...this.models.values()],
      results: [...this.groups.values()].map((g) => g.summary()),
      by_model: [...this.modelGroups.values()].map((g) => g.summary()),
      warmup_calls: this.warmupCalls,
    };
  }
}

/** Total failed calls by class across a summary's model × task results. */
export function errorTotals(summary: Summary): Partial<Record<ErrorClass, number>> {
  const totals: Partial<Record<ErrorClass, number>> = {};
  for (const r of summary.results) {
    for (const [cls, n] of Object.entries(r.errors_by_class) as [ErrorClass, number][]) {
      totals[cls] = (totals[cls] ?? 0) + n;
    }
  }
  return totals;
}
