/** A run directory's `summary.json`: folded from its log, written atomically (temp file + rename). */
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readRunLog } from "../core/run-log.ts";
import { loadSummaryPlugins, type Summary, SummaryBuilder } from "./summary.ts";

export const SUMMARY_FILE = "summary.json";

/** Summarises `<runDir>/events.jsonl` in one streaming pass. */
export async function summarizeRun(runDir: string): Promise<Summary> {
  await loadSummaryPlugins();
  const builder = new SummaryBuilder();
  for await (const event of readRunLog(runDir)) builder.add(event);
  return builder.result();
}

/** Writes `summary` as `<runDir>/summary.json` (temp file + rename) and returns its path. */
export function writeSummaryFile(runDir: string, summary: Summary): string {
  const path = join(runDir, SUMMARY_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(summary, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  return path;
}
