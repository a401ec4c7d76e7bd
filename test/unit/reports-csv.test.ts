/**
 * The csv output: calls.csv (a row per call record, streamed from the log) and summary.csv (a
 * row per model × task): the rows as pure functions, and the files written from a log.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import {
  CALL_COLUMNS,
  callHeader,
  callRow,
  csv,
  SUMMARY_COLUMNS,
  summaryRows,
  summaryScorers,
} from "../../reports/csv.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { build, call, failedCall, start } from "../helpers/summary-log.ts";

const events: LogEvent[] = [
  start,
  call("local", 0, { cost_usd: null }),
  failedCall("local", 1, { attempt: 2 }),
  call("api", 0, { cost_usd: 0.002, energy_j: 12.5, case_id: 'a "quoted", id' }),
];
const summary = build(events);

describe("calls.csv rows", () => {
  it("has the fixed columns, then one score column per scorer", () => {
    expect(summaryScorers(summary)).toEqual(["exact", "valid"]);
    expect(callHeader(["exact", "valid"])).toEqual([...CALL_COLUMNS, "score:exact", "score:valid"]);
  });

  it("writes a record as cells: null as empty, booleans as words, scores by scorer", () => {
    const row = callRow(events[2] as never, ["exact", "valid"]);
    const byColumn = Object.fromEntries(callHeader(["exact", "valid"]).map((c, i) => [c, row[i]]));
    expect(byColumn).toMatchObject({
      model: "local",
      task: "t",
      case_id: "2",
      repeat: 0,
      attempt: 2,
      warmup: "false",
      will_retry: "false",
      ok: "false",
      error_class: "timeout",
      ttft_ms: null,
      e2e_ms: 30000,
      input_tokens: null,
      cost_usd: null,
      "score:exact": null,
      "score:valid": null,
    });
    const ok = callRow(events[1] as never, ["valid", "missing"]);
    expect(ok.slice(-2)).toEqual([1, null]);
    expect(ok[CALL_COLUMNS.indexOf("ok")]).toBe("true");
  });
});

describe("summary.csv rows", () => {
  it("has one row per model × task with the first scorer's accuracy and the latencies", () => {
    const rows = summaryRows(summary);
    expect(rows.length).toBe(2);
    const local = Object.fromEntries(SUMMARY_COLUMNS.map((c, i) => [c, rows[0]![i]]));
    expect(local).toMatchObject({
      model: "local",
      task: "t",
      calls: 2,
      succeeded: 1,
      failed: 1,
      errors: "timeout 1",
      scorer: "exact",
      accuracy: 0.5,
      ttft_p50_ms: 10,
    });
  });
});

describe("the csv output", () => {
  it("writes calls.csv from the log and summary.csv from the summary, CSV-quoted", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-csv-"));
    writeFileSync(join(runDir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const written = await csv.run({ runDir, summary });
    expect(written).toEqual([join(runDir, "calls.csv"), join(runDir, "summary.csv")]);
    const calls = parse(readFileSync(join(runDir, "calls.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(calls.length).toBe(3);
    expect(calls.map((c) => [c.model, c.ok, c["score:exact"]])).toEqual([
      ["local", "true", "1"],
      ["local", "false", ""],
      ["api", "true", "1"],
    ]);
    expect(calls[2]).toMatchObject({ case_id: 'a "quoted", id', cost_usd: "0.002", energy_j: "12.5" });
    const rows = parse(readFileSync(join(runDir, "summary.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((r) => [r.model, r.task, r.calls])).toEqual([
      ["local", "t", "2"],
      ["api", "t", "1"],
    ]);
  });
});
