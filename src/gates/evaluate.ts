/**
 * Evaluates gates on a run's results (and a baseline's): one verdict per gate × row, each with
 * its numbers, the test used and, when the sample cannot decide, how many more cases would.
 * Pure: the caller reads the run and the baseline (src/gates/baseline.ts, src/cli/gate-command.ts).
 */
import type { LoadSummary } from "../load/summary.ts";
import type { GateReport, GateVerdict } from "../metrics/gate-report.ts";
import type { Summary } from "../metrics/summary.ts";
import { accuracyDelta } from "./accuracy-delta.ts";
import { type CaseScores, type CaseWeights, groupKey } from "./case-scores.ts";
import { figureLabel } from "./figures.ts";
import { latencyRise, pointRise, type RiseResult } from "./latency-delta.ts";
import { formatNumber, formatPoints, formatSigned } from "./numbers.ts";
import { type GateRow, gateRows, resultFigure, scorerAccuracy } from "./rows.ts";
import type { Comparator, GateSpec } from "./spec.ts";
import type { SourcedGate } from "./validate.ts";

/** A run's results as gates read them. */
export interface GateRun {
  summary: Summary | null;
  load: LoadSummary | null;
  /** Per-case scores from the log; null when only a summary is at hand. */
  caseScores: CaseScores | null;
  /** The weighted groups' case weights and clusters, from the log (a paired test over calls). */
  caseWeights?: CaseWeights | null;
}

export interface GateBaseline {
  /** Where it came from, as the user named it. */
  source: string;
  summary: Summary;
  caseScores: CaseScores | null;
  caseWeights?: CaseWeights | null;
  /** Said once in the report: e.g. the suite changed since the baseline. */
  warnings: string[];
}

export interface EvaluateOptions {
  gates: readonly SourcedGate[];
  run: GateRun;
  baseline: GateBaseline | null;
  /** Two-sided significance level of the delta tests (default 0.05). */
  alpha?: number;
  /** Largest share of failed calls the run may have; null: not checked. */
  maxErrorRate?: number | null;
}

export const DEFAULT_ALPHA = 0.05;

const holds = (value: number, op: Comparator, threshold: number): boolean =>
  op === ">="
    ? value >= threshold
    : op === "<="
      ? value <= threshold
      : op === ">"
        ? value > threshold
        : value < threshold;

export function evaluateGates(options: EvaluateOptions): GateReport {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const verdicts: GateVerdict[] = [];
  const warnings: string[] = [...(options.baseline?.warnings ?? [])];
  const { run, baseline } = options;
  const skippedDeltas: string[] = [];
  for (const { spec } of options.gates) {
    const expression = spec.expression ?? "";
    const rows = gateRows(spec, run.summary, run.load);
    if (rows.length === 0) {
      verdicts.push(unknownVerdict(spec, "(none)", null, "the run has no results this gate selects"));
      continue;
    }
    if (spec.kind === "delta" && !baseline) {
      skippedDeltas.push(expression);
      continue;
    }
    for (const row of rows) {
      const verdict =
        spec.kind === "absolute"
          ? absoluteVerdict(spec, row)
          : deltaVerdict(spec, row, run, baseline!, alpha, warnings);
      if (verdict) verdicts.push(verdict);
    }
  }
  if (skippedDeltas.length > 0) {
    warnings.push(`not checked, no --baseline given: ${skippedDeltas.map((e) => `"${e}"`).join(", ")}`);
  }
  const errorRate = errorRateOf(run, options.maxErrorRate ?? null);
  const failed = verdicts.some((v) => v.status === "fail" || v.status === "unknown");
  return {
    status: failed ? "fail" : "pass",
    alpha,
    baseline: baseline
      ? {
          source: baseline.source,
          suite: baseline.summary.run.suite.name,
          suite_hash: baseline.summary.run.suite.hash,
          run_id: baseline.summary.run.run_id ?? null,
        }
      : null,
    max_error_rate: options.maxErrorRate ?? null,
    error_rate: errorRate,
    verdicts,
    warnings,
  };
}

