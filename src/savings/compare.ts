/**
 * The headline comparison of a candidate (usually the small local model) with a baseline
 * (usually the frontier API) on the same task, as pure arithmetic over their case outcomes:
 *
 * - accuracy of each, the paired difference candidate − baseline (with McNemar's exact test for
 *   0/1 scores) and accuracy retained = candidate ÷ baseline with its Fieller interval;
 * - cost per call and per correct answer, and the cost ratio baseline ÷ candidate ("N× cheaper");
 * - p50 end-to-end latency and TTFT, and their ratios baseline ÷ candidate ("N× faster");
 * - energy per call and per correct answer, and the energy ratio baseline ÷ candidate;
 * - a projection to N calls (default 1,000,000): dollars saved, hours of latency saved (from the
 *   mean e2e, since totals add means, not medians), kWh saved.
 *
 * Only cases both models ran count, so the two sides answer the same questions. "Per correct
 * answer" divides a total by the sum of scores (partial credit counts partially). Every unknown
 * is null with a note saying why.
 */
import { estimateAccuracy } from "../stats/accuracy.ts";
import { mcnemarExact, type PairedScore, pairCaseScores, pairedDifference } from "../stats/paired.ts";
import { isNonEmpty, mapNonEmpty } from "../stats/samples.ts";
import {
  type CaseOutcome,
  caseScore,
  medianAndMean,
  ratioOrNull,
  strictMean,
  type Trial,
} from "./outcomes.ts";
import { pairedRatio } from "./ratio-ci.ts";

/** A modelled or estimated energy's band, as factors of its central figure (measured: 1 and 1). */
export interface EnergyBand {
  low: number;
  high: number;
}

export interface CompareOptions {
  /** Two-sided confidence level (default 0.95). */
  confidence?: number;
  /**
   * Each side's energy band (null: unknown, so the ratio has no band; absent: from the trials'
   * own `energy_low_j` / `energy_high_j`, as API calls' published estimates carry them). The
   * energy ratio's band pairs the baseline's low end with the candidate's high end and vice versa.
   */
  energyBands?: { candidate?: EnergyBand | null | undefined; baseline?: EnergyBand | null | undefined };
  /** Calls for the projection (default 1,000,000). */
  projectedCalls?: number;
  /**
   * The outcomes are weighted cases written out (weighOutcomes): `cases` stand for `calls`. Case
   * counts then count calls, and McNemar's test (independent pairs) is not computed.
   */
  weighted?: { cases: number; calls: number };
}

/** Accuracy and usage of one side, over the paired cases. */
export interface SideSummary {
  calls: number;
  /** Of those, calls that failed after every retry: in the accuracy as 0 (the user got no answer). */
  failed_calls_scored_zero: number;
  accuracy: number | null;
  accuracy_lower: number | null;
  accuracy_upper: number | null;
  cost_per_call_usd: number | null;
  cost_per_correct_usd: number | null;
  e2e_p50_ms: number | null;
  e2e_mean_ms: number | null;
  ttft_p50_ms: number | null;
  energy_per_call_j: number | null;
  energy_per_correct_j: number | null;
  /** Distinct `energy_source` labels of the calls (e.g. ["published-estimate"]). */
  energy_sources: string[];
  /** Compute (local sides): CPU core-seconds and GPU-seconds per call and per correct answer; null: not measured. */
  cpu_core_s_per_call?: number | null;
  cpu_core_s_per_correct?: number | null;
  gpu_s_per_call?: number | null;
  gpu_s_per_correct?: number | null;
  /** The side's energy band as factors of its central figure (see CompareOptions.energyBands). */
  energy_band?: EnergyBand | null;
}

