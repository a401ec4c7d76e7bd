/**
 * `load.json`: the results of a load run, a pure function of its event log. One entry per step,
 * shaped for a throughput-vs-latency chart (x: `requests_per_s` or `output_tokens_per_s`,
 * y: a percentile of `ttft_corrected_ms`, `tpot_ms` or `e2e_corrected_ms`), and the
 * highest-throughput step that still met the SLO.
 */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  isLoadEvent,
  type LoadEndEvent,
  type LoadEvent,
  type LoadStartEvent,
  type LogEvent,
  METRICS_VERSION,
  type ModelStartEvent,
  type RunStartEvent,
} from "../core/records.ts";
import { readRunLog } from "../core/run-log.ts";
import type { HardwareConfig } from "../cost/local-cost.ts";
import type { GateReport } from "../metrics/gate-report.ts";
import { type MaxGoodputThroughput, maxGoodputThroughput } from "./goodput.ts";
import type { StepCosting } from "./step-cost-energy.ts";
import { type LoadStepSummary, StepAccumulator } from "./step-summary.ts";

/** Version of the load.json format; bumped only on breaking changes. */
export const LOAD_SUMMARY_VERSION = 1 as const;
export const LOAD_SUMMARY_FILE = "load.json";

export interface LoadSummary {
  load_version: typeof LOAD_SUMMARY_VERSION;
  metrics_version: typeof METRICS_VERSION;
  run: {
    run_id: string;
    suite: { name: string; path: string; hash: string };
    started_at: string;
    ended_at: string | null;
    status: string;
    opbench_version: string;
    host: RunStartEvent["host"];
    git: RunStartEvent["git"];
  } | null;
  model: string;
  runner: string | null;
  backend: ModelStartEvent["backend"];
  mode: LoadStartEvent["mode"];
  slo: LoadStartEvent["slo"];
  /** Fraction of a step's calls that had to meet the SLO. */
  attainment: number;
  settings: LoadStartEvent["settings"];
  steps: LoadStepSummary[];
  /** The highest-throughput step whose goodput reached `attainment`; null when none did. */
  max_goodput_throughput: MaxGoodputThroughput | null;
  /** Why the sweep stopped; null when the log ends before it did. */
  stopped: LoadEndEvent["reason"] | null;
  /** Gate verdicts, when the sweep was gated (`--gate "goodput >= 0.95"`). */
  gates?: GateReport;
}

/** Folds a load run's events (feed every event in log order), then `result()`. */
export class LoadSummaryBuilder {
  private runStart: RunStartEvent | undefined;
  private endedAt: string | null = null;
  private status = "incomplete";
  private modelStart: ModelStartEvent | undefined;
  private loadStart: LoadStartEvent | undefined;
  private stopped: LoadEndEvent["reason"] | null = null;
  private readonly steps = new Map<number, StepAccumulator>();
  /** The step between its `load_step_start` and `load_step_end`: its energy window's events are its. */
  private openStep: StepAccumulator | undefined;

  add(event: LogEvent): void {
    if (isLoadEvent(event)) {
      this.addLoad(event);
      return;
    }
    switch (event.type) {
      case "run_start":
        this.runStart ??= event;
        break;
      case "model_start":
        this.modelStart = event;
        break;
      case "model_energy":
        this.openStep?.addEnergy(event);
        break;
      case "model_energy_calls":
        this.openStep?.addEnergyCalls(event.calls);
        break;
      case "run_end":
        this.endedAt = event.at;
        this.status = event.status;
        break;
    }
  }

  private addLoad(event: LoadEvent): void {
    switch (event.type) {
      case "load_start":
        this.loadStart = event;
        break;
      case "load_step_start":
        this.openStep = new StepAccumulator(event, this.loadStart?.slo ?? {}, this.costing());
        this.steps.set(event.step, this.openStep);
        break;
      case "load_call":
        this.steps.get(event.step)?.add(event);
        break;
      case "load_step_end":
        this.steps.get(event.step)?.end(event);
        this.openStep = undefined;
        break;
      case "load_end":
        this.stopped = event.reason;
        break;
    }
  }

  /** How the sweep's calls are costed: its model's kind, and its suite entry's `hardware` block. */
  private costing(): StepCosting {
    const model = this.loadStart?.model;
    const described = this.runStart?.suite.resolved as { models?: unknown } | null | undefined;
    const entries = Array.isArray(described?.models)
      ? (described.models as { id?: unknown; config?: { hardware?: HardwareConfig } }[])
      : [];
    return {
      locality: this.loadStart?.locality ?? null,
      hardware: entries.find((entry) => entry.id === model)?.config?.hardware,
    };
  }

  /** Results so far of step `step` (the sweep reads them to decide whether to go on). */
  step(step: number): LoadStepSummary | undefined {
    return this.steps.get(step)?.summary();
  }

  /** The summary; null when the log holds no load run. */
  result(): LoadSummary | null {
    const load = this.loadStart;
    if (!load) return null;
    const start = this.runStart;
    const steps = [...this.steps.values()].map((s) => s.summary());
    return {
      load_version: LOAD_SUMMARY_VERSION,
      metrics_version: METRICS_VERSION,
      run: start
        ? {
            run_id: start.run_id,
            suite: { name: start.suite.name, path: start.suite.path, hash: start.suite.hash },
            started_at: start.started_at,
            ended_at: this.endedAt,
            status: this.status,
            opbench_version: start.opbench_version,
            host: start.host,
            git: start.git,
          }
        : null,
      model: load.model,
      runner: this.modelStart?.runner ?? null,
      backend: this.modelStart?.backend ?? null,
      mode: load.mode,
      slo: load.slo,
      attainment: load.attainment,
      settings: load.settings,
      steps,
      max_goodput_throughput: maxGoodputThroughput(steps, load.attainment),
      stopped: this.stopped,
    };
  }
}

/** Summarises `<runDir>/events.jsonl` in one streaming pass; null when it holds no load run. */
export async function summarizeLoadRun(runDir: string): Promise<LoadSummary | null> {
  const builder = new LoadSummaryBuilder();
  for await (const event of readRunLog(runDir)) builder.add(event);
  return builder.result();
}

/** Writes `<runDir>/load.json` atomically (temp file + rename). */
export function writeLoadSummary(runDir: string, summary: LoadSummary): string {
  const path = join(runDir, LOAD_SUMMARY_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