function errorRateOf(run: GateRun, max: number | null): GateReport["error_rate"] {
  let failed = 0;
  let calls = 0;
  if (run.summary) {
    for (const row of run.summary.by_model) {
      failed += row.failed;
      calls += row.calls;
    }
  } else if (run.load) {
    for (const step of run.load.steps) {
      failed += step.requests.failed;
      calls += step.requests.succeeded + step.requests.failed;
    }
  } else return null;
  const rate = calls > 0 ? failed / calls : null;
  return { failed, calls, rate, exceeded: max !== null && rate !== null && rate > max };
}

function where(row: Pick<GateRow, "model" | "task">): string {
  return row.task === null ? row.model : `${row.model} × ${row.task}`;
}

function unknownVerdict(spec: GateSpec, model: string, task: string | null, why: string): GateVerdict {
  const expression = spec.expression ?? "";
  return {
    gate: expression,
    kind: spec.kind,
    model,
    task,
    status: "unknown",
    value: null,
    threshold: spec.kind === "absolute" ? spec.value : null,
    test: "none",
    message: `${where({ model, task })}: ${expression}: unknown (${why})`,
    warnings: [],
  };
}

function absoluteVerdict(spec: GateSpec, row: GateRow): GateVerdict {
  const label = figureLabel(spec) + (row.scorer ? ` (${row.scorer})` : "");
  const base = {
    gate: spec.expression ?? "",
    kind: spec.kind,
    model: row.model,
    task: row.task,
    ...(row.scorer !== undefined && { scorer: row.scorer }),
    threshold: spec.value,
    test: "threshold on the measured value",
    warnings: [] as string[],
  };
  if (row.value === null) {
    return {
      ...base,
      status: "unknown",
      value: null,
      message: `${where(row)}: ${label} is unknown: cannot check ${spec.op} ${spec.value}: FAIL`,
    };
  }
  const ok = holds(row.value, spec.op, spec.value);
  let interval = "";
  const accuracy = row.accuracy;
  const weighted = row.weighted ?? null;
  if (accuracy && accuracy.lower !== null && accuracy.upper !== null) {
    interval = ` [${formatNumber(accuracy.lower)}–${formatNumber(accuracy.upper)}]`;
    if (!weighted) interval += `, n = ${accuracy.n}`;
    if (accuracy.lower < spec.value && accuracy.upper > spec.value) {
      base.warnings.push(
        `the 95% interval ${interval.trim()} straddles ${spec.value}: the verdict could change with more cases`,
      );
    }
  }
  if (weighted)
    interval += ` (weighted: over the ${weighted.calls} logged calls its ${weighted.cases} cases stand for)`;
  return {
    ...base,
    ...(weighted && { weighted }),
    status: ok ? "pass" : "fail",
    value: row.value,
    message: `${where(row)}: ${label} = ${formatNumber(row.value)}${interval}, needs ${spec.op} ${spec.value}: ${ok ? "pass" : "FAIL"}`,
  };
}

function deltaVerdict(
  spec: GateSpec,
  row: GateRow,
  run: GateRun,
  baseline: GateBaseline,
  alpha: number,
  warnings: string[],
): GateVerdict | null {
  const result = row.result!;
  const baseRow = (result.task === null ? baseline.summary.by_model : baseline.summary.results).find(
    (r) => r.model === result.model && r.task === result.task,
  );
  if (!baseRow) {
    const line = `${where(row)} is not in the baseline: "${spec.expression}" not checked there`;
    if (!warnings.includes(line)) warnings.push(line);
    return null;
  }
  if (spec.figure === "accuracy") return accuracyVerdict(spec, row, baseRow, run, baseline, alpha);
  const rise: RiseResult =
    spec.figure === "latency"
      ? latencyRise(
          result.latency[spec.latency as "e2e_ms"],
          baseRow.latency[spec.latency as "e2e_ms"],
          spec.stat!,
          spec.value,
          spec.op === "<",
        )
      : pointRise(
          resultFigure(spec, result),
          resultFigure(spec, baseRow),
          spec.value,
          spec.op === "<",
          spec.figure,
        );
  const label = figureLabel(spec);
  const numbers =
    rise.current === null || rise.baseline === null || rise.rise === null
      ? `${label} ${rise.test}`
      : `${label} ${formatNumber(rise.baseline)} → ${formatNumber(rise.current)} (${formatSigned(rise.rise * 100, 1)}%), allowed rise ${spec.op} ${formatNumber(spec.value * 100)}%; ${rise.test}`;
  return {
    gate: spec.expression ?? "",
    kind: "delta",
    model: row.model,
    task: row.task,
    status: rise.status,
    value: rise.current,
    threshold: spec.value,
    baseline_value: rise.baseline,
    delta: rise.rise,
    delta_interval: null,
    p_value: null,
    test: rise.test,
    more_cases_needed: rise.moreCasesNeeded,
    message: `${where(row)}: ${numbers}: ${statusWords(rise.status, rise.moreCasesNeeded, "calls")}`,
    warnings: [],
  };
}