export interface SavingsComparison {
  /** Cases both models ran. */
  paired_cases: number;
  /** Of those, cases both could score (the accuracy comparison's n). */
  scored_pairs: number;
  candidate: SideSummary;
  baseline: SideSummary;
  /** Candidate − baseline accuracy, with its paired interval. */
  accuracy_diff: number | null;
  accuracy_diff_lower: number | null;
  accuracy_diff_upper: number | null;
  /** McNemar's exact two-sided p-value, for 0/1 scores only. */
  mcnemar_p_value: number | null;
  /** Candidate ÷ baseline accuracy; Fieller interval (primary) and delta-method interval. */
  accuracy_retained: number | null;
  accuracy_retained_lower: number | null;
  accuracy_retained_upper: number | null;
  accuracy_retained_delta_lower: number | null;
  accuracy_retained_delta_upper: number | null;
  /** Baseline ÷ candidate: > 1 means the candidate is cheaper / faster / uses less energy. */
  cost_ratio: number | null;
  e2e_p50_ratio: number | null;
  ttft_p50_ratio: number | null;
  energy_ratio: number | null;
  /** The energy ratio at the ends of the two sides' bands (see CompareOptions.energyBands); null without bands. */
  energy_ratio_low?: number | null;
  energy_ratio_high?: number | null;
  /** Baseline ÷ candidate CPU core-seconds per call, when both sides' compute was measured. */
  compute_ratio?: number | null;
  projected_calls: number;
  /** (baseline − candidate) × projected_calls. */
  projected_savings_usd: number | null;
  projected_latency_hours_saved: number | null;
  projected_energy_kwh_saved: number | null;
  confidence: number;
  /** Present when cases carry weights: `cases` stood for `calls`, and every figure counts calls. */
  weighted?: { cases: number; calls: number };
  notes: string[];
}

/** Cases present in both lists, in the candidate's order, with the baseline's outcome. */
export function pairOutcomes(
  candidate: readonly CaseOutcome[],
  baseline: readonly CaseOutcome[],
): { candidate: CaseOutcome; baseline: CaseOutcome }[] {
  const byId = new Map(baseline.map((o) => [o.caseId, o]));
  return candidate.flatMap((c) => {
    const b = byId.get(c.caseId);
    return b === undefined ? [] : [{ candidate: c, baseline: b }];
  });
}

/** Per-side figures over a set of trials (see {@link SideSummary}); accuracy filled by the caller. */
export function summarizeTrials(
  trials: readonly Trial[],
  label: string,
  notes: string[],
): Omit<SideSummary, "accuracy" | "accuracy_lower" | "accuracy_upper"> {
  const cost = strictMean(trials.map((t) => t.cost_usd));
  const energy = strictMean(trials.map((t) => t.energy_j));
  if (cost.unknown > 0) notes.push(`${label}: cost unknown for ${cost.unknown} of ${cost.calls} calls`);
  if (energy.unknown > 0)
    notes.push(`${label}: energy unknown for ${energy.unknown} of ${energy.calls} calls`);
  const correct = trials.reduce((sum, t) => sum + (t.score ?? 0), 0);
  const perCorrect = (total: number | null) => (total === null || correct === 0 ? null : total / correct);
  // Compute is measured for local calls only: an API side's is unknown without a note.
  const cpu = strictMean(trials.map((t) => t.cpu_s ?? null));
  const gpu = strictMean(trials.map((t) => t.gpu_s ?? null));
  if (correct === 0 && trials.length > 0)
    notes.push(`${label}: no correct answers, nothing per correct answer`);
  const ok = trials.filter((t) => !t.failed);
  const e2e = medianAndMean(ok.map((t) => t.e2e_ms));
  const ttft = medianAndMean(ok.map((t) => t.ttft_ms));
  return {
    calls: trials.length,
    failed_calls_scored_zero: trials.length - ok.length,
    cost_per_call_usd: cost.mean,
    cost_per_correct_usd: perCorrect(cost.total),
    e2e_p50_ms: e2e.p50,
    e2e_mean_ms: e2e.mean,
    ttft_p50_ms: ttft.p50,
    energy_per_call_j: energy.mean,
    energy_per_correct_j: perCorrect(energy.total),
    energy_sources: [...new Set(trials.map((t) => t.energy_source).filter((s) => s !== null))].sort(),
    cpu_core_s_per_call: cpu.mean,
    cpu_core_s_per_correct: perCorrect(cpu.total),
    gpu_s_per_call: gpu.mean,
    gpu_s_per_correct: perCorrect(gpu.total),
  };
}

