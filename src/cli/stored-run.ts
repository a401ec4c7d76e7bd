/**
 * A stored run read for gates, `compare`, `baseline save` and `report`: its summary.json when that
 * is newer than its log (written by the same opbench format), else the log folded again; and,
 * when asked, its per-case scores from the log's `call` records — in the same pass when the log
 * is folded. Reading summary.json spares a fold of the whole log (about half the time on a
 * 100,000-call run).
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { METRICS_VERSION } from "../core/records.ts";
import { EVENTS_FILE } from "../core/run-log.ts";
import { scanCaseData, scanCaseDataInWorker } from "../gates/case-scan.ts";
import { type CaseData, CaseScoreCollector } from "../gates/case-scores.ts";
import { SUMMARY_VERSION, type Summary } from "../metrics/summary.ts";
import { SUMMARY_FILE } from "../metrics/summary-file.ts";
import { type RunDirResults, readRunDir } from "./run-dir.ts";

export interface StoredRun {
  results: RunDirResults;
  /** Per-case scores and weights (still being read when scanned in a worker); null when not asked for. */
  caseData: Promise<CaseData> | null;
  warnings: string[];
}

/** summary.json of `dir` when it is there, current and newer than the log; else null. */
export function currentSummary(dir: string): Summary | null {
  const summaryPath = join(dir, SUMMARY_FILE);
  const logPath = join(dir, EVENTS_FILE);
  if (!existsSync(summaryPath) || !existsSync(logPath)) return null;
  // Strictly newer: a log rewritten in the same instant as its summary (a copy, then an edit) is
  // folded again rather than trusted to a summary of what it held before.
  if (statSync(summaryPath).mtimeMs <= statSync(logPath).mtimeMs) return null;
  try {
    const summary = JSON.parse(readFileSync(summaryPath, "utf8")) as Partial<Summary>;
    const usable =
      summary.summary_version === SUMMARY_VERSION &&
      summary.metrics_version === METRICS_VERSION &&
      typeof summary.run?.run_id === "string" &&
      Array.isArray(summary.results) &&
      Array.isArray(summary.by_model);
    return usable ? (summary as Summary) : null;
  } catch {
    return null;
  }
}

/**
 * Reads run directory `dir` (`shown`: how messages name it). Throws RunDirError as
 * `readRunDir` does when there is no log to fold.
 */
export async function readStoredRun(
  dir: string,
  shown: string,
  withCases: boolean,
  /** Scan the per-case scores in a worker thread, so a second run can be read meanwhile. */
  inWorker = false,
): Promise<StoredRun> {
  const path = resolve(dir);
  const stored = currentSummary(path);
  if (stored) {
    let caseData: Promise<CaseData> | null = null;
    if (withCases) caseData = inWorker ? scanCaseDataInWorker(path) : Promise.resolve(scanCaseData(path));
    // Awaited later by the caller; a failure meanwhile is not an unhandled rejection.
    caseData?.catch(() => undefined);
    return { results: { mode: "run", input: { runDir: path, summary: stored } }, caseData, warnings: [] };
  }
  const collector = withCases ? new CaseScoreCollector() : null;
  const reading = await readRunDir(path, shown, collector ? (event) => collector.add(event) : undefined);
  return {
    results: reading.results,
    caseData: collector ? Promise.resolve(collector.data()) : null,
    warnings: reading.warnings,
  };
}
