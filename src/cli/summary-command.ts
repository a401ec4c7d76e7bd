/**
 * `opbench summary <run-dir>`: recompute a run directory's results from its log alone (no model
 * is called) and produce its outputs again — by default those of the command that wrote it:
 * summary.json, report.md and the table for `run`, load.json and the step table for `load`.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { produceOutputs, type RunOutputInput } from "../../reports/output.ts";
import type { LogEvent } from "../core/records.ts";
import { SUMMARY_FILE } from "../metrics/summary-file.ts";
import { chooseOutputs, type FormatArgs, PROCESS_TERMINAL } from "./outputs.ts";
import { RunDirError, type RunDirReading, readRunDir } from "./run-dir.ts";
import { currentSummary, readStoredRun } from "./stored-run.ts";

export interface SummaryArgs extends FormatArgs {
  runDir: string;
}

/**
 * A run directory read for `summary` or `report`, its warnings on stderr; null (the reason on
 * stderr) when it cannot be read: exit code 2, never a stack trace. `storedSummary`: a current
 * summary.json is read instead of folding the log (see `readStoredRun`).
 */
export async function readRunDirOrSay(
  runDir: string,
  onEvent?: (event: LogEvent) => void,
  options: { storedSummary?: boolean } = {},
): Promise<RunDirReading | null> {
  try {
    const reading =
      options.storedSummary === true && onEvent === undefined
        ? await readStoredRun(runDir, runDir, false)
        : await readRunDir(resolve(runDir), runDir, onEvent);
    for (const warning of reading.warnings) process.stderr.write(`opbench: ${warning}\n`);
    return reading;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const said = error instanceof RunDirError ? message : `cannot read ${runDir}: ${message}`;
    process.stderr.write(`opbench: ${said}\n`);
    return null;
  }
}

export async function summaryCommand(args: SummaryArgs): Promise<number> {
  const reading = await readRunDirOrSay(args.runDir);
  if (!reading) return 2;
  const { results } = reading;
  let outputs: SelectedOutput[];
  try {
    outputs = chooseOutputs(results.mode, args);
  } catch (error) {
    process.stderr.write(`opbench: ${(error as Error).message}\n`);
    return 2;
  }
  if (results.mode === "load") await produceOutputs(outputs, "load", results.input, PROCESS_TERMINAL);
  else await produceOutputs(outputs, "run", withStoredGates(results.input), PROCESS_TERMINAL);
  return 0;
}

/**
 * The fold with the gate verdicts of the run's summary.json, when that is current (gates were
 * evaluated on what the log still holds): a rewritten summary.json keeps them. Verdicts of a
 * summary older than its log are dropped, and the user told how to get them back.
 */
function withStoredGates(input: RunOutputInput): RunOutputInput {
  const stored = currentSummary(input.runDir);
  if (stored?.gates !== undefined) return { ...input, summary: { ...input.summary, gates: stored.gates } };
  if (stored === null && staleSummaryHasGates(input.runDir)) {
    process.stderr.write(
      "opbench: the gate verdicts of the old summary.json are dropped: the log changed after they were evaluated (run opbench gate to evaluate them again)\n",
    );
  }
  return input;
}

function staleSummaryHasGates(runDir: string): boolean {
  try {
    const summary = JSON.parse(readFileSync(join(runDir, SUMMARY_FILE), "utf8")) as { gates?: unknown };
    return summary.gates !== undefined;
  } catch {
    return false;
  }
}
