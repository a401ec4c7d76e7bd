/**
 * The sweep's own policy with a scripted runner: request counts, warm-up, prompt cycling,
 * in-flight caps, stop rules, the log and load.json. Backend behaviour under load is tested
 * against a real llama-server in load-llamacpp.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CallError } from "../../src/core/errors.ts";
import type { LoadCallEvent } from "../../src/core/records.ts";
import type { Runner } from "../../src/core/runner.ts";
import { poissonArrivals, stepSeed } from "../../src/load/arrivals.ts";
import { resolveLoad } from "../../src/load/config.ts";
import { summarizeLoadRun } from "../../src/load/summary.ts";
import { runLoad } from "../../src/load/sweep.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

const cases = ["a", "b", "c", "d"].map((x, i) => ({ id: String(i + 1), prompt: x }));
const freshDir = () => mkdtempSync(join(tmpdir(), "opbench-load-"));

function readEvents(dir: string): { type: string; [key: string]: unknown }[] {
  return readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
}
const loadCalls = (dir: string) =>
  readEvents(dir).filter((e) => e.type === "load_call") as unknown as LoadCallEvent[];

async function sweep(
  runner: Runner,
  flags: Parameters<typeof resolveLoad>[1],
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
) {
  const suite = tinySuite({
    cases,
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  });
  const runDir = freshDir();
  const result = await runLoad({
    suite,
    model: suite.models[0]!,
    load: resolveLoad(undefined, flags),
    runDir,
    prepareModel: () => ({ runner, locality: "local" }),
    signal: options.signal ?? new AbortController().signal,
  });
  return { result, runDir };
}

describe("closed-loop sweep", () => {
  it("sends warm-up plus measured requests per level, cycling the cases, with N in flight", async () => {
    const runner = new ScriptedRunner((req) => ({
      kind: "ok",
      text: `${req.prompt}xyz`,
      chunks: 3,
      outputTokens: 4,
    }));
    const { result, runDir } = await sweep(runner, { concurrency: "1,3", requests: 6, warmup: 2 });
    expect(result.status).toBe("completed");
    // No retries and no extra calls: exactly (2 warm-up + 6) per step.
    expect(runner.requests).toHaveLength(16);
    expect(runner.requests.slice(0, 8).map((r) => r.prompt)).toEqual([
      "a",
      "b",
      "c",
      "d",
      "a",
      "b",
      "c",
      "d",
    ]);
    const calls = loadCalls(runDir);
    for (const step of [0, 1]) {
      const ofStep = calls.filter((c) => c.step === step);
      expect(ofStep.map((c) => c.seq).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(
        ofStep
          .filter((c) => c.call.warmup)
          .map((c) => c.seq)
          .sort(),
      ).toEqual([0, 1]);
      for (const c of ofStep) {
        expect(c.dispatch_delay_ms).toBeGreaterThanOrEqual(0);
        expect(c.done_ms).toBeGreaterThanOrEqual(c.sent_ms!);
        expect(c.call.item).toBe(`m|load|${step}|${c.seq}`);
      }
    }
    const summary = result.summary!;
    expect(
      summary.steps.map((s) => [s.concurrency, s.requests.succeeded, s.requests.warmup, s.peak_in_flight]),
    ).toEqual([
      [1, 6, 2, 1],
      [3, 6, 2, 3],
    ]);
    expect(summary.steps[0]!.output_tokens_total).toBe(24);
    expect(summary.stopped).toBe("levels_done");
    expect(summary.max_goodput_throughput).not.toBeNull();
    // load.json's content, folded as the events were written, is a pure function of the log.
    expect(summary).toEqual(await summarizeLoadRun(runDir));
    expect(
      readEvents(runDir)
        .map((e) => e.type)
        .filter((t) => t !== "load_call"),
    ).toEqual([
      "run_start",
      "model_start",
      "load_start",
      "load_step_start",
      "load_step_end",
      "load_step_start",
      "load_step_end",
      "load_end",
      "run_end",
    ]);
  });

  it("counts failed calls as errors and goodput misses, without retrying them", async () => {
    const runner = new ScriptedRunner((_, n) =>
      n % 3 === 0
        ? { kind: "fail", error: new CallError("http_5xx", "HTTP 503: overloaded") }
        : { kind: "ok", text: "x" },
    );
    const { result } = await sweep(runner, { concurrency: "2", requests: 9 });
    const step = result.summary!.steps[0]!;
    expect(runner.requests).toHaveLength(9);
    expect(step.requests).toMatchObject({ offered: 9, succeeded: 6, failed: 3 });
    expect(step.errors.by_class).toEqual({ http_5xx: 3 });
    expect(step.goodput.fraction).toBeCloseTo(6 / 9, 12);
  });

  it("stops an automatic sweep when every call of a step failed", async () => {
    const runner = new ScriptedRunner(() => ({ kind: "fail", error: new CallError("network", "refused") }));
    const { result } = await sweep(runner, { requests: 3 });
    expect(result.status).toBe("completed");
    expect(result.summary!.steps.map((s) => s.concurrency)).toEqual([1]);
    expect(result.summary!.stopped).toBe("all_failed");
    expect(result.summary!.max_goodput_throughput).toBeNull();
  });

  it("records a model that does not start, and writes no load.json", async () => {
    const runner: Runner = {
      startup: async () => {
        throw new Error("llama-server not found");
      },
      generate: () => {
        throw new Error("never called");
      },
    };
    const { result, runDir } = await sweep(runner, { requests: 1 });
    expect(result).toMatchObject({ status: "failed", error: "llama-server not found", summary: null });
    const events = readEvents(runDir);
    expect(events.find((e) => e.type === "model_start")).toMatchObject({ error: "llama-server not found" });
    expect(events.at(-1)).toMatchObject({ type: "run_end", status: "failed" });
    expect(existsSync(join(runDir, "load.json"))).toBe(false);
  });

  it("ends interrupted on abort, leaving cancelled calls out of the results", async () => {
    const runner = new ScriptedRunner(() => ({ kind: "hang" }));
    const interrupt = new AbortController();
    const pending = sweep(runner, { concurrency: "2,4", requests: 10 }, { signal: interrupt.signal });
    while (runner.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    interrupt.abort(new CallError("aborted", "interrupted by the user"));
    const { result, runDir } = await pending;
    expect(result.status).toBe("interrupted");
    expect(result.summary!.steps).toHaveLength(1);
    expect(result.summary!.steps[0]).toMatchObject({ status: "interrupted", requests: { offered: 0 } });
    expect(result.summary!.stopped).toBe("interrupted");
    expect(loadCalls(runDir)).toHaveLength(0);
  });
});

describe("open-loop step", () => {
  it("sends at the seeded Poisson times and counts arrivals beyond max_in_flight as not sent", async () => {
    // Calls hang until their 2 s timeout: the first two fill the cap, the other 18 arrive meanwhile.
    const runner = new ScriptedRunner(() => ({ kind: "hang" }));
    const { result, runDir } = await sweep(
      runner,
      { rates: "1000", requests: 20, maxInFlight: 2 },
      { timeoutMs: 2000 },
    );
    const step = result.summary!.steps[0]!;
    expect(step.rate_per_s).toBe(1000);
    expect(step.requests).toMatchObject({ offered: 20, succeeded: 0, failed: 2, not_dispatched: 18 });
    expect(step.errors.by_class).toEqual({ timeout: 2 });
    expect(step.goodput).toMatchObject({ met: 0, offered: 20, fraction: 0 });
    expect(step.peak_in_flight).toBe(2);
    const schedule = [...take(poissonArrivals(1000, stepSeed(1, 0)), 2)];
    const calls = loadCalls(runDir).sort((a, b) => a.seq - b.seq);
    expect(calls.map((c) => c.seq)).toEqual([0, 1]);
    calls.forEach((c, i) => {
      expect(c.intended_ms).toBeCloseTo(schedule[i]!, 3);
      expect(c.dispatch_delay_ms).toBeGreaterThanOrEqual(0);
      expect(c.sent_ms).toBeCloseTo(c.intended_ms + c.dispatch_delay_ms!, 2); // each rounded to µs
    });
  });
});

function* take<T>(items: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const item of items) {
    yield item;
    if (++i >= n) return;
  }
}
