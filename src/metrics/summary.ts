import { loadAllRunners } from "../../runners/index.ts";
import {
  type CallRecord,
  isBudgetStopped,
  type LogEvent,
  METRICS_VERSION,
  type ModelEnergyCall,
  type ModelEnergyEvent,
  type ModelStartEvent,
  type RescoredFrom,
  type RunEndEvent,
  type RunStartEvent,
} from "../core/records.ts";
import { type CarbonIntensity, carbonIntensity } from "../energy/carbon.ts";
import { bandFactors } from "../energy/modelled.ts";
import { scorerName } from "../scoring/common.ts";
import { loadAllScorers } from "../scoring/index.ts";
import type { SuiteDescription } from "../suite/describe.ts";
import { isLocalRunner } from "../suite/resolve-savings.ts";
import type { ModelConfig } from "../suite/schema.ts";
import type { GateReport } from "./gate-report.ts";
import { GroupAccumulator, type GroupSummary } from "./group.ts";
import { type JudgeOverhead, JudgeOverheadCollector } from "./judge-overhead.ts";
import { SavingsCollector, type SavingsResult } from "./savings-collector.ts";

/** Whether a run_start's `resolved` field is a suite description this version can read. */
function isSuiteDescription(value: unknown): value is SuiteDescription {
  const v = value as Partial<SuiteDescription> | null;
  return typeof v === "object" && v !== null && Array.isArray(v.models) && Array.isArray(v.tasks);
}

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
    status: RunEndEvent["status"] | "incomplete";
    segments: number;
    opbench_version: string;
    node_version: string;
    git: RunStartEvent["git"];
    host: RunStartEvent["host"];
    /** Present when `opbench rescore` wrote this run: the run and suite it was re-graded from. */
    rescored_from?: RescoredFrom;
  };
  /** The pricing dataset API costs came from. */
  prices: RunStartEvent["prices"];
  /**
   * Each model's backend as its runner reported it at start (last start wins), or its start error;
   * for local models the energy window (method, gross/net joules, idle power, busy time, notes).
   */
  models: {
    model: string;
    runner: string;
    backend: ModelStartEvent["backend"];
    error: string | null;
    energy: Omit<ModelEnergyEvent, "v" | "type" | "model" | "calls"> | null;
  }[];
  /** One entry per model × task, in the order first seen. */
  results: GroupSummary[];
  /** One entry per model, over all its tasks (no accuracy: it is per task). */
  by_model: GroupSummary[];
  /** Candidate vs baseline per task: accuracy retained, cost/time/energy ratios, cascade what-if. */
  savings: SavingsResult[];
  warmup_calls: number;
  /**
   * Evaluation overhead: each LLM judge's calls, tokens, cost and time (absent when the run had no
   * judge). Never part of the models' figures above.
   */
  judges?: JudgeOverhead[];
  /** Gate verdicts, when the run was gated (`gates:` in the suite, `--gate`, `--baseline`). */
  gates?: GateReport;
}

/**
 * Loads every runner and scorer, which a fold of a log whose suite was not loaded needs: the
 * summary asks the registries whether a model's runner is local and which scorers check validity.
 */
export function loadSummaryPlugins(): Promise<void> {
  return Promise.all([loadAllRunners(), loadAllScorers()]).then(() => undefined);
}

