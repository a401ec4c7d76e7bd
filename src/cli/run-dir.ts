/**
 * Reading a finished (or unfinished) run directory back for `opbench summary` and `opbench
 * report`: its log folded in one pass into a run's summary or a load sweep's results, with what
 * can go wrong said in words — no log, a log of a newer opbench, no run_start — and what the
 * reader should know (a line cut off mid-write, a run without calls) as warnings.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { LoadOutputInput, RunOutputInput } from "../../reports/output.ts";
import { LOG_VERSION, type LogEvent } from "../core/records.ts";
import { EVENTS_FILE, readRunLog } from "../core/run-log.ts";
import { LoadSummaryBuilder } from "../load/summary.ts";
import { loadSummaryPlugins, SummaryBuilder } from "../metrics/summary.ts";
import { RunDirError } from "./run-dir-error.ts";

export { RunDirError };

/** A run directory's results: a load sweep's, else a run's. */
export type RunDirResults = { mode: "run"; input: RunOutputInput } | { mode: "load"; input: LoadOutputInput };

export interface RunDirReading {
  results: RunDirResults;
  /** Things the results lack, one sentence each (for stderr): lines skipped, no calls. */
  warnings: string[];
}

/**
 * Folds `<runDir>/events.jsonl` (`runDir` absolute; `shown`: how messages name it; `onEvent`
 * sees every event too, for a fold of its own in the same pass). Throws
 * RunDirError for a directory without a log, a log written by a newer opbench (an event with
 * `v` above LOG_VERSION), or one without a run_start.
 */
export async function readRunDir(
  runDir: string,
  shown: string,
  onEvent?: (event: LogEvent) => void,
): Promise<RunDirReading> {
  if (!existsSync(join(runDir, EVENTS_FILE))) {
    throw new RunDirError(`${shown} has no ${EVENTS_FILE}; is it a run directory?`);
  }
  await loadSummaryPlugins();
  const run = new SummaryBuilder();
  const load = new LoadSummaryBuilder();
  const skipped: number[] = [];
  let sawStart = false;
  for await (const event of readRunLog(runDir, (line) => skipped.push(line))) {
    if (typeof event !== "object" || event === null) continue;
    if (typeof event.v === "number" && event.v > LOG_VERSION) {
      throw new RunDirError(
        `${shown}/${EVENTS_FILE} was written by a newer opbench (log version ${event.v}; this opbench ` +
          `reads version ${LOG_VERSION}): upgrade opbench to read it`,
      );
    }
    if (event.type === "run_start") sawStart = true;
    run.add(event);
    load.add(event);
    onEvent?.(event);
  }
  if (!sawStart) {
    throw new RunDirError(
      `${shown}/${EVENTS_FILE} holds no run_start event: the run did not get as far as starting`,
    );
  }
  const warnings = skipped.map(
    (line) => `${shown}/${EVENTS_FILE}: line ${line} is not JSON (cut off mid-write?); it was skipped`,
  );
  const sweep = load.result();
  if (sweep) return { results: { mode: "load", input: { runDir, load: sweep } }, warnings };
  const summary = run.result();
  if (summary.results.length === 0) {
    warnings.push(`${shown}: the run recorded no calls (status: ${summary.run.status})`);
  }
  return { results: { mode: "run", input: { runDir, summary } }, warnings };
}
