/**
 * What `run`, `load` and `gate` share about gates: the flags, gathering the suite's and the
 * command line's expressions, loading and checking the baseline, printing verdicts and the
 * exit code (0 pass, 3 a gate failed, 4 too many failed calls; 2 and 1 for bad gates and
 * baselines that could not be fetched).
 */
import { resolve } from "node:path";
import { BaselineError, BaselineFetchError } from "../gates/baseline-errors.ts";
import type { GateBaseline, GateRun } from "../gates/evaluate.ts";
import { GateSyntaxError } from "../gates/expression.ts";
import { type GateUniverse, GateUsageError, parseGates, type SourcedGate } from "../gates/validate.ts";
import type { LoadSummary } from "../load/summary.ts";
import type { GateReport } from "../metrics/gate-report.ts";
import type { Summary } from "../metrics/summary.ts";
import { scorerName } from "../scoring/common.ts";
import type { SuiteDescription } from "../suite/describe.ts";
import { DEFAULT_ALPHA } from "../suite/resolve-gates.ts";
import { RunDirError } from "./run-dir-error.ts";

export const GATE_EXIT = { pass: 0, failed: 1, usage: 2, gateFailed: 3, errorRate: 4 } as const;

/** The gate flags as parsed. */
export interface GateArgs {
  gate?: readonly string[] | undefined;
  baseline?: string | undefined;
  alpha?: number | undefined;
  maxErrorRate?: number | undefined;
  junit?: string | undefined;
}

/** Gates ready to evaluate once the run's results are in. */
export interface PreparedGates {
  gates: SourcedGate[];
  baseline: GateBaseline | null;
  alpha: number;
  maxErrorRate: number | null;
}

/** The suite's own gate settings (from the suite, or from a run's recorded description). */
export interface SuiteGateSettings {
  gates: readonly string[];
  alpha: number | undefined;
  maxErrorRate: number | null | undefined;
}

/** A problem with gates or the baseline, said on stderr; the exit code (2, or 1 for a fetch). */
export function gateErrorCode(error: unknown, command: string): number | null {
  if (error instanceof GateSyntaxError || error instanceof GateUsageError || error instanceof BaselineError) {
    process.stderr.write(`opbench ${command}: ${error.message}\n`);
    return GATE_EXIT.usage;
  }
  if (error instanceof BaselineFetchError) {
    process.stderr.write(`opbench ${command}: ${error.message}\n`);
    return GATE_EXIT.failed;
  }
  if (error instanceof RunDirError) {
    process.stderr.write(`opbench ${command}: ${error.message}\n`);
    return GATE_EXIT.usage;
  }
  return null;
}

function checkSettings(args: GateArgs): void {
  if (args.alpha !== undefined && !(args.alpha > 0 && args.alpha < 1)) {
    throw new GateUsageError(`--alpha must be a significance level in (0, 1), got ${args.alpha}`);
  }
  if (args.maxErrorRate !== undefined && !(args.maxErrorRate >= 0 && args.maxErrorRate <= 1)) {
    throw new GateUsageError(`--max-error-rate must be a fraction in [0, 1], got ${args.maxErrorRate}`);
  }
}

/** A run directory's summary and per-case scores (a baseline, `compare`, `baseline save`). */
export async function readRunDirWithCases(dir: string) {
  const { readStoredRun } = await import("./stored-run.ts");
  const stored = await readStoredRun(dir, dir, true);
  for (const warning of stored.warnings) process.stderr.write(`opbench: ${warning}\n`);
  if (stored.results.mode !== "run") {
    throw new BaselineError(`${dir} is a load sweep; a baseline is a run of the suite`);
  }
  const { scores, weights } = (await stored.caseData)!;
  return { summary: stored.results.input.summary, caseScores: scores, caseWeights: weights };
}

/**
 * Parses the suite's and the command line's gates against `universe` and loads the baseline.
 * Throws GateSyntaxError / GateUsageError / BaselineError (exit 2) or BaselineFetchError (exit 1).
 */
export async function prepareGates(
  args: GateArgs,
  suite: SuiteGateSettings,
  context: {
    universe: GateUniverse | null;
    identity: { name: string; hash: string; tasks: readonly string[] };
    /** Where named baselines are looked for (the suite's directory, the working directory). */
    searchDirs: readonly string[];
  },
): Promise<PreparedGates> {
  checkSettings(args);
  const gates = parseGates(
    [
      ...suite.gates.map((expression) => ({ expression, from: "suite" as const })),
      ...(args.gate ?? []).map((expression) => ({ expression, from: "command line" as const })),
    ],
    context.universe,
  );
  let baseline: GateBaseline | null = null;
  if (args.baseline !== undefined) {
    // Reading a baseline (and the run directories behind it) loads only for a run that has one.
    const { checkSameSuite, loadBaseline } = await import("../gates/baseline.ts");
    baseline = await loadBaseline(args.baseline, {
      suiteName: context.identity.name,
      searchDirs: context.searchDirs,
      readRunDir: (dir) => readRunDirWithCases(resolve(dir)),
    });
    checkSameSuite(context.identity, baseline);
  }
  return {
    gates,
    baseline,
    alpha: args.alpha ?? suite.alpha ?? DEFAULT_ALPHA,
    maxErrorRate: args.maxErrorRate ?? suite.maxErrorRate ?? null,
  };
}