function accuracyVerdict(
  spec: GateSpec,
  row: GateRow,
  baseRow: NonNullable<GateRow["result"]>,
  run: GateRun,
  baseline: GateBaseline,
  alpha: number,
): GateVerdict {
  const scorer = row.scorer!;
  const current = row.accuracy;
  const base = scorerAccuracy(baseRow, scorer);
  if (!current || !base) {
    const side = current ? "the baseline has" : "this run has";
    return unknownVerdict(spec, row.model, row.task, `${side} no accuracy for scorer ${scorer}`);
  }
  const key = groupKey(row.model, row.task!);
  const currentCases = run.caseScores?.get(key)?.get(scorer) ?? null;
  const baseCases = baseline.caseScores?.get(key)?.get(scorer) ?? null;
  const result = accuracyDelta({
    current: accuracySide(current, currentCases),
    baseline: accuracySide(base, baseCases),
    weights: run.caseWeights?.get(key) ?? null,
    margin: spec.value,
    strict: spec.op === "<",
    alpha,
  });
  const verdictWarnings: string[] = [];
  if (!result.paired) {
    const why =
      currentCases && baseCases
        ? "the runs share no case"
        : `per-case scores are not known for ${currentCases ? "the baseline" : "this run"} (a summary.json only)`;
    verdictWarnings.push(`unpaired comparison: ${why}; a paired test on shared cases needs far fewer cases`);
  }
  const interval = result.interval
    ? ` [${formatPoints(result.interval[0])}–${formatPoints(result.interval[1])}]`
    : "";
  const p =
    result.pValue === null
      ? "p unknown"
      : `p = ${result.pValue < 0.001 ? result.pValue.toExponential(1) : result.pValue.toFixed(3)}`;
  const moved =
    result.drop >= 0
      ? `dropped ${formatPoints(result.drop)} points`
      : `rose ${formatPoints(-result.drop)} points`;
  const message =
    `${where(row)}: accuracy (${scorer}) ${moved}${interval} (${formatNumber(result.baseline)} → ${formatNumber(result.current)}), ` +
    `${p}, ${result.test}; allowed drop ${spec.op} ${formatPoints(spec.value)} points at α = ${alpha}: ` +
    statusWords(result.status, result.moreCasesNeeded, "cases");
  return {
    gate: spec.expression ?? "",
    kind: "delta",
    model: row.model,
    task: row.task,
    scorer,
    ...(result.weighted && { weighted: result.weighted }),
    status: result.status,
    value: result.current,
    threshold: spec.value,
    baseline_value: result.baseline,
    delta: -result.drop,
    delta_interval: result.interval ? [-result.interval[1], -result.interval[0]] : null,
    p_value: result.pValue,
    test: result.test,
    more_cases_needed: result.moreCasesNeeded,
    message,
    warnings: verdictWarnings,
  };
}

/** An accuracy estimate as accuracyDelta reads it: with its SE, and its calls when weighted. */
export function accuracySide(
  accuracy: { mean: number; n: number; se: number | null; calls?: number | undefined },
  cases: Map<string, number> | null,
) {
  return {
    mean: accuracy.mean,
    n: accuracy.n,
    cases,
    se: accuracy.se,
    ...(accuracy.calls !== undefined && { calls: accuracy.calls }),
  };
}

function statusWords(status: GateVerdict["status"], more: number | null | undefined, unit: string): string {
  if (status === "pass") return "pass";
  if (status === "fail") return "FAIL";
  if (status === "unknown") return "unknown: FAIL";
  return more ? `inconclusive: need ~${more} more ${unit}` : "inconclusive";
}
