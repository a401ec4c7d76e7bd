/**
 * Cascade what-if: send every case to the candidate first and escalate to the baseline when a
 * rule fires, computed from the per-case records of both models — no model is called again.
 *
 * Rule (any clause fires): the candidate's call failed; it stopped for length (`finish_reason`
 * "length"); one of the named validity scorers scored 0 (cheap checks that need no gold answer:
 * `json_valid`, `json_schema`, `one_of`, `regex` — naming a gold-based scorer such as `exact`
 * would let the cascade peek at the answer, and its accuracy would be a fiction); or the
 * candidate's scorer-free `confidence` is below a threshold.
 *
 * Per call, with repeats paired by index (candidate repeat r with baseline repeat r mod the
 * baseline's repeats):
 *   score  = escalated ? baseline score : candidate score
 *   cost   = candidate cost + (escalated ? baseline cost : 0)        (both calls are paid)
 *   e2e    = candidate e2e + (escalated ? baseline e2e : 0)          (made one after the other)
 *   energy = candidate energy + (escalated ? baseline energy : 0)
 * A failed candidate call without a time makes that call's latency unknown (left out of the
 * latency figures, with a note). The mix is then compared with the baseline like any model.
 */
import { type CompareOptions, pairedAccuracy, pairOutcomes, summarizeTrials } from "./compare.ts";
import { type CaseOutcome, ratioOrNull, type Trial } from "./outcomes.ts";

export interface CascadeRule {
  /** Escalate when any of these scorers scored 0 on the candidate's call. */
  validityScorers?: readonly string[];
  /** Escalate when the candidate's call failed (default true). */
  onError?: boolean;
  /** Escalate when the candidate stopped at max_tokens, finish_reason "length" (default true). */
  onTruncated?: boolean;
  /** Escalate when the candidate's `confidence` is below this (calls without one don't fire). */
  confidenceBelow?: number;
}

export interface CascadeResult {
  rule: string;
  paired_cases: number;
  calls: number;
  /** Share of candidate calls escalated, in [0, 1]. */
  escalated_fraction: number;
  /** Escalations by reason (a call can have several). */
  escalations_by_reason: Record<string, number>;
  accuracy: number | null;
  accuracy_lower: number | null;
  accuracy_upper: number | null;
  baseline_accuracy: number | null;
  /** Mix − baseline accuracy with its paired interval. */
  accuracy_diff: number | null;
  accuracy_diff_lower: number | null;
  accuracy_diff_upper: number | null;
  /** Mix ÷ baseline accuracy, Fieller interval. */
  accuracy_retained: number | null;
  accuracy_retained_lower: number | null;
  accuracy_retained_upper: number | null;
  cost_per_call_usd: number | null;
  baseline_cost_per_call_usd: number | null;
  /** Baseline ÷ mix cost per call (> 1: the cascade is cheaper). */
  cost_ratio: number | null;
  e2e_p50_ms: number | null;
  e2e_mean_ms: number | null;
  baseline_e2e_p50_ms: number | null;
  energy_per_call_j: number | null;
  baseline_energy_per_call_j: number | null;
  projected_calls: number;
  projected_savings_usd: number | null;
  notes: string[];
}

/** Why a candidate call escalates under `rule` (empty: it doesn't). */
export function escalationReasons(trial: Trial, rule: CascadeRule): string[] {
  const reasons: string[] = [];
  if ((rule.onError ?? true) && trial.failed) reasons.push("failed");
  if ((rule.onTruncated ?? true) && trial.finish_reason === "length") reasons.push("truncated");
  for (const scorer of rule.validityScorers ?? []) {
    if (trial.scores[scorer] === 0) reasons.push(`${scorer}=0`);
  }
  if (
    rule.confidenceBelow !== undefined &&
    typeof trial.confidence === "number" &&
    trial.confidence < rule.confidenceBelow
  ) {
    reasons.push("low-confidence");
  }
  return reasons;
}

/** The rule in words, for the report. */
export function describeRule(rule: CascadeRule): string {
  const clauses = [
    ...((rule.onError ?? true) ? ["the call failed"] : []),
    ...((rule.onTruncated ?? true) ? ['finish_reason is "length"'] : []),
    ...(rule.validityScorers ?? []).map((s) => `${s} scored 0`),
    ...(rule.confidenceBelow !== undefined ? [`confidence < ${rule.confidenceBelow}`] : []),
  ];
  return clauses.length === 0 ? "never escalate" : `escalate when ${clauses.join(" or ")}`;
}

