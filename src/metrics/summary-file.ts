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

/** Summarises the run and writes `<runDir>/summary.json`; returns the summary. */
export async function writeSummary(runDir: string): Promise<Summary> {
  const summary = await summarizeRun(runDir);
  const path = join(runDir, SUMMARY_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  if (summary.load) writeLoadSummary(runDir, summary.load);
  return summary;
}
