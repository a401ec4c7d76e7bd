/**
 * The summary's savings section: for each candidate/baseline pair and each task, the paired
 * comparison and the cascade what-if (src/savings), from the final records of both models. Local
 * calls get their energy and cost once their model's energy window has been shared out.
 */

import type { CallRecord, ModelEnergyCall, ModelEnergyEvent } from "../core/records.ts";
import { type HardwareConfig, localCost } from "../cost/local-cost.ts";
import { bandFactors } from "../energy/modelled.ts";
import { type CascadeResult, type CascadeRule, cascadeWhatIf } from "../savings/cascade.ts";
import { compareModels, type EnergyBand, type SavingsComparison } from "../savings/compare.ts";
import { type CaseOutcomeBuilder, OutcomeBuilders, type Trial, weighOutcomes } from "../savings/outcomes.ts";
import { type ProjectedBaseline, projectCall, projectionNotes } from "../savings/projected.ts";
import { scorerDefinition } from "../scoring/index.ts";
import type { SuiteDescription } from "../suite/describe.ts";
import type { ResolvedSavings } from "../suite/resolved.ts";

export interface SavingsResult {
  candidate: string;
  /** Model id of the baseline, or the projected model's name. */
  baseline: string;
  /**
   * "run": the baseline's own calls; "projected": not run, its cost and energy projected from the
   * candidate's calls (`projection`), its latency and accuracy not measured. Always written;
   * absent (read as "run") in summaries from before projected baselines.
   */
  baseline_kind?: "run" | "projected";
  /** The projected baseline's list price and token source; null (or absent) for a baseline that ran. */
  projection?: ProjectedBaseline | null;
  task: string;
  /** The scorer whose score is accuracy. */
  scorer: string;
  /** True when opbench picked the pair (the suite has no `savings:`). */
  auto: boolean;
  /** "recorded": the expected answers are a logged model's; accuracy is agreement with it, not correctness. */
  reference?: "recorded";
  comparison: SavingsComparison;
  cascade: CascadeResult;
}

/** Whether a scorer type checks validity without a gold answer: what a cascade can escalate on. */
const checksValidity = (type: string): boolean => scorerDefinition(type)?.validity === true;

interface LocalEnergy {
  /** Energy per item (all its attempts), J. */
  perItem: Map<string, number>;
  /** CPU core-seconds and GPU-seconds per item (all its attempts); absent: not measured. */
  cpuPerItem: Map<string, number>;
  gpuPerItem: Map<string, number>;
  totalJ: number;
  busyMs: number;
  source: CallRecord["energy_source"];
  /** The window's band (modelled) as factors of its central figure; measured: 1 and 1; null: unknown. */
  band: EnergyBand | null;
}

export class SavingsCollector {
  private readonly pairs: readonly ResolvedSavings[];
  private readonly reference: "recorded" | undefined;
  private readonly tasks: SuiteDescription["tasks"];
  private readonly hardware = new Map<string, HardwareConfig | undefined>();
  private readonly builders = new OutcomeBuilders();
  private readonly energy = new Map<string, LocalEnergy>();
  private readonly involved: Set<string>;

  constructor(suite: SuiteDescription) {
    this.reference = suite.reference;
    this.pairs = suite.savings ?? [];
    this.tasks = suite.tasks;
    for (const m of suite.models) this.hardware.set(m.id, m.config.hardware);
    this.involved = new Set(
      this.pairs.flatMap((p) => (p.projected ? [p.candidate] : [p.candidate, p.baseline])),
    );
  }

  private scorerFor(pair: ResolvedSavings, task: SuiteDescription["tasks"][number]): string | undefined {
    const first = task.scorers[0];
    return pair.scorer ?? (first ? (first.name ?? first.type) : undefined);
  }

  private builder(model: string, task: string, scorer: string): CaseOutcomeBuilder {
    return this.builders.get(model, task, scorer);
  }

  add(record: CallRecord): void {
    if (!this.involved.has(record.model) || record.warmup || record.will_retry) return;
    const task = this.tasks.find((t) => t.id === record.task);
    if (!task) return;
    for (const pair of this.pairs) {
      const projected = pair.projected;
      if (projected) {
        if (pair.candidate !== record.model) continue;
        const scorer = this.scorerFor(pair, task);
        if (!scorer) continue;
        this.builder(record.model, record.task, scorer).add(record);
        this.builder(projectedKey(projected), record.task, scorer).add(projectCall(record, projected));
        continue;
      }
      if (pair.candidate !== record.model && pair.baseline !== record.model) continue;
      const scorer = this.scorerFor(pair, task);
      if (scorer) this.builder(record.model, record.task, scorer).add(record);
    }
  }

  /** A window of the model's (a run has one per segment, a merged run one per shard): its shares add up. */
  addEnergy(event: ModelEnergyEvent): void {
    if (!this.involved.has(event.model)) return;
    const modelled =
      event.low_j !== null && event.high_j !== null && event.gross_j !== null && event.gross_j > 0;
    const earlier = this.energy.get(event.model);
    this.energy.set(event.model, {
      perItem: earlier?.perItem ?? new Map(),
      cpuPerItem: earlier?.cpuPerItem ?? new Map(),
      gpuPerItem: earlier?.gpuPerItem ?? new Map(),
      totalJ: earlier?.totalJ ?? 0,
      busyMs: (earlier?.busyMs ?? 0) + event.busy_ms,
      source: event.energy_source,
      band: modelled
        ? bandFactors(event.gross_j, event.low_j, event.high_j)
        : event.gross_j === null
          ? null
          : { low: 1, high: 1 },
    });
    this.addEnergyCalls(event.model, event.calls);
  }

