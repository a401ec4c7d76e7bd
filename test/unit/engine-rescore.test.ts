import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent, RunStartEvent } from "../../src/core/records.ts";
import { RescoreError, rescoreRun } from "../../src/engine/rescore.ts";
import { SummaryBuilder } from "../../src/metrics/summary.ts";
import { INLINE_SOURCE, loadSuiteText } from "../../src/suite/load.ts";
import { call, failedCall, localEnergy, start } from "../helpers/summary-log.ts";

const SUITE = `
name: s
models: [{ id: local, runner: llamacpp, url: "http://127.0.0.1:9" }]
tasks:
  - id: t
    prompt: "{{q}}"
    dataset: [{ q: x, expected: a }]
    scorers: [{ type: contains, value: b }, { type: one_of, name: valid, labels: [a, b] }]
`;

function writeLog(events: LogEvent[]): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-rescore-"));
  writeFileSync(join(dir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return dir;
}

const read = (dir: string) =>
  readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent);

async function rescore(
  events: LogEvent[],
  tweak?: (suite: Awaited<ReturnType<typeof loadSuiteText>>) => void,
) {
  const source = writeLog(events);
  const out = join(mkdtempSync(join(tmpdir(), "opbench-rescore-out-")), "new");
  mkdirSync(out);
  const suite = await loadSuiteText(SUITE, INLINE_SOURCE);
  tweak?.(suite);
  const summary = new SummaryBuilder();
  const stats = await rescoreRun({
    sourceDir: source,
    outDir: out,
    suite,
    argv: ["rescore", source],
    onEvent: (e) => summary.add(e),
    now: new Date("2026-12-07T08:00:00Z"),
  });
  return { source, out, stats, summary: summary.result(), events: read(out) };
}

describe("rescoreRun", () => {
  it("scores successful calls again, copies the rest, and marks the first run_start of a resumed run", async () => {
    const resumed: RunStartEvent = { ...start, resumed: true, started_at: "2026-11-23T11:00:00.000Z" };
    const other = call("local", 2, { task: "gone", item: "local|gone|0|3", output: "b" });
    const warmup = call("local", 0, { warmup: true, item: "local|warmup|0", output: "b" });
    const { stats, events, summary, source } = await rescore([
      start,
      warmup,
      call("local", 0, { output: "b" }),
      failedCall("local", 1),
      localEnergy,
      { v: 1, type: "run_end", at: "2026-11-23T10:30:00.000Z", status: "interrupted" },
      resumed,
      call("local", 1, { output: "zzz" }),
      other,
      { v: 1, type: "run_end", at: "2026-11-23T11:30:00.000Z", status: "completed" },
    ]);
    expect(events.map((e) => e.type)).toEqual([
      "run_start",
      "call",
      "call",
      "call",
      "model_energy",
      "run_end",
      "run_start",
      "call",
      "call",
      "run_end",
    ]);
    const starts = events.filter((e): e is RunStartEvent => e.type === "run_start");
    expect(starts[0]!.rescored_from).toEqual({
      run_id: "r",
      run_dir: source,
      suite_path: INLINE_SOURCE,
      suite_hash: expect.any(String),
      at: "2026-12-07T08:00:00.000Z",
    });
    expect(starts[1]!.rescored_from).toBeUndefined();
    expect(starts.map((s) => s.run_id)).toEqual(["new", "new"]);
    const described = starts[0]!.suite.resolved as { tasks: { scorers: unknown }[] };
    expect(described.tasks[0]!.scorers).toEqual([
      { type: "contains", value: "b" },
      { type: "one_of", name: "valid", labels: ["a", "b"] },
    ]);
    const calls = events.filter((e): e is CallRecord => e.type === "call");
    const scores = calls.map((c) => c.scores.map((s) => s.score));
    expect(scores).toEqual([[1, 1], [1, 1], [], [0, 0], [1, 1]]);
    // The failed call stays unscored; the task the suite lacks keeps its recorded scores.
    expect(calls[2]!.error?.class).toBe("timeout");
    expect(calls[4]!.scores).toEqual(other.scores);
    expect(stats).toMatchObject({
      runId: "r",
      rescored: 3,
      changed: 3,
      truncated: 0,
      missingTasks: ["gone"],
    });
    expect(summary.run.rescored_from?.run_id).toBe("r");
    expect(summary.results.find((g) => g.task === "t")!.accuracy.map((a) => [a.scorer, a.mean])).toEqual([
      ["contains", 0.5],
      ["valid", 0.5],
    ]);
  });

  it("records a scorer that throws as a scoring error of that call", async () => {
    const { events } = await rescore([start, call("local", 0, { output: "b" })], (suite) => {
      suite.tasks[0]!.scorers[0] = {
        name: "contains",
        score: () => {
          throw new RangeError("boom");
        },
      };
    });
    const record = events.find((e): e is CallRecord => e.type === "call")!;
    expect(record.scores[0]).toEqual({
      scorer: "contains",
      score: null,
      reason: "scorer failed: RangeError: boom",
    });
    expect(record.scores[1]!.score).toBe(1);
  });

  it("refuses a load sweep, a newer log and a log without run_start", async () => {
    await expect(rescore([start, { v: 1, type: "load_start" } as unknown as LogEvent])).rejects.toThrow(
      RescoreError,
    );
    await expect(rescore([{ ...start, v: 2 } as unknown as LogEvent])).rejects.toThrow(/newer opbench/);
    await expect(rescore([call("local", 0)])).rejects.toThrow(/no run_start/);
  });
});

describe("rescoreRun with tool calls", () => {
  it("grades the tool calls stored in the record", async () => {
    const suiteText = `
name: s
models: [{ id: local, runner: llamacpp, url: "http://127.0.0.1:9" }]
tasks:
  - id: t
    prompt: "{{q}}"
    dataset: [{ q: x, expected: '{"name": "f", "arguments": {"n": 2}}' }, { q: y, expected: '{"name": "f", "arguments": {"n": 2}}' }]
    tools: [{ name: f, parameters: { type: object, properties: { n: { type: integer } } } }]
    scorers: [tool_call]
`;
    const expected = '{"name": "f", "arguments": {"n": 2}}';
    const right = call("local", 0, {
      output: "",
      expected,
      tool_calls: [{ id: "c1", name: "f", arguments: '{"n":"2"}' }],
    });
    const wrong = call("local", 1, {
      output: "",
      expected,
      tool_calls: [{ name: "f", arguments: '{"n":3}' }],
    });
    const source = writeLog([start, right, wrong]);
    const out = join(mkdtempSync(join(tmpdir(), "opbench-rescore-out-")), "new");
    mkdirSync(out);
    await rescoreRun({
      sourceDir: source,
      outDir: out,
      suite: await loadSuiteText(suiteText, INLINE_SOURCE),
      argv: ["rescore", source],
      onEvent: () => {},
    });
    const calls = read(out).filter((e): e is CallRecord => e.type === "call");
    expect(calls.map((c) => c.scores[0]?.score)).toEqual([1, 0]);
    expect(calls[1]!.scores[0]!.reason).toContain("f.arguments.n: got 3, expected 2");
    expect(calls[0]!.tool_calls).toEqual(right.tool_calls);
  });
});
