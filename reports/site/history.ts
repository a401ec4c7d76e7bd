/**
 * A published site's `history.json`: one small record per run (suite, hash, time, commit, the
 * savings headline, and per model × task the figures the trend pages draw), kept when a run's
 * report is pruned. Written one record per line inside a JSON array, so a corrupt file can be
 * named with its line; a run published twice is one record (keyed by run id and start time).
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  HISTORY_FILE,
  HISTORY_VERSION,
  HistoryError,
  type HistoryFigures,
  type HistoryRecord,
  historyRecords,
} from "../../src/core/site-history.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";

export { HISTORY_FILE, HISTORY_VERSION, HistoryError, type HistoryFigures, type HistoryRecord };

/** The record of one run (its report at `report`). */
export function historyRecord(
  summary: Summary,
  report: string | null,
  baseline: string | null = null,
): HistoryRecord {
  const { run } = summary;
  return {
    v: HISTORY_VERSION,
    run_id: run.run_id,
    suite: run.suite.name,
    suite_hash: run.suite.hash,
    started_at: run.started_at,
    status: run.status,
    commit: run.git.commit,
    dirty: run.git.dirty,
    report,
    baseline,
    savings: summary.savings.map(savingsLine),
    figures: summary.results.flatMap((g) => {
      if (g.task === null) return [];
      const acc = g.accuracy[0];
      return [
        {
          model: g.model,
          task: g.task,
          scorer: acc?.scorer ?? null,
          accuracy: acc?.mean ?? null,
          accuracy_lower: acc?.lower ?? null,
          accuracy_upper: acc?.upper ?? null,
          e2e_p50_ms: g.latency.e2e_ms?.p50 ?? null,
          e2e_p95_ms: g.latency.e2e_ms?.p95 ?? null,
          ttft_p50_ms: g.latency.ttft_ms?.p50 ?? null,
          cost_per_1k_usd: g.cost.per_1k_calls_usd,
          energy_per_call_j: g.energy.per_call_j,
          calls: g.calls,
          failed: g.failed,
        },
      ];
    }),
  };
}

/** The key a run is one record by. */
export const recordKey = (r: Pick<HistoryRecord, "run_id" | "started_at">) =>
  `${r.run_id}\u0000${r.started_at}`;

/** Reads `<site>/history.json` (none yet: empty). @throws HistoryError naming the bad line */
export function readHistory(site: string): HistoryRecord[] {
  const path = join(site, HISTORY_FILE);
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const at = /position (\d+)/.exec((error as Error).message);
    const line = at ? text.slice(0, Number(at[1])).split("\n").length : null;
    throw new HistoryError(
      `${path}${line ? `:${line}` : ""} is not valid JSON (${(error as Error).message}); it was left as it is: fix or remove it`,
    );
  }
  return historyRecords(parsed, path);
}

/** Writes the history, one record per line, oldest first (atomically: a crash leaves the old file). */
export function writeHistory(site: string, records: readonly HistoryRecord[]): void {
  const sorted = [...records].sort((a, b) => a.started_at.localeCompare(b.started_at));
  const text = `{"history_version": ${HISTORY_VERSION},\n"records": [\n${sorted.map((r) => JSON.stringify(r)).join(",\n")}\n]}\n`;
  const path = join(site, HISTORY_FILE);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** `records` with `added` in place of any record of the same run. */
export function mergeHistory(
  records: readonly HistoryRecord[],
  added: readonly HistoryRecord[],
): HistoryRecord[] {
  const byKey = new Map(records.map((r) => [recordKey(r), r]));
  for (const r of added) byKey.set(recordKey(r), r);
  return [...byKey.values()];
}