/**
 * Paired accuracy of the `candidate` side against the `baseline` side on the cases both could
 * score: each side's accuracy, the difference candidate − baseline, McNemar (0/1 scores only)
 * and the ratio candidate ÷ baseline. Null (with a note) when no case is scored by both.
 */
export function pairedAccuracy(
  pairs: { candidate: CaseOutcome; baseline: CaseOutcome }[],
  confidence: number,
  notes: string[],
) {
  const candidateScores = pairs.map((p) => caseScore(p.candidate));
  const baselineScores = pairs.map((p) => caseScore(p.baseline));
  const both = pairs.flatMap((_, i) => {
    const c = candidateScores[i];
    const b = baselineScores[i];
    return c && b ? [{ c, b }] : [];
  });
  const scored: PairedScore[] = pairCaseScores(
    both.map((x) => x.b),
    both.map((x) => x.c),
  );
  if (!isNonEmpty(scored)) {
    notes.push("no case scored by both models: no accuracy comparison");
    return null;
  }
  const side = (pick: (p: PairedScore) => number) =>
    estimateAccuracy(
      mapNonEmpty(scored, (p) => ({ caseId: p.caseId, score: pick(p), repeats: 1, cluster: p.cluster })),
      confidence,
    );
  const candidate = side((p) => p.b);
  const baseline = side((p) => p.a);
  const diff = pairedDifference(scored, confidence);
  const binary = scored.every((p) => (p.a === 0 || p.a === 1) && (p.b === 0 || p.b === 1));
  const ratio = pairedRatio(scored, confidence);
  if (ratio.note) notes.push(`accuracy retained: ${ratio.note}`);
  return {
    n: scored.length,
    candidate,
    baseline,
    diff,
    mcnemar: binary ? mcnemarExact(scored) : null,
    ratio,
  };
}

/**
 * Compares a candidate with a baseline on the cases both ran (see the module comment).
 * @returns a flat record; nulls carry their reason in `notes`
 */
