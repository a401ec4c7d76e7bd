/**
 * The input of the savings functions: each model's outcome per case, one {@link Trial} per
 * repeat, built from the run's final call records in one pass ({@link CaseOutcomeBuilder}), and
 * the per-model aggregates both the comparison and the cascade use.
 *
 * Conventions (the summary's): a call that failed after every retry scores 0 (the user got no
 * answer); a call its scorer could not score is left out of accuracy (score null); unknown cost
 * or energy stays null and makes totals null — never 0.
 */
import type { CallRecord } from "../core/records.ts";
import type { CaseScore } from "../stats/accuracy.ts";
import { quantile } from "../stats/percentiles.ts";
import { isNonEmpty, sortSamples } from "../stats/samples.ts";

/** One call (one repeat of a case) as the savings functions need it. */
export interface Trial {
  /** The chosen accuracy scorer's score in [0, 1]; 0 for a failed call; null when unscorable. */
  score: number | null;
  cost_usd: number | null;
  energy_j: number | null;
  energy_source: CallRecord["energy_source"];
  /** The band of a call's estimated energy, J (absent or null: none). */
  energy_low_j?: number | null;
  energy_high_j?: number | null;
  /** Compute of a local call: CPU core-seconds and GPU-seconds (absent or null: not measured). */
  cpu_s?: number | null;
  gpu_s?: number | null;
  e2e_ms: number | null;
  ttft_ms: number | null;
  /** The call failed after every retry. */
  failed: boolean;
  finish_reason: string | null;
  /** Every scorer's score on this call, by scorer name (the cascade's validity checks read these). */
  scores: Readonly<Record<string, number | null>>;
  /** A scorer-free confidence signal in [0, 1] (e.g. from log-probabilities), when one exists. */
  confidence?: number | null | undefined;
}

/** A model's trials on one case, in repeat order. */
export interface CaseOutcome {
  caseId: string;
  cluster?: string | undefined;
  /** How many calls the case stands for (task `weight_field`); absent: 1. */
  weight?: number;
  trials: Trial[];
}

/**
 * Builds one model's {@link CaseOutcome}s for one task from its call records: warm-up calls and
 * attempts that were retried are skipped, and a later final record of the same item (a
 * `--resume` retry) replaces an earlier one.
 */
export class CaseOutcomeBuilder {
  private readonly scorer: string;
  /** Final call of each item, kept compact (a Trial, not the record with its output text). */
  private readonly finals = new Map<
    string,
    { caseId: string; cluster: string | null; weight: number | undefined; repeat: number; trial: Trial }
  >();

  /** @param scorer the scorer whose score is the accuracy (e.g. "exact") */
  constructor(scorer: string) {
    this.scorer = scorer;
  }

  add(record: CallRecord): void {
    if (record.warmup || record.will_retry) return;
    const scores = Object.fromEntries(record.scores.map((s) => [s.scorer, s.score]));
    const trial: Trial = {
      score: record.ok ? (scores[this.scorer] ?? null) : 0,
      cost_usd: record.cost_usd,
      energy_j: record.energy_j,
      energy_source: record.energy_source,
      ...(record.energy_low_j != null && { energy_low_j: record.energy_low_j }),
      ...(record.energy_high_j != null && { energy_high_j: record.energy_high_j }),
      e2e_ms: record.e2e_ms,
      ttft_ms: record.ttft_ms,
      failed: !record.ok,
      finish_reason: record.finish_reason,
      scores,
    };
    this.finals.set(record.item, {
      caseId: record.case_id,
      cluster: record.cluster,
      weight: record.case_weight,
      repeat: record.repeat,
      trial,
    });
  }

  /**
   * The outcomes per case. `adjust` may amend each item's trial (e.g. a local call's energy and
   * cost, known only once the model's energy window has been shared out).
   */
  outcomes(adjust?: (item: string, trial: Trial) => Trial): CaseOutcome[] {
    const byCase = new Map<
      string,
      { cluster: string | null; weight: number | undefined; trials: [number, Trial][] }
    >();
    for (const [item, { caseId, cluster, weight, repeat, trial }] of this.finals) {
      const entry = byCase.get(caseId) ?? { cluster, weight, trials: [] };
      entry.trials.push([repeat, adjust ? adjust(item, trial) : trial]);
      byCase.set(caseId, entry);
    }
    return [...byCase].map(([caseId, { cluster, weight, trials }]) => ({
      caseId,
      ...(cluster === null ? {} : { cluster }),
      ...(weight !== undefined && weight !== 1 && { weight }),
      trials: trials.sort((a, b) => a[0] - b[0]).map(([, trial]) => trial),
    }));
  }
}

