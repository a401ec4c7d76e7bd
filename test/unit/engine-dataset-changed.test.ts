/**
 * Cases are rendered from the dataset as calls are dispatched: a JSONL file changed during the
 * run stops it with a clear error, after the calls in flight, with every record so far on disk.
 */
import { appendFileSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { runSuite } from "../../src/engine/run.ts";
import { loadSuite } from "../../src/suite/load.ts";
import { ScriptedRunner } from "../helpers/scripted-runner.ts";

const SUITE = `version: 1
name: changing
concurrency: 4
models:
  - id: m
    runner: llamacpp
    url: http://127.0.0.1:1
tasks:
  - id: t
    prompt: "{{q}}"
    dataset: rows.jsonl
    expected: "{{a}}"
`;

describe("a dataset that changes during the run", () => {
  it("stops taking cases, lets the calls in flight finish, and fails the run naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-changing-"));
    // 3,000 rows of ~45 bytes: more than one 64 KiB read, so the change is seen mid-pass.
    const rows = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ q: `question ${i}`, a: `A${i}` }));
    const data = join(dir, "rows.jsonl");
    writeFileSync(data, `${rows.join("\n")}\n`);
    writeFileSync(join(dir, "suite.yaml"), SUITE);
    const suite = await loadSuite(join(dir, "suite.yaml"));
    expect(suite.tasks[0]!.cases).toHaveLength(3000);
    const runner = new ScriptedRunner((req, n) => {
      if (n === 1) {
        appendFileSync(data, `${JSON.stringify({ q: "new", a: "N" })}\n`);
        utimesSync(data, new Date(), new Date(Date.now() + 5000));
      }
      return { kind: "ok", text: req.prompt, chunks: 3 }; // ~3 ms: others are in flight at the change
    });
    const runDir = join(dir, "run");
    const failure = await runSuite({
      suite,
      runDir,
      prepareModel: () => ({ runner, locality: "local" }),
      signal: new AbortController().signal,
    }).catch((error: unknown) => error as Error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toBe(`dataset file ${data} changed after the suite was loaded`);
    const log = readFileSync(join(runDir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent);
    const calls = log.filter((e): e is CallRecord => e.type === "call");
    // The first 64 KiB of rows were read before the change; none after it.
    expect(calls.length).toBeGreaterThan(100);
    expect(calls.length).toBeLessThan(3000);
    // Every call that was made finished and was recorded before the run ended.
    expect(calls).toHaveLength(runner.requests.length);
    expect(calls.every((c) => c.ok)).toBe(true);
    expect(calls.map((c) => c.case_id)).toEqual(calls.map((_, i) => String(i + 1)));
    expect(log.at(-1)).toMatchObject({ type: "run_end", status: "failed" });
  });
});