export function compareModels(
  candidate: readonly CaseOutcome[],
  baseline: readonly CaseOutcome[],
  options: CompareOptions = {},
): SavingsComparison {
  const confidence = options.confidence ?? 0.95;
  const projectedCalls = options.projectedCalls ?? 1_000_000;
  const notes: string[] = [];
  const pairs = pairOutcomes(candidate, baseline);
  if (pairs.length < candidate.length || pairs.length < baseline.length) {
    notes.push(
      `compared on the ${pairs.length} cases both models ran (candidate ${candidate.length}, baseline ${baseline.length})`,
    );
  }
  const accuracy = pairedAccuracy(pairs, confidence, notes);
  if (options.weighted && accuracy) {
    accuracy.mcnemar = null;
    notes.push(
      `weighted by logged calls: ${options.weighted.cases} case(s) stand for ${options.weighted.calls} call(s); accuracy, agreement, cost and latency count every call, intervals treat each case as one draw (no McNemar test)`,
    );
  }
  const cand = summarizeTrials(
    pairs.flatMap((p) => p.candidate.trials),
    "candidate",
    notes,
  );
  const base = summarizeTrials(
    pairs.flatMap((p) => p.baseline.trials),
    "baseline",
    notes,
  );
  const side = (
    { calls, ...rest }: typeof cand,
    a: NonNullable<typeof accuracy>["candidate"] | undefined,
  ): SideSummary => ({
    calls,
    accuracy: a?.mean ?? null,
    accuracy_lower: a?.lower ?? null,
    accuracy_upper: a?.upper ?? null,
    ...rest,
  });
  const energyRatio = ratioOrNull(base.energy_per_call_j, cand.energy_per_call_j, "energy ratio", notes);
  const bands = {
    candidate:
      options.energyBands?.candidate !== undefined
        ? options.energyBands.candidate
        : trialsBand(pairs.flatMap((p) => p.candidate.trials)),
    baseline:
      options.energyBands?.baseline !== undefined
        ? options.energyBands.baseline
        : trialsBand(pairs.flatMap((p) => p.baseline.trials)),
  };
  const ratioBand =
    energyRatio !== null && bands.candidate && bands.baseline
      ? {
          low: (energyRatio * bands.baseline.low) / bands.candidate.high,
          high: (energyRatio * bands.baseline.high) / bands.candidate.low,
        }
      : null;
  const computeRatio =
    base.cpu_core_s_per_call != null && cand.cpu_core_s_per_call != null && cand.cpu_core_s_per_call > 0
      ? base.cpu_core_s_per_call / cand.cpu_core_s_per_call
      : null;
  const saved = (b: number | null, c: number | null, scale: number) =>
    b === null || c === null ? null : ((b - c) * projectedCalls) / scale;
  return {
    paired_cases: pairs.length,
    scored_pairs: accuracy?.n ?? 0,
    candidate: { ...side(cand, accuracy?.candidate), energy_band: bands.candidate },
    baseline: { ...side(base, accuracy?.baseline), energy_band: bands.baseline },
    accuracy_diff: accuracy?.diff.meanDiff ?? null,
    accuracy_diff_lower: accuracy?.diff.lower ?? null,
    accuracy_diff_upper: accuracy?.diff.upper ?? null,
    mcnemar_p_value: accuracy?.mcnemar?.pValue ?? null,
    accuracy_retained: accuracy?.ratio.ratio ?? null,
    accuracy_retained_lower: accuracy?.ratio.fieller_lower ?? null,
    accuracy_retained_upper: accuracy?.ratio.fieller_upper ?? null,
    accuracy_retained_delta_lower: accuracy?.ratio.delta_lower ?? null,
    accuracy_retained_delta_upper: accuracy?.ratio.delta_upper ?? null,
    cost_ratio: ratioOrNull(base.cost_per_call_usd, cand.cost_per_call_usd, "cost ratio", notes),
    e2e_p50_ratio: ratioOrNull(base.e2e_p50_ms, cand.e2e_p50_ms, "e2e p50 ratio", notes),
    ttft_p50_ratio: ratioOrNull(base.ttft_p50_ms, cand.ttft_p50_ms, "TTFT p50 ratio", notes),
    energy_ratio: energyRatio,
    energy_ratio_low: ratioBand?.low ?? null,
    energy_ratio_high: ratioBand?.high ?? null,
    compute_ratio: computeRatio,
    projected_calls: projectedCalls,
    projected_savings_usd: saved(base.cost_per_call_usd, cand.cost_per_call_usd, 1),
    projected_latency_hours_saved: saved(base.e2e_mean_ms, cand.e2e_mean_ms, 3.6e6),
    projected_energy_kwh_saved: saved(base.energy_per_call_j, cand.energy_per_call_j, 3.6e6),
    confidence,
    ...(options.weighted && { weighted: options.weighted }),
    notes,
  };
}

/**
 * The band of trials whose energy carries its own (API calls' published estimates): total low and
 * high over total central; null unless every trial has energy and a band.
 */
export function trialsBand(trials: readonly Trial[]): EnergyBand | null {
  let central = 0;
  let low = 0;
  let high = 0;
  for (const t of trials) {
    if (t.energy_j === null || t.energy_low_j == null || t.energy_high_j == null) return null;
    central += t.energy_j;
    low += t.energy_low_j;
    high += t.energy_high_j;
  }
  return central > 0 ? { low: low / central, high: high / central } : null;
}