/** One {@link CaseOutcomeBuilder} per model × task × scorer, made when first asked for. */
export class OutcomeBuilders {
  private readonly builders = new Map<string, CaseOutcomeBuilder>();

  private static key(model: string, task: string, scorer: string): string {
    return `${model}\u0000${task}\u0000${scorer}`;
  }

  /** The builder of `model` on `task` by `scorer` (made empty when there is none yet). */
  get(model: string, task: string, scorer: string): CaseOutcomeBuilder {
    const key = OutcomeBuilders.key(model, task, scorer);
    let builder = this.builders.get(key);
    if (!builder) {
      builder = new CaseOutcomeBuilder(scorer);
      this.builders.set(key, builder);
    }
    return builder;
  }

  /** The builder if any record was added for it; undefined otherwise. */
  find(model: string, task: string, scorer: string): CaseOutcomeBuilder | undefined {
    return this.builders.get(OutcomeBuilders.key(model, task, scorer));
  }
}

/**
 * Two sides' outcomes with each case of weight w (either side's) written out as w cases, all of
 * one cluster (the case's own, else one named after it): means, ratios and medians then count
 * every call the case stands for, and the clustered intervals keep the case as the sampling unit
 * (its w calls are one draw, not w). Unchanged when no case carries a weight.
 */
export function weighOutcomes(
  candidate: CaseOutcome[],
  baseline: CaseOutcome[],
): { candidate: CaseOutcome[]; baseline: CaseOutcome[]; cases: number; calls: number } | null {
  const weights = new Map<string, number>();
  for (const o of [...candidate, ...baseline]) if (o.weight !== undefined) weights.set(o.caseId, o.weight);
  if (weights.size === 0) return null;
  let cases = 0;
  let calls = 0;
  const expand = (outcomes: CaseOutcome[], count: boolean) =>
    outcomes.flatMap((o) => {
      const weight = weights.get(o.caseId) ?? 1;
      if (count) {
        cases++;
        calls += weight;
      }
      if (weight === 1) return [o];
      const cluster = o.cluster ?? `\u0000weighted case ${o.caseId}`;
      return Array.from({ length: weight }, (_, k) => ({
        caseId: k === 0 ? o.caseId : `${o.caseId}\u0000${k}`,
        cluster,
        trials: o.trials,
      }));
    });
  return { candidate: expand(candidate, false), baseline: expand(baseline, true), cases, calls };
}

/** Mean score of a case's scorable trials; null when none is scorable. */
export function caseScore(outcome: CaseOutcome): CaseScore | null {
  const scored = outcome.trials.map((t) => t.score).filter((s): s is number => s !== null);
  if (scored.length === 0) return null;
  return {
    caseId: outcome.caseId,
    score: scored.reduce((a, b) => a + b, 0) / scored.length,
    repeats: scored.length,
    ...(outcome.cluster === undefined ? {} : { cluster: outcome.cluster }),
  };
}

/** A per-call mean that is null as soon as one call's value is unknown. */
export interface KnownMean {
  mean: number | null;
  total: number | null;
  /** Calls whose value is unknown. */
  unknown: number;
  calls: number;
}

/** Mean and total of a per-call quantity; unknown when any call's value is null. */
export function strictMean(values: readonly (number | null)[]): KnownMean {
  const unknown = values.filter((v) => v === null || !Number.isFinite(v)).length;
  if (unknown > 0 || values.length === 0) return { mean: null, total: null, unknown, calls: values.length };
  const total = (values as number[]).reduce((a, b) => a + b, 0);
  return { mean: total / values.length, total, unknown: 0, calls: values.length };
}

/** Median (type-7 p50) of the known values, and their mean; null when there are none. */
export function medianAndMean(values: readonly (number | null)[]): {
  p50: number | null;
  mean: number | null;
  n: number;
} {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (!isNonEmpty(known)) return { p50: null, mean: null, n: 0 };
  return {
    p50: quantile(sortSamples(known), 0.5),
    mean: known.reduce((a, b) => a + b, 0) / known.length,
    n: known.length,
  };
}

/** `numerator / denominator`, or null with a reason when either is unknown or the denominator is 0. */
export function ratioOrNull(
  numerator: number | null,
  denominator: number | null,
  what: string,
  notes: string[],
): number | null {
  if (numerator === null || denominator === null) {
    notes.push(`${what}: unknown (${numerator === null ? "numerator" : "denominator"} missing)`);
    return null;
  }
  if (denominator === 0) {
    notes.push(`${what}: undefined (division by 0)`);
    return null;
  }
  return numerator / denominator;
}
