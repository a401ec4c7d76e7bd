/**
 * The engine's judges with scripted runners: warm-up outputs are not judged, and an interrupt
 * while a call is being judged leaves that call for --resume (no record with a half-made score),
 * and the judge is started and stopped once, like a model.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { runSuite } from "../../src/engine/run.ts";
import { createScorer } from "../../src/scoring/index.ts";
import type { ResolvedSuite } from "../../src/suite/resolved.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

const cases = ["a", "b", "c"].map((x, i) => ({ id: String(i + 1), prompt: x, expected: x }));

function judgedSuite(warmup: number): ResolvedSuite {
  const suite = tinySuite({ cases, warmup });
  const judge = { ...suite.models[0]!, id: "referee", label: "referee" };
  suite.judges = [judge];
  suite.tasks[0]!.scorers = [
    createScorer({ type: "judge", judge: "referee", rubric: "r" }, { baseDir: "." }),
  ];
  suite.tasks[0]!.scorerConfigs = [{ type: "judge", judge: "referee", rubric: "r" } as never];
  return suite;
}

const readLog = (dir: string) =>
  readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent);

describe("judges in the engine", () => {
  it("judges measured calls only, and starts and stops the judge once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-engine-judges-"));
    const model = new ScriptedRunner((req) => ({ kind: "ok", text: req.prompt }));
    const judge = new ScriptedRunner(() => ({ kind: "ok", text: '{"reasoning": "fine", "score": 5}' }));
    await runSuite({
      suite: judgedSuite(2),
      runDir: dir,
      prepareModel: (m) => ({ runner: m.id === "referee" ? judge : model, locality: "local" }),
      signal: new AbortController().signal,
    });
    const records = readLog(dir).filter((e): e is CallRecord => e.type === "call");
    expect(records.filter((r) => r.warmup).every((r) => r.scores.length === 0)).toBe(true);
    expect(records.filter((r) => !r.warmup).map((r) => r.scores[0]?.score)).toEqual([1, 1, 1]);
    expect(judge.requests).toHaveLength(3);
    expect(judge.requests.every((r) => r.temperature === 0 && r.seed === 0 && !r.stream)).toBe(true);
    expect([judge.started, judge.stopped]).toEqual([1, 1]);
  });

  it("an interrupt while judging leaves the call for --resume", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-engine-judges-"));
    const stop = new AbortController();
    const model = new ScriptedRunner((req) => ({ kind: "ok", text: req.prompt }));
    // The judge answers the first call, then hangs; the user interrupts meanwhile.
    const judge = new ScriptedRunner((_req, n) => {
      if (n === 2) setTimeout(() => stop.abort(new Error("interrupted")), 20);
      return n === 1 ? { kind: "ok", text: '{"reasoning": "ok", "score": 3}' } : { kind: "hang" };
    });
    const result = await runSuite({
      suite: judgedSuite(0),
      runDir: dir,
      prepareModel: (m) => ({ runner: m.id === "referee" ? judge : model, locality: "local" }),
      signal: stop.signal,
    });
    expect(result.status).toBe("interrupted");
    const records = readLog(dir).filter((e): e is CallRecord => e.type === "call");
    expect(records.map((r) => [r.case_id, r.scores[0]?.score])).toEqual([["1", 0.5]]);
  });
});