  /** Per-call shares of the model's windows (in their events, or in the events after them). */
  addEnergyCalls(model: string, calls: readonly ModelEnergyCall[]): void {
    const energy = this.energy.get(model);
    if (!energy) return;
    for (const call of calls) {
      energy.perItem.set(call.item, (energy.perItem.get(call.item) ?? 0) + call.energy_j);
      energy.totalJ += call.energy_j;
      if (call.cpu_s != null)
        energy.cpuPerItem.set(call.item, (energy.cpuPerItem.get(call.item) ?? 0) + call.cpu_s);
      if (call.gpu_s != null)
        energy.gpuPerItem.set(call.item, (energy.gpuPerItem.get(call.item) ?? 0) + call.gpu_s);
    }
  }

  /** A local call's energy and cost: its share of the window's energy and busy time. */
  private localTrial(model: string): ((item: string, trial: Trial) => Trial) | undefined {
    const energy = this.energy.get(model);
    if (!energy) return undefined;
    const hardware = this.hardware.get(model);
    return (item, trial) => {
      const joules = energy.perItem.get(item);
      if (joules === undefined) return trial;
      const share = energy.totalJ > 0 ? joules / energy.totalJ : 0;
      const cost = localCost({ energyJ: joules, busySeconds: (energy.busyMs / 1000) * share, hardware });
      return {
        ...trial,
        energy_j: joules,
        energy_source: energy.source,
        cost_usd: cost.usd,
        cpu_s: energy.cpuPerItem.get(item) ?? null,
        gpu_s: energy.gpuPerItem.get(item) ?? null,
      };
    };
  }

  /**
   * A side's energy band: a local model's window's; undefined for an API model (a projected one
   * too), whose calls carry their published estimate's band.
   */
  private bandOf(model: string, projected: ProjectedBaseline | undefined): EnergyBand | null | undefined {
    if (projected) return undefined;
    const energy = this.energy.get(model);
    return energy ? energy.band : undefined;
  }

  result(): SavingsResult[] {
    const results: SavingsResult[] = [];
    for (const pair of this.pairs) {
      for (const task of this.tasks) {
        const scorer = this.scorerFor(pair, task);
        if (!scorer) continue;
        const cand = this.builders.find(pair.candidate, task.id, scorer);
        const baseKey = pair.projected ? projectedKey(pair.projected) : pair.baseline;
        const base = this.builders.find(baseKey, task.id, scorer);
        if (!cand || !base) continue;
        const weighed = weighOutcomes(
          cand.outcomes(this.localTrial(pair.candidate)),
          base.outcomes(pair.projected ? undefined : this.localTrial(pair.baseline)),
        );
        const candidate = weighed?.candidate ?? cand.outcomes(this.localTrial(pair.candidate));
        const baseline =
          weighed?.baseline ?? base.outcomes(pair.projected ? undefined : this.localTrial(pair.baseline));
        const validity = pair.validityScorer
          ? [pair.validityScorer]
          : task.scorers.filter((s) => checksValidity(s.type)).map((s) => s.name ?? s.type);
        const rule: CascadeRule = {
          validityScorers: validity,
          onError: pair.onError,
          onTruncated: pair.onTruncated,
        };
        const comparison = compareModels(candidate, baseline, {
          ...(weighed && { weighted: { cases: weighed.cases, calls: weighed.calls } }),
          energyBands: {
            candidate: this.bandOf(pair.candidate, undefined),
            baseline: this.bandOf(pair.baseline, pair.projected),
          },
        });
        if (pair.projected) comparison.notes = projectedNotes(pair.projected, comparison.notes);
        if (pair.note) comparison.notes.unshift(pair.note);
        results.push({
          candidate: pair.candidate,
          baseline: pair.baseline,
          baseline_kind: pair.projected ? "projected" : "run",
          projection: pair.projected ?? null,
          task: task.id,
          scorer,
          auto: pair.auto,
          ...(this.reference && { reference: this.reference }),
          comparison,
          cascade: cascadeWhatIf(candidate, baseline, rule),
        });
      }
    }
    return results;
  }
}

/** A builder key no model id can take (ids start with a letter or digit). */
const projectedKey = (projected: ProjectedBaseline) => `\u0001projected:${projected.model}`;

/**
 * A projected comparison's notes: what the projection is first; the comparison's own notes on
 * what a projection never has (latency, scores) are said once there instead.
 */
function projectedNotes(projected: ProjectedBaseline, notes: readonly string[]): string[] {
  const unmeasured = [
    /^e2e p50 ratio:/,
    /^TTFT p50 ratio:/,
    /^no case scored by both/,
    /^baseline: no correct answers/,
  ];
  return [...projectionNotes(projected), ...notes.filter((n) => !unmeasured.some((re) => re.test(n)))];
}