/** Whether there is anything to check. */
export function hasGates(prepared: PreparedGates): boolean {
  return prepared.gates.length > 0 || prepared.maxErrorRate !== null;
}

/** The gates' verdicts; their statistics load only when a run has gates. */
export async function evaluatePrepared(prepared: PreparedGates, run: GateRun): Promise<GateReport> {
  const { evaluateGates } = await import("../gates/evaluate.ts");
  return evaluateGates({ ...prepared, run });
}

/** Verdict lines, then warnings; `write` gets one line at a time. */
export function printGateReport(report: GateReport, write: (line: string) => void): void {
  if (report.baseline) write(`Gates against baseline ${report.baseline.source} (α = ${report.alpha}):`);
  else if (report.verdicts.length > 0) write("Gates:");
  for (const verdict of report.verdicts) {
    write(`  ${verdict.message}`);
    // A delta's message names its test; an absolute threshold has none to name.
    if (verdict.kind === "delta" && !verdict.message.includes(verdict.test))
      write(`      test: ${verdict.test}`);
    for (const warning of verdict.warnings) write(`      warning: ${warning}`);
  }
  if (report.error_rate && report.max_error_rate !== null) {
    const { failed, calls, rate, exceeded } = report.error_rate;
    const pct = rate === null ? "unknown" : `${(rate * 100).toFixed(2)}%`;
    write(
      `  failed calls: ${failed} of ${calls} (${pct}), max_error_rate ${(report.max_error_rate * 100).toFixed(2)}%: ${exceeded ? "EXCEEDED" : "pass"}`,
    );
  }
  for (const warning of report.warnings) write(`  warning: ${warning}`);
  const failed = report.verdicts.filter((v) => v.status === "fail" || v.status === "unknown").length;
  const inconclusive = report.verdicts.filter((v) => v.status === "inconclusive").length;
  const exit = gateExitCode(report);
  const summary =
    exit === GATE_EXIT.errorRate
      ? "the run had more failed calls than max_error_rate allows (exit 4)"
      : failed > 0
        ? `${failed} of ${report.verdicts.length} checks failed (exit 3)`
        : `all ${report.verdicts.length} checks passed${inconclusive ? ` (${inconclusive} inconclusive: not a failure)` : ""}`;
  write(`Gates: ${summary}`);
}

/** 4 when the run had too many failed calls (its figures are not to be trusted), else 3 when a gate failed, else 0. */
export function gateExitCode(report: GateReport): number {
  if (report.error_rate?.exceeded) return GATE_EXIT.errorRate;
  return report.status === "fail" ? GATE_EXIT.gateFailed : GATE_EXIT.pass;
}

/** Whether a run_start's `resolved` is a suite description. */
function description(summary: Summary): SuiteDescription | null {
  const d = summary.run.suite.resolved as Partial<SuiteDescription> | null;
  return d && Array.isArray(d.models) && Array.isArray(d.tasks) ? (d as SuiteDescription) : null;
}

/** What a recorded run's gates may name, and its gate settings. */
export function runGateContext(summary: Summary) {
  const d = description(summary);
  const models = [
    ...new Set([...(d?.models.map((m) => m.id) ?? []), ...summary.results.map((r) => r.model)]),
  ];
  const taskIds = [
    ...new Set([
      ...(d?.tasks.map((t) => t.id) ?? []),
      ...summary.results.flatMap((r) => (r.task ? [r.task] : [])),
    ]),
  ];
  const tasks = taskIds.map((id) => {
    const described = d?.tasks.find((t) => t.id === id)?.scorers.map(scorerName) ?? [];
    const measured = summary.results
      .filter((r) => r.task === id)
      .flatMap((r) => r.accuracy.map((a) => a.scorer));
    return { id, scorers: [...new Set([...described, ...measured])] };
  });
  const universe: GateUniverse = {
    mode: "run",
    models,
    tasks,
    savings: summary.savings.map((s) => ({ candidate: s.candidate, baseline: s.baseline })),
  };
  const settings: SuiteGateSettings = {
    gates: d?.gates ?? [],
    alpha: d?.gate_alpha,
    maxErrorRate: d?.max_error_rate ?? null,
  };
  return {
    universe,
    settings,
    identity: { name: summary.run.suite.name, hash: summary.run.suite.hash, tasks: taskIds },
  };
}

/** What a load sweep's gates may name (goodput per step of its model). */
export function loadGateUniverse(load: LoadSummary): GateUniverse {
  return { mode: "load", models: [load.model], tasks: [], savings: [] };
}
