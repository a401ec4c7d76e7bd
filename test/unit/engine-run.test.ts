import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CallError } from "../../src/core/errors.ts";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { readResumeState } from "../../src/engine/resume.ts";
import { runSuite } from "../../src/engine/run.ts";
import { summarizeRun } from "../../src/metrics/summary-file.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

const cases = ["a", "b", "c", "d"].map((x, i) => ({
  id: String(i + 1),
  prompt: x,
  expected: x.toUpperCase(),
}));

function readLog(dir: string): LogEvent[] {
  return readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent);
}
const calls = (dir: string) => readLog(dir).filter((e): e is CallRecord => e.type === "call");
const freshDir = () => mkdtempSync(join(tmpdir(), "opbench-engine-"));
const upper = new ScriptedRunner((req) => ({ kind: "ok", text: req.prompt.toUpperCase(), chunks: 1 }));

describe("engine", () => {
  it("writes one record per call with timing, scores and the run's start and end", async () => {
    const dir = freshDir();
    const runner = new ScriptedRunner((req) => ({
      kind: "ok",
      text: `${req.prompt.toUpperCase()}xy`,
      chunks: 3,
    }));
    const result = await runSuite({
      suite: tinySuite({ cases }),
      runDir: dir,
      prepareModel: () => ({ runner: runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    expect(result.status).toBe("completed");
    const log = readLog(dir);
    expect(log[0]?.type).toBe("run_start");
    expect(log[1]?.type).toBe("model_start");
    expect(log.at(-1)).toMatchObject({ type: "run_end", status: "completed" });
    const records = calls(dir);
    expect(records.map((r) => r.case_id)).toEqual(["1", "2", "3", "4"]);
    for (const r of records) {
      expect(r.ok).toBe(true);
      expect(r.ttft_ms).toBeGreaterThan(0);
      expect(r.e2e_ms).toBeGreaterThanOrEqual(r.ttft_ms!);
      expect(r.chunk_gaps_ms).toHaveLength(2);
      expect(r.output_tokens).toBe(3);
      expect(r.tpot_ms).toBeCloseTo((r.e2e_ms! - r.ttft_ms!) / 2, 2);
      expect(r.scores).toEqual([{ scorer: "exact", score: 0, reason: "mismatch" }]);
    }
    expect(runner.started).toBe(1);
    expect(runner.stopped).toBe(1);
  });

  it("retries 429 after the server's Retry-After, each attempt its own record, latency not inflated", async () => {
    const dir = freshDir();
    const runner = new ScriptedRunner((req, n) =>
      n === 1
        ? { kind: "fail", error: new CallError("http_429", "slow down", { status: 429, retryAfterMs: 30 }) }
        : { kind: "ok", text: req.prompt.toUpperCase() },
    );
    await runSuite({
      suite: tinySuite({ cases: cases.slice(0, 1) }),
      runDir: dir,
      prepareModel: () => ({ runner: runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    const [first, second] = calls(dir);
    expect(first).toMatchObject({
      attempt: 1,
      ok: false,
      will_retry: true,
      error: { class: "http_429", status: 429 },
    });
    expect(second).toMatchObject({ attempt: 2, ok: true, will_retry: false, backoff_ms: 30 });
    expect(second!.item).toBe(first!.item);
    expect(second!.e2e_ms!).toBeLessThan(30); // the 30 ms wait is backoff, not latency
    const summary = await summarizeRun(dir);
    expect(summary.results[0]).toMatchObject({ calls: 1, succeeded: 1, failed: 0, retries: 1 });
  });

  it("does not retry a 4xx; the failure is recorded, counted, and scores 0 in accuracy", async () => {
    const dir = freshDir();
    const runner = new ScriptedRunner((req) =>
      req.prompt === "b"
        ? { kind: "fail", error: new CallError("http_4xx", "bad request", { status: 400 }) }
        : { kind: "ok", text: req.prompt.toUpperCase() },
    );
    await runSuite({
      suite: tinySuite({ cases }),
      runDir: dir,
      prepareModel: () => ({ runner: runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    expect(calls(dir)).toHaveLength(4);
    const summary = await summarizeRun(dir);
    const r = summary.results[0]!;
    expect(r).toMatchObject({ calls: 4, succeeded: 3, failed: 1, errors_by_class: { http_4xx: 1 } });
    expect(r.accuracy[0]).toMatchObject({ scorer: "exact", n: 4, mean: 0.75, failed_calls_scored_zero: 1 });
  });

  it("gives up after the last attempt, and times out a call that never ends", async () => {
    const dir = freshDir();
    const runner = new ScriptedRunner((req) =>
      req.prompt === "a"
        ? { kind: "fail", error: new CallError("http_5xx", "boom", { status: 503 }) }
        : { kind: "hang" },
    );
    await runSuite({
      suite: tinySuite({ cases: cases.slice(0, 2), attempts: 3, timeoutMs: 50 }),
      runDir: dir,
      prepareModel: () => ({ runner: runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    const records = calls(dir);
    expect(records.filter((r) => r.case_id === "1").map((r) => [r.attempt, r.will_retry])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    const timedOut = records.filter((r) => r.case_id === "2");
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]!.error?.class).toBe("timeout");
  });

  it("keeps at most `concurrency` calls in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: "x", chunks: 1 }));
    const generate = runner.generate.bind(runner);
    runner.generate = async function* (request) {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        yield* generate(request);
      } finally {
        inFlight--;
      }
    };
    const many = Array.from({ length: 20 }, (_, i) => ({ id: String(i), prompt: "x", expected: "x" }));
    await runSuite({
      suite: tinySuite({ cases: many, concurrency: 3 }),
      runDir: freshDir(),
      prepareModel: () => ({ runner: runner, locality: "local" }),
      signal: new AbortController().signal,
    });
    expect(peak).toBe(3);
  });

  it("records warm-up calls but leaves them out of the statistics", async () => {
    const dir = freshDir();
    await runSuite({
      suite: tinySuite({ cases, warmup: 2 }),
      runDir: dir,
      prepareModel: () => ({ runner: upper, locality: "local" }),
      signal: new AbortController().signal,
    });
    const records = calls(dir);
    expect(records.filter((r) => r.warmup)).toHaveLength(2);
    const summary = await summarizeRun(dir);
    expect(summary.warmup_calls).toBe(2);
    expect(summary.results[0]).toMatchObject({ calls: 4, succeeded: 4 });
    expect(summary.results[0]!.accuracy[0]!.mean).toBe(1);
  });

  it("stops on interrupt with records on disk, and --resume finishes without duplicates", async () => {
    const dir = freshDir();
    const interrupt = new AbortController();
    const slow = new ScriptedRunner((req, n) => {
      if (n === 2) setTimeout(() => interrupt.abort(new CallError("aborted", "interrupted by the user")), 0);
      return n >= 2 ? { kind: "hang" } : { kind: "ok", text: req.prompt.toUpperCase() };
    });
    const first = await runSuite({
      suite: tinySuite({ cases }),
      runDir: dir,
      prepareModel: () => ({ runner: slow, locality: "local" }),
      signal: interrupt.signal,
    });
    expect(first.status).toBe("interrupted");
    expect(calls(dir).map((r) => r.case_id)).toEqual(["1"]); // the interrupted call is not a failure
    expect(readLog(dir).at(-1)).toMatchObject({ type: "run_end", status: "interrupted" });

    const state = await readResumeState(dir);
    expect([...state.done]).toEqual(["m|t|0|1"]);
    const fresh = new ScriptedRunner((req) => ({ kind: "ok", text: req.prompt.toUpperCase() }));
    await runSuite({
      suite: tinySuite({ cases }),
      runDir: dir,
      prepareModel: () => ({ runner: fresh, locality: "local" }),
      signal: new AbortController().signal,
      resume: state,
    });
    expect(fresh.requests.map((r) => r.prompt)).toEqual(["b", "c", "d"]);
    const okItems = calls(dir)
      .filter((r) => r.ok)
      .map((r) => r.item);
    expect(new Set(okItems).size).toBe(okItems.length);
    expect(okItems).toHaveLength(4);
    const summary = await summarizeRun(dir);
    expect(summary.run).toMatchObject({ status: "completed", segments: 2 });
    expect(summary.results[0]).toMatchObject({ calls: 4, succeeded: 4, failed: 0 });
  });

  it("retries failed items on --resume, continuing attempt numbers, and the summary takes the failure back", async () => {
    const dir = freshDir();
    const down = new ScriptedRunner((req) =>
      req.prompt === "c"
        ? { kind: "fail", error: new CallError("network", "connection refused") }
        : { kind: "ok", text: req.prompt.toUpperCase() },
    );
    await runSuite({
      suite: tinySuite({ cases, attempts: 2 }),
      runDir: dir,
      prepareModel: () => ({ runner: down, locality: "local" }),
      signal: new AbortController().signal,
    });
    let summary = await summarizeRun(dir);
    expect(summary.results[0]).toMatchObject({ succeeded: 3, failed: 1 });

    const state = await readResumeState(dir);
    expect(state.attemptsMade.get("m|t|0|3")).toBe(2);
    await runSuite({
      suite: tinySuite({ cases, attempts: 2 }),
      runDir: dir,
      prepareModel: () => ({ runner: upper, locality: "local" }),
      signal: new AbortController().signal,
      resume: state,
    });
    const retried = calls(dir).filter((r) => r.case_id === "3");
    expect(retried.map((r) => [r.attempt, r.ok])).toEqual([
      [1, false],
      [2, false],
      [3, true],
    ]);
    summary = await summarizeRun(dir);
    expect(summary.results[0]).toMatchObject({ calls: 4, succeeded: 4, failed: 0, errors_by_class: {} });
    expect(summary.results[0]!.accuracy[0]!.mean).toBe(1);
  });

  it("averages repeats per case: the case, not the call, is the unit of accuracy", async () => {
    const dir = freshDir();
    // Case "a" is right on the first repeat only; the others always right.
    const flaky = new ScriptedRunner((req, n) => ({
      kind: "ok",
      text: req.prompt === "a" && n > 4 ? "no" : req.prompt.toUpperCase(),
    }));
    await runSuite({
      suite: tinySuite({ cases, repeats: 2 }),
      runDir: dir,
      prepareModel: () => ({ runner: flaky, locality: "local" }),
      signal: new AbortController().signal,
    });
    const summary = await summarizeRun(dir);
    const acc = summary.results[0]!.accuracy[0]!;
    expect(acc.n).toBe(4);
    expect(acc.mean).toBeCloseTo((0.5 + 1 + 1 + 1) / 4, 10);
    expect(acc.method).toBe("mean-se");
  });
});
