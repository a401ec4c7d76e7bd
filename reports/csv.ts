/**
 * `csv`: calls.csv (one row per call record of the log, streamed: memory stays flat for any
 * size) and summary.csv (one row per model × task) in the run directory, for a spreadsheet or
 * pandas. Empty cells are unknowns (null in the log), booleans are `true` / `false`.
 */

import { createWriteStream, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { stringify as stringifySync } from "csv-stringify/sync";
import type { CallRecord } from "../src/core/records.ts";
import { readRunLog } from "../src/core/run-log.ts";
import type { Summary } from "../src/metrics/summary.ts";
import type { FileOutput } from "./output.ts";

export const CALLS_CSV_FILE = "calls.csv";
export const SUMMARY_CSV_FILE = "summary.csv";

/** A CSV cell: empty for null. */
type Cell = string | number | null;

const bool = (value: boolean): string => (value ? "true" : "false");

/** calls.csv's fixed columns, before one `score:<scorer>` column per scorer. */
export const CALL_COLUMNS = [
  "model",
  "task",
  "case_id",
  "repeat",
  "attempt",
  "warmup",
  "will_retry",
  "ok",
  "error_class",
  "started_at",
  "ttft_ms",
  "e2e_ms",
  "tpot_ms",
  "input_tokens",
  "output_tokens",
  "tool_calls",
  "cost_usd",
  "energy_j",
] as const;

/** calls.csv's header for these scorers. */
export function callHeader(scorers: readonly string[]): string[] {
  return [...CALL_COLUMNS, ...scorers.map((scorer) => `score:${scorer}`)];
}

/** One call record as a calls.csv row, its scores in the order of `scorers` (empty: not scored). */
export function callRow(record: CallRecord, scorers: readonly string[]): Cell[] {
  const scores = new Map(record.scores.map((s) => [s.scorer, s.score]));
  return [
    record.model,
    record.task,
    record.case_id,
    record.repeat,
    record.attempt,
    bool(record.warmup),
    bool(record.will_retry),
    bool(record.ok),
    record.error?.class ?? null,
    record.started_at,
    record.ttft_ms,
    record.e2e_ms,
    record.tpot_ms,
    record.input_tokens,
    record.output_tokens,
    // The names of the functions called, in order (their arguments are in events.jsonl).
    record.tool_calls?.length ? record.tool_calls.map((c) => c.name).join(" ") : null,
    record.cost_usd,
    record.energy_j,
    ...scorers.map((scorer) => scores.get(scorer) ?? null),
  ];
}

/** The scorers of a run's tasks, each once, in the order first seen. */
export function summaryScorers(summary: Summary): string[] {
  return [...new Set(summary.results.flatMap((r) => r.accuracy.map((a) => a.scorer)))];
}

/** summary.csv's header. */
export const SUMMARY_COLUMNS = [
  "model",
  "task",
  "calls",
  "succeeded",
  "failed",
  "retries",
  "errors",
  "scorer",
  "accuracy",
  "accuracy_lower",
  "accuracy_upper",
  "ttft_p50_ms",
  "e2e_p50_ms",
  "e2e_p95_ms",
  "tpot_p50_ms",
  "output_tokens_per_s",
  "cost_per_1k_calls_usd",
  "cost_per_correct_usd",
  "energy_per_call_j",
  "energy_per_call_low_j",
  "energy_per_call_high_j",
  "energy_source",
  "cpu_core_s_per_call",
  "gpu_s_per_call",
  "co2e_g_per_call",
] as const;

/** One row per model × task (accuracy: the task's first scorer; errors: `class n; …`). */
export function summaryRows(summary: Summary): Cell[][] {
  return summary.results.map((r) => {
    const accuracy = r.accuracy[0];
    return [
      r.model,
      r.task,
      r.calls,
      r.succeeded,
      r.failed,
      r.retries,
      Object.entries(r.errors_by_class)
        .map(([c, n]) => `${c} ${n}`)
        .join("; "),
      accuracy?.scorer ?? null,
      accuracy?.mean ?? null,
      accuracy?.lower ?? null,
      accuracy?.upper ?? null,
      r.latency.ttft_ms?.p50 ?? null,
      r.latency.e2e_ms?.p50 ?? null,
      r.latency.e2e_ms?.p95 ?? null,
      r.latency.tpot_ms?.p50 ?? null,
      r.throughput.output_tokens_per_s,
      r.cost.per_1k_calls_usd,
      r.cost.per_correct_usd,
      r.energy.per_call_j,
      r.energy.per_call_low_j ?? null,
      r.energy.per_call_high_j ?? null,
      r.energy.source,
      r.compute?.per_call_cpu_core_s ?? null,
      r.compute?.per_call_gpu_s ?? null,
      r.carbon?.per_call_g ?? null,
    ];
  });
}

/** The rows of calls.csv, read from the log one event at a time. */
async function* callRows(runDir: string, scorers: readonly string[]): AsyncGenerator<Cell[]> {
  for await (const event of readRunLog(runDir)) {
    if (event.type === "call") yield callRow(event, scorers);
  }
}

export const csv = {
  kind: "file",
  description:
    "calls.csv (a row per call record) and summary.csv (a row per model × task) in the run directory",
  title: "CSV",
  run: async ({ runDir, summary }) => {
    const scorers = summaryScorers(summary);
    const callsPath = join(runDir, CALLS_CSV_FILE);
    await pipeline(
      Readable.from(callRows(runDir, scorers)),
      stringify({ header: true, columns: callHeader(scorers) }),
      createWriteStream(callsPath),
    );
    const summaryPath = join(runDir, SUMMARY_CSV_FILE);
    writeFileSync(
      summaryPath,
      stringifySync(summaryRows(summary), { header: true, columns: [...SUMMARY_COLUMNS] }),
    );
    return [callsPath, summaryPath];
  },
} satisfies FileOutput;
