/** Reads a run directory's log and writes its `summary.json` (atomically: temp file + rename). */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRunLog } from "../engine/run-log.ts";
import { writeLoadSummary } from "../load/summary.ts";
import { type Summary, SummaryBuilder } from "./summary.ts";

export const SUMMARY_FILE = "summary.json";

/** Summarises `<runDir>/events.jsonl` in one streaming pass. */
export async function summarizeRun(runDir: string): Promise<Summary> {
  const builder = new SummaryBuilder();
  for await (const event of readRunLog(runDir)) builder.add(event);
  return builder.result();
}

/**
 * Writes `<runDir>/summary.json` and returns it: from `folded` when the caller fed a builder every
 * event of the log as it was written (a run that started fresh), else by reading the log.
 */
export async function writeSummary(runDir: string, folded?: SummaryBuilder): Promise<Summary> {
  const summary = folded ? folded.result() : await summarizeRun(runDir);
  const path = join(runDir, SUMMARY_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  if (summary.load) writeLoadSummary(runDir, summary.load);
  return summary;
}
