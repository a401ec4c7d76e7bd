/**
 * `opbench rescore` of a run graded by `sql_execution`: the scorer reads each case's row (its
 * schema), so rescoring renders the suite's cases and finds each record's row by case id.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { rescoreRun } from "../../src/engine/rescore.ts";
import { INLINE_SOURCE, loadSuiteText } from "../../src/suite/load.ts";
import { call, start } from "../helpers/summary-log.ts";

const SUITE = `
name: s
models: [{ id: local, runner: llamacpp, url: "http://127.0.0.1:9" }]
tasks:
  - id: t
    prompt: "{{q}}"
    expected: "{{gold}}"
    dataset:
      - { q: how many, gold: "SELECT count(*) FROM pet", schema: "CREATE TABLE pet (id INTEGER PRIMARY KEY, kind TEXT);" }
      - { q: which kinds, gold: "SELECT DISTINCT kind FROM animal", schema: "CREATE TABLE animal (id INTEGER PRIMARY KEY, kind TEXT);" }
    scorers: [{ type: sql_execution, schema: "{{schema}}" }]
`;

describe("rescore with sql_execution", () => {
  it("finds each record's row (its own schema) and grades the stored query by execution", async () => {
    const suite = await loadSuiteText(SUITE, INLINE_SOURCE);
    expect(suite.tasks[0]!.scorers[0]!.readsRow).toBe(true);
    const source = mkdtempSync(join(tmpdir(), "opbench-rescore-sql-"));
    const old = (i: number, output: string, expected: string) =>
      call("local", i, {
        output,
        expected,
        scores: [{ scorer: "sql_execution", score: null, reason: "old" }],
      });
    const events: LogEvent[] = [
      start,
      old(0, "```sql\nSELECT COUNT(id) FROM pet;\n```", "SELECT count(*) FROM pet"),
      old(1, "SELECT kind FROM animal", "SELECT DISTINCT kind FROM animal"),
    ];
    writeFileSync(join(source, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const out = join(mkdtempSync(join(tmpdir(), "opbench-rescore-sql-out-")), "new");
    mkdirSync(out);
    const stats = await rescoreRun({ sourceDir: source, outDir: out, suite, argv: ["rescore", source] });
    const calls = readFileSync(join(out, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((e): e is CallRecord => e.type === "call");
    expect(calls.map((c) => c.scores[0])).toEqual([
      { scorer: "sql_execution", score: 1, reason: "same 1 rows on 3 databases" },
      {
        scorer: "sql_execution",
        score: 0,
        reason: expect.stringMatching(/^\d+ rows vs gold \d+ on filling 1$/),
      },
    ]);
    expect(stats).toMatchObject({ rescored: 2, changed: 2 });
  });
});
