/** What a call record keeps of a huge output: its first bytes, its length and its sha256. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import type { Scorer } from "../../src/core/scorer.ts";
import { cutText } from "../../src/core/stored-output.ts";
import { runSuite } from "../../src/engine/run.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("cutText", () => {
  it("leaves a text that fits alone, whatever its characters", () => {
    expect(cutText("short", 5)).toBeUndefined();
    expect(cutText("é".repeat(10), 20)).toBeUndefined(); // 20 bytes exactly
  });

  it("cuts at a character boundary and describes the whole text", () => {
    const text = `ab${"é".repeat(10)}`; // 22 bytes
    const cut = cutText(text, 5)!;
    expect(cut.text).toBe("abé"); // 4 bytes: the next é would straddle the limit
    expect(cut).toMatchObject({ bytes: 22, sha256: sha256(text) });
    expect(cutText("😀😀", 5)!.text).toBe("😀");
  });
});

describe("a run whose model sends 10 MB per call", () => {
  it("stores max_output_bytes of each, with its length and sha256; scorers saw all of it", async () => {
    const huge = `${"x".repeat(10 * 1024 * 1024)}END`;
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: huge, chunks: 20 }));
    const dir = mkdtempSync(join(tmpdir(), "opbench-output-"));
    const cases = [1, 2].map((i) => ({ id: String(i), prompt: "go", expected: "END" }));
    const suite = tinySuite({ cases, maxOutputBytes: 4096 });
    const endsRight: Scorer = {
      name: "ends_right",
      score: ({ output, expected }) => ({
        score: output.endsWith(expected ?? "") ? 1 : 0,
        reason: `${output.length} characters`,
      }),
    };
    suite.tasks[0]!.scorers = [endsRight];
    await runSuite({
      suite,
      runDir: dir,
      prepareModel: () => ({ runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    const path = join(dir, "events.jsonl");
    expect(statSync(path).size).toBeLessThan(64 * 1024);
    const records = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((e): e is CallRecord => e.type === "call");
    expect(records).toHaveLength(2);
    for (const r of records) {
      expect(r.output).toBe("x".repeat(4096));
      expect(r).toMatchObject({
        output_truncated: true,
        output_bytes: huge.length,
        output_sha256: sha256(huge),
      });
      expect(r.scores).toEqual([{ scorer: "ends_right", score: 1, reason: `${huge.length} characters` }]);
      expect(r.reasoning_truncated).toBeUndefined();
    }
  });

  it("keeps an output under the limit whole, with no truncation fields", async () => {
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: "A" }));
    const dir = mkdtempSync(join(tmpdir(), "opbench-output-"));
    await runSuite({
      suite: tinySuite({ cases: [{ id: "1", prompt: "a", expected: "A" }] }),
      runDir: dir,
      prepareModel: () => ({ runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    const record = readFileSync(join(dir, "events.jsonl"), "utf8")
      .split("\n")
      .map((line) => (line ? (JSON.parse(line) as LogEvent) : undefined))
      .find((e): e is CallRecord => e?.type === "call")!;
    expect(record.output).toBe("A");
    expect("output_truncated" in record).toBe(false);
  });
});

describe("storedCallRecord and tool calls", () => {
  it("cuts a call's arguments past max bytes, marks the record, and leaves short calls as they are", async () => {
    const { storedCallRecord } = await import("../../src/core/stored-output.ts");
    const { call } = await import("../helpers/summary-log.ts");
    const short = { name: "f", arguments: '{"a":1}' };
    const huge = { id: "c2", name: "g", arguments: `{"text":"${"é".repeat(100)}"}` };
    const record = call("m", 0, { output: "", tool_calls: [short, huge] });
    const stored = storedCallRecord(record, 50);
    expect(stored.tool_calls_truncated).toBe(true);
    expect(stored.tool_calls![0]).toEqual(short);
    expect(stored.tool_calls![1]!.id).toBe("c2");
    expect(Buffer.byteLength(stored.tool_calls![1]!.arguments)).toBeLessThanOrEqual(50);
    expect(stored.output_truncated).toBeUndefined();
    expect(storedCallRecord(call("m", 0, { output: "", tool_calls: [short] }), 50)).not.toHaveProperty(
      "tool_calls_truncated",
    );
  });
});
