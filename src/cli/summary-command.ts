/**
 * `opbench summary <run-dir>`: recompute a run directory's results from its log alone (no model
 * is called) and produce its outputs again — by default those of the command that wrote it:
 * summary.json and the table for `run`, load.json and the step table for `load`.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { produceOutputs } from "../../reports/output.ts";
import { EVENTS_FILE, readRunLog } from "../core/run-log.ts";
import { LoadSummaryBuilder } from "../load/summary.ts";
import { SummaryBuilder } from "../metrics/summary.ts";
import { chooseOutputs, type FormatArgs, PROCESS_TERMINAL } from "./outputs.ts";

export interface SummaryArgs extends FormatArgs {
  runDir: string;
}

/** A run directory's results, folded from its log in one pass: a load sweep's, else a run's. */
async function readResults(runDir: string) {
  const run = new SummaryBuilder();
  const load = new LoadSummaryBuilder();
  for await (const event of readRunLog(runDir)) {
    run.add(event);
    load.add(event);
  }
  const sweep = load.result();
  return sweep
    ? ({ mode: "load", input: { runDir, load: sweep } } as const)
    : ({ mode: "run", input: { runDir, summary: run.result() } } as const);
}

export async function summaryCommand(args: SummaryArgs): Promise<number> {
  const runDir = resolve(args.runDir);
  if (!existsSync(join(runDir, EVENTS_FILE))) {
    process.stderr.write(`opbench: ${args.runDir} has no ${EVENTS_FILE}; is it a run directory?\n`);
    return 2;
  }
  const results = await readResults(runDir);
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