/**
 * Folds a run's events into a summary. Feed every event in log order, then call `result()`.
 * A load sweep's events are not folded here: load mode summarises its own log (load.json).
 * The runners and scorers it names must be loaded (a suite's, or {@link loadSummaryPlugins}).
 */
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
    Pick<CallRecord, "case_index" | "cluster" | "case_weight" | "error" | "model" | "task">
  >();
  private warmupCalls = 0;
  private readonly judges = new JudgeOverheadCollector();
  private description: SuiteDescription | null = null;
  private savings: SavingsCollector | null = null;
  /** Busy time of each local model's energy windows, ms (one window per segment). */
  private readonly busyMs = new Map<string, number>();
  /** Energy source of each model's latest window. */
  private readonly energySource = new Map<string, CallRecord["energy_source"]>();
  /** Band of each model's latest window (modelled energy), as factors of its central figure. */
  private readonly energyBand = new Map<string, { low: number; high: number } | null>();

  private isLocal(model: string): boolean {
    const entry = this.description?.models.find((m) => m.id === model);
    return entry ? isLocalRunner(entry.runner as ModelConfig["runner"]) : true;
  }

  add(event: LogEvent): void {
    switch (event.type) {
      case "run_start":
        if (!this.firstStart) {
          this.firstStart = event;
          this.description = isSuiteDescription(event.suite.resolved) ? event.suite.resolved : null;
          if (this.description) this.savings = new SavingsCollector(this.description);
        }
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
          energy: this.models.get(event.model)?.energy ?? null,
        });
        break;
      case "model_energy":
        this.addEnergy(event);
        break;
      case "model_energy_calls":
        this.addEnergyCalls(event.model, event.calls);
        this.savings?.addEnergyCalls(event.model, event.calls);
        break;
      case "call":
        this.addCall(event);
        break;
      case "judge_start":
      case "judge_call":
        this.judges.add(event);
        break;
    }
  }

  private addCall(record: CallRecord): void {
    if (record.warmup) {
      if (!record.will_retry && !isBudgetStopped(record)) this.warmupCalls++;
      return;
    }
    const groups = this.groupsOf(record.model, record.task);
    if (!this.isLocal(record.model)) for (const g of groups) g.money.addApiCall(record);
    // Cut off at --max-cost: its cost counts above, but it is no outcome (not failed, not scored 0).
    if (isBudgetStopped(record)) {
      for (const g of groups) g.addBudgetStopped();
      return;
    }
    this.savings?.add(record);
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
        cluster: record.cluster,
        ...(record.case_weight !== undefined && { case_weight: record.case_weight }),
        error: record.error,
        model: record.model,
        task: record.task,
      });
    }
    for (const g of groups) g.addFinal(record);
  }

  private addEnergy(event: ModelEnergyEvent): void {
    const { v: _v, type: _type, model: _model, calls, ...window } = event;
    const entry = this.models.get(event.model);
    if (entry) entry.energy = window;
    // Only the busy time is kept: a window's per-call shares (one per call) are folded below.
    this.busyMs.set(event.model, (this.busyMs.get(event.model) ?? 0) + event.busy_ms);
    this.energySource.set(event.model, event.energy_source);
    this.energyBand.set(event.model, bandOf(event));
    this.addEnergyCalls(event.model, calls);
    this.savings?.addEnergy(event);
  }

  /** Per-call shares of a model's latest window (in its event, or in the events after it). */
  private addEnergyCalls(model: string, calls: readonly ModelEnergyCall[]): void {
    const source = this.energySource.get(model) ?? null;
    const band = this.energyBand.get(model) ?? null;
    for (const call of calls) {
      const task = call.item.split("|")[1] ?? "";
      if (task === "warmup") continue;
      for (const g of [this.group(model, task), this.modelGroup(model)]) {
        g.money.addEnergy(call.energy_j, call.net_energy_j, source, band, call);
      }
    }
  }

  /** A local group's share of its model's busy time (by energy), and the model's hardware block. */
  private localShare(group: GroupAccumulator) {
    if (!this.isLocal(group.model)) return undefined;
    const busyMs = this.busyMs.get(group.model) ?? 0;
    const modelJ = this.modelGroups.get(group.model)?.money.energyTotalJ ?? null;
    const groupJ = group.money.energyTotalJ;
    const share = group.task === null ? 1 : modelJ && groupJ !== null ? groupJ / modelJ : 0;
    const hardware = this.description?.models.find((m) => m.id === group.model)?.config.hardware;
    return { busySeconds: (busyMs / 1000) * share, hardware };
  }

  /** A model's grid carbon intensity: its `energy.carbon_g_per_kwh`, else the documented default. */
  private carbon(model: string): CarbonIntensity {
    const config = this.description?.models.find((m) => m.id === model)?.config;
    return carbonIntensity(config?.energy?.carbon_g_per_kwh);
  }

  /** The last call's groups: consecutive records mostly share them (no key string per call). */
  private lastGroups:
    | { model: string; task: string; groups: [GroupAccumulator, GroupAccumulator] }
    | undefined;

  /** A call's task group and its model's roll-up. */
  private groupsOf(model: string, task: string): [GroupAccumulator, GroupAccumulator] {
    const last = this.lastGroups;
    if (last !== undefined && last.model === model && last.task === task) return last.groups;
    const groups: [GroupAccumulator, GroupAccumulator] = [this.group(model, task), this.modelGroup(model)];
    this.lastGroups = { model, task, groups };
    return groups;
  }

  private group(model: string, task: string): GroupAccumulator {
    const key = `${model}\u0000${task}`;
    let group = this.groups.get(key);
    if (!group) {
      // One call per case (repeats: 1): accuracy from running moments, memory flat in the case count.
      const scorers = this.description?.tasks.find((t) => t.id === task)?.scorers.map(scorerName);
      group = new GroupAccumulator(model, task, this.description?.repeats === 1, scorers);
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
    const judges = this.judges.result();
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
        ...(start.rescored_from && { rescored_from: start.rescored_from }),
      },
      prices: start.prices ?? null,
      models: [...this.models.values()],
      results: [...this.groups.values()].map((g) => g.summary(this.localShare(g), [], this.carbon(g.model))),
      by_model: [...this.modelGroups.values()].map((g) =>
        g.summary(
          this.localShare(g),
          [...this.groups.values()].filter((t) => t.model === g.model),
          this.carbon(g.model),
        ),
      ),
      savings: this.savings?.result() ?? [],
      warmup_calls: this.warmupCalls,
      ...(judges.length > 0 && { judges }),
    };
  }
}

/** A window's band as factors of its central figure; null for a measurement. */
function bandOf(event: ModelEnergyEvent): { low: number; high: number } | null {
  return bandFactors(event.gross_j, event.low_j, event.high_j);
}
