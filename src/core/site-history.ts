/**
 * The format of a published site's `history.json` (written by reports/site/history.ts, read there
 * and by `--baseline <site>`): one small record per run, and the check that a parsed file is one.
 */

export const HISTORY_FILE = "history.json";
export const HISTORY_VERSION = 1;

/** One model × task of a run, as the trend pages draw it. */
export interface HistoryFigures {
  model: string;
  task: string;
  scorer: string | null;
  accuracy: number | null;
  accuracy_lower: number | null;
  accuracy_upper: number | null;
  e2e_p50_ms: number | null;
  e2e_p95_ms: number | null;
  ttft_p50_ms: number | null;
  cost_per_1k_usd: number | null;
  energy_per_call_j: number | null;
  calls: number;
  failed: number;
}

export interface HistoryRecord {
  v: typeof HISTORY_VERSION;
  run_id: string;
  suite: string;
  suite_hash: string;
  started_at: string;
  status: string;
  commit: string | null;
  dirty: boolean | null;
  /** The run's page, relative to the site root; null once pruned (`--keep`). */
  report: string | null;
  /**
   * The run's baseline file (summary and per-case scores, what `--baseline <site>` reads for the
   * newest run of the suite), relative to the site root; null once pruned, absent in old records.
   */
  baseline?: string | null;
  /** The savings sentences of the run (the headline). */
  savings: string[];
  figures: HistoryFigures[];
}

/** A corrupt history file: named with the line, and left as it is. */
export class HistoryError extends Error {
  override readonly name = "HistoryError";
}

/**
 * The records of a parsed history file (`path` names it in errors).
 * @throws HistoryError when it has no records list, or a record lacks run_id, suite or figures
 */
export function historyRecords(parsed: unknown, path: string): HistoryRecord[] {
  const records = (parsed as { records?: unknown } | null)?.records;
  if (!Array.isArray(records)) {
    throw new HistoryError(`${path} has no "records" list; it was left as it is: fix or remove it`);
  }
  records.forEach((r, i) => {
    const record = r as Partial<HistoryRecord> | null;
    if (
      typeof record?.run_id !== "string" ||
      typeof record.suite !== "string" ||
      typeof record.started_at !== "string" ||
      !Array.isArray(record.figures)
    ) {
      // Line of record i: the file is written one record per line after the opening line.
      throw new HistoryError(
        `${path}:${i + 3}: record ${i + 1} lacks run_id, suite, started_at or figures; it was left as it is`,
      );
    }
  });
  return records as HistoryRecord[];
}
