/**
 * `opbench gate <run-dir>`: evaluates gates on a stored run without calling any model — the
 * suite's `gates:` recorded in its log, plus `--gate`, against `--baseline` — prints each verdict
 * with its numbers, writes them into summary.json and report.md (and the GitHub step summary,
 * and `--junit FILE`), and exits 0 (pass), 3 (a gate failed) or 4 (too many failed calls).
 */
import { dirname, resolve } from "node:path";
import { produceOutputs } from "../../reports/output.ts";
import { recordedSuiteDir } from "../gates/baseline.ts";
import { chooseGateOutputs, GATE_TERMINAL } from "./gate-outputs.ts";
import {
  evaluatePrepared,
  GATE_EXIT,
  type GateArgs,
  gateErrorCode,
  gateExitCode,
  hasGates,
  loadGateUniverse,
  prepareGates,
  printGateReport,
  runGateContext,
} from "./gate-support.ts";
import { readStoredRun } from "./stored-run.ts";

export interface GateCommandArgs extends GateArgs {
  runDir: string;
  format?: readonly string[] | undefined;
}

/** What `gate` writes without `--format`: the run's summary.json and report.md, and the step summary. */
const GATE_OUTPUTS = ["summary-json", "markdown", "github-summary"];

export async function gateCommand(args: GateCommandArgs): Promise<number> {
  const runDir = resolve(args.runDir);
  try {
    // Per-case scores are read only for a comparison with a baseline (paired accuracy).
    // (in a worker: the baseline's are read meanwhile).
    const stored = await readStoredRun(runDir, args.runDir, args.baseline !== undefined, true);
    for (const warning of stored.warnings) process.stderr.write(`opbench: ${warning}\n`);
    const { results } = stored;
    if (results.mode === "load") {
      const load = results.input.load;
      if (args.baseline !== undefined) {
        process.stderr.write(
          `opbench gate: ${args.runDir} is a load sweep: its gates are absolute (goodput); --baseline compares runs\n`,
        );
        return GATE_EXIT.usage;
      }
      const prepared = await prepareGates(
        args,
        { gates: [], alpha: undefined, maxErrorRate: null },
        {
          universe: loadGateUniverse(load),
          identity: { name: load.run?.suite.name ?? "", hash: load.run?.suite.hash ?? "", tasks: [] },
          searchDirs: [],
        },
      );
      if (!hasGates(prepared)) return nothingToCheck();
      const report = await evaluatePrepared(prepared, { summary: null, load, caseScores: null });
      load.gates = report;
      printGateReport(report, GATE_TERMINAL.stdout);
      const outputs = chooseGateOutputs("load", [...(args.junit ? ["junit"] : []), "load-json"]);
      await produceOutputs(
        outputs,
        "load",
        { runDir, load, ...(args.junit && { junitFile: resolve(args.junit) }) },
        GATE_TERMINAL,
      );
      return gateExitCode(report);
    }
    const summary = results.input.summary;
    const context = runGateContext(summary);
    const suiteDir = recordedSuiteDir(summary);
    const prepared = await prepareGates(args, context.settings, {
      universe: context.universe,
      identity: context.identity,
      searchDirs: [...(suiteDir ? [suiteDir] : []), process.cwd(), dirname(runDir)],
    });
    if (!hasGates(prepared)) return nothingToCheck();
    const names = args.format ?? GATE_OUTPUTS;
    const outputs = chooseGateOutputs("run", [...names, ...(args.junit ? ["junit"] : [])]);
    const cases = await stored.caseData;
    const report = await evaluatePrepared(prepared, {
      summary,
      load: null,
      caseScores: cases?.scores ?? null,
      caseWeights: cases?.weights ?? null,
    });
    summary.gates = report;
    printGateReport(report, GATE_TERMINAL.stdout);
    const written = await produceOutputs(
      outputs,
      "run",
      { runDir, summary, ...(args.junit && { junitFile: resolve(args.junit) }) },
      GATE_TERMINAL,
    );
    for (const file of written) process.stderr.write(`${file.title}: ${file.path}\n`);
    return gateExitCode(report);
  } catch (error) {
    const code = gateErrorCode(error, "gate");
    if (code !== null) return code;
    throw error;
  }
}

function nothingToCheck(): number {
  process.stderr.write(
    "opbench gate: nothing to check: the run's suite has no `gates:` or `max_error_rate`, and no --gate or " +
      '--max-error-rate was given (e.g. --gate "accuracy >= 0.9" --gate "accuracy drop <= 2 points")\n',
  );
  return GATE_EXIT.usage;
}
