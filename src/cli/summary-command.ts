/**
 * `opbench summary <run-dir>`: recompute a run directory's results from its log alone (no model
 * is called) and produce its outputs again — by default those of the command that wrote it:
 * summary.json, report.md and the table for `run`, load.json and the step table for `load`.
 */
import { resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { produceOutputs } from "../../reports/output.ts";
import type { LogEvent } from "../core/records.ts";
import { chooseOutputs, type FormatArgs, PROCESS_TERMINAL } from "./outputs.ts";
import { RunDirError, type RunDirReading, readRunDir } from "./run-dir.ts";
import { readStoredRun } from "./stored-run.ts";

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
  else await produceOutputs(outputs, "run", results.input, PROCESS_TERMINAL);
  return 0;
}
