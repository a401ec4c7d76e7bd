import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import { CostBudget } from "../../src/engine/budget.ts";
import { RateLimiter } from "../../src/engine/rate-limiter.ts";
import { readResumeState } from "../../src/engine/resume.ts";
import { runSuite } from "../../src/engine/run.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

const cases = Array.from({ length: 10 }, (_, i) => ({ id: String(i + 1), prompt: `p${i}`, expected: "x" }));
const readLog = (dir: string) =>
  readFileSync(join(dir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as LogEvent);
const calls = (dir: string) => readLog(dir).filter((e): e is CallRecord => e.type === "call");

describe("rate limiter", () => {
  it("lets a burst of 6 seconds' worth through, then spaces requests at the rpm rate", async () => {
    // 60 rpm = 1 per second, burst capacity 6.
    const limiter = new RateLimiter({ rpm: 60 }, 0);
    const waits = [];
    // Drive the buckets with an explicit clock: take() is what acquire() sleeps on.
    const bucket = (limiter as unknown as { requests: { take(n: number, now: number): number } }).requests;
    for (let i = 0; i < 8; i++) waits.push(Math.round(bucket.take(1, 0)));
    expect(waits).toEqual([0, 0, 0, 0, 0, 0, 1000, 2000]);
    // Two seconds later two more requests' worth have refilled.
    expect(Math.round(bucket.take(1, 3000))).toBe(0);
  });

  it("limits tokens per minute by the request's size, capped at the bucket", () => {
    const limiter = new RateLimiter({ tpm: 6000 }, 0); // 100 tokens/s, capacity 600
    const bucket = (limiter as unknown as { tokens: { take(n: number, now: number): number } }).tokens;
    expect(bucket.take(500, 0)).toBe(0);
    expect(Math.round(bucket.take(300, 0))).toBe(2000); // 200 short at 100/s
    expect(new RateLimiter({}).active).toBe(false);
  });

  it("records the wait apart from latency when the engine throttles a model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-limits-"));
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: "x" }));
    await runSuite({
      suite: tinySuite({ cases: cases.slice(0, 4), concurrency: 4 }),
      runDir: dir,
      prepareModel: () => ({ runner, locality: "api", limits: { rpm: 30 } }), // capacity 3, then one per 2 s
      signal: new AbortController().signal,
    });
    const waits = calls(dir).map((r) => r.rate_wait_ms!);
    expect(waits.filter((w) => w === 0)).toHaveLength(3);
    const throttled = waits.find((w) => w > 0)!;
    expect(throttled).toBeGreaterThan(1500);
    const record = calls(dir).find((r) => r.rate_wait_ms === throttled)!;
    expect(record.e2e_ms!).toBeLessThan(500); // the wait is not latency
  }, 10_000);
});

describe("--max-cost budget", () => {
  it("reserves estimates in flight, settles at the real cost, and refuses what would pass the limit", async () => {
    const budget = new CostBudget(1.0, 0.2);
    const first = await budget.reserve(0.5); // 0.2 spent + 0.5 in flight
    expect(first?.heldUsd).toBe(0.5);
    expect(await budget.reserve(0.9)).toBeUndefined(); // 0.2 + 0.9 > 1 even once the call settles
    expect(budget.exhausted).toBe(true);
    first!.settle(0.1);
    expect(budget.spentUsd).toBeCloseTo(0.3, 10);
    expect(await budget.reserve(0.01)).toBeUndefined(); // once exhausted, stays stopped
    expect(() => new CostBudget(Number.NaN)).toThrow("--max-cost must be a number of USD ≥ 0");
  });

  it("waits for calls in flight to settle when they hold the room, instead of stopping", async () => {
    const budget = new CostBudget(1.0);
    const first = (await budget.reserve(0.6))!;
    let second: Awaited<ReturnType<CostBudget["reserve"]>> | "waiting" = "waiting";
    const pending = budget.reserve(0.6).then((r) => {
      second = r;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe("waiting"); // 0.6 + 0.6 > 1 while the first is in flight
    expect(budget.exhausted).toBe(false);
    first.settle(0.1); // cost far below its worst case: room for the second
    await pending;
    expect((second as unknown as { heldUsd: number }).heldUsd).toBe(0.6);
    expect(budget.exhausted).toBe(false);
  });

  it("stops waiting for room, without marking the budget exhausted, when the run is interrupted", async () => {
    const budget = new CostBudget(1.0);
    await budget.reserve(0.6);
    const interrupt = new AbortController();
    const waiting = budget.reserve(0.6, interrupt.signal);
    interrupt.abort();
    expect(await waiting).toBeUndefined();
    expect(budget.exhausted).toBe(false);
  });

  it("grows a reservation only within the limit, and settles an unknown cost at what it holds", async () => {
    const budget = new CostBudget(1.0);
    const a = (await budget.reserve(0.3))!;
    const b = (await budget.reserve(0.3))!;
    expect(a.grow(0.6)).toBe(true); // 0.6 + 0.3 ≤ 1
    expect(a.grow(0.8)).toBe(false); // 0.8 + 0.3 > 1
    expect(a.heldUsd).toBe(0.6);
    a.settle(null);
    b.settle(0.05);
    expect(budget.spentUsd).toBeCloseTo(0.65, 10);
  });

  it("stops starting calls before the limit, records why, and --resume counts what was spent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-budget-"));
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: "x" }));
    const services = {
      runner,
      locality: "api" as const,
      estimateCostUsd: () => 0.1,
      priceCall: () => ({ cost_usd: 0.08 }),
    };
    const result = await runSuite({
      suite: tinySuite({ cases }),
      runDir: dir,
      prepareModel: () => services,
      signal: new AbortController().signal,
      budget: new CostBudget(0.45),
    });
    expect(result.status).toBe("budget_reached");
    // One call at a time: after k calls 0.08·k is spent; the next starts while 0.08·k + 0.1 ≤ 0.45, so k = 0..4.
    expect(calls(dir)).toHaveLength(5);
    for (const r of calls(dir)) expect(r.cost_usd).toBe(0.08);
    expect(readLog(dir).at(-1)).toMatchObject({ type: "run_end", status: "budget_reached" });
    const state = await readResumeState(dir);
    expect(state.spentUsd).toBeCloseTo(0.4, 10);
  });
});