const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

/** One mixed call: the candidate's, plus the baseline's when escalated. */
function mixTrial(candidate: Trial, baseline: Trial, escalated: boolean): Trial {
  if (!escalated) return candidate;
  return {
    score: baseline.score,
    cost_usd: plus(candidate.cost_usd, baseline.cost_usd),
    energy_j: plus(candidate.energy_j, baseline.energy_j),
    // Mixed sources: keep the baseline's label, the larger share for an API baseline.
    energy_source: baseline.energy_source,
    e2e_ms: plus(candidate.e2e_ms, baseline.e2e_ms),
    ttft_ms: plus(candidate.e2e_ms, baseline.ttft_ms),
    failed: baseline.failed,
    finish_reason: baseline.finish_reason,
    scores: baseline.scores,
  };
}

/**
 * Simulates the cascade on the cases both models ran (see the module comment).
 * @param rule when to escalate; at least one clause should be on
 */
export function cascadeWhatIf(
  candidate: readonly CaseOutcome[],
  baseline: readonly CaseOutcome[],
  rule: CascadeRule,
  options: CompareOptions = {},
): CascadeResult {
  const confidence = options.confidence ?? 0.95;
  const projectedCalls = options.projectedCalls ?? 1_000_000;
  const notes: string[] = [];
  const byReason: Record<string, number> = {};
  let escalated = 0;
  let calls = 0;
  let untimed = 0;
  const pairs = pairOutcomes(candidate, baseline).flatMap(({ candidate: c, baseline: b }) => {
    if (b.trials.length === 0) return [];
    const mixed = c.trials.map((trial, r) => {
      const reasons = escalationReasons(trial, rule);
      calls++;
      if (reasons.length > 0) escalated++;
      for (const reason of reasons) byReason[reason] = (byReason[reason] ?? 0) + 1;
      const mix = mixTrial(trial, b.trials[r % b.trials.length]!, reasons.length > 0);
      if (reasons.length > 0 && trial.e2e_ms === null) untimed++;
      return mix;
    });
    return [{ candidate: { ...c, trials: mixed }, baseline: b }];
  });
  if (untimed > 0)
    notes.push(`${untimed} escalated candidate calls have no time: left out of the mix's latency`);
  const accuracy = pairedAccuracy(pairs, confidence, notes);
  const mix = summarizeTrials(
    pairs.flatMap((p) => p.candidate.trials),
    "cascade",
    notes,
  );
  const base = summarizeTrials(
    pairs.flatMap((p) => p.baseline.trials),
    "baseline",
    notes,
  );
  return {
    rule: describeRule(rule),
    paired_cases: pairs.length,
    calls,
    escalated_fraction: calls === 0 ? 0 : escalated / calls,
    escalations_by_reason: byReason,
    accuracy: accuracy?.candidate.mean ?? null,
    accuracy_lower: accuracy?.candidate.lower ?? null,
    accuracy_upper: accuracy?.candidate.upper ?? null,
    baseline_accuracy: accuracy?.baseline.mean ?? null,
    accuracy_diff: accuracy?.diff.meanDiff ?? null,
    accuracy_diff_lower: accuracy?.diff.lower ?? null,
    accuracy_diff_upper: accuracy?.diff.upper ?? null,
    accuracy_retained: accuracy?.ratio.ratio ?? null,
    accuracy_retained_lower: accuracy?.ratio.fieller_lower ?? null,
    accuracy_retained_upper: accuracy?.ratio.fieller_upper ?? null,
    cost_per_call_usd: mix.cost_per_call_usd,
    baseline_cost_per_call_usd: base.cost_per_call_usd,
    cost_ratio: ratioOrNull(base.cost_per_call_usd, mix.cost_per_call_usd, "cascade cost ratio", notes),
    e2e_p50_ms: mix.e2e_p50_ms,
    e2e_mean_ms: mix.e2e_mean_ms,
    baseline_e2e_p50_ms: base.e2e_p50_ms,
    energy_per_call_j: mix.energy_per_call_j,
    baseline_energy_per_call_j: base.energy_per_call_j,
    projected_calls: projectedCalls,
    projected_savings_usd:
      base.cost_per_call_usd === null || mix.cost_per_call_usd === null
        ? null
        : (base.cost_per_call_usd - mix.cost_per_call_usd) * projectedCalls,
    notes,
  };
}
