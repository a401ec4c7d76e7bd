import { describe, expect, it } from "vitest";
import type { LogEvent, RunStartEvent } from "../../src/core/records.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";
import {
  build,
  call,
  description,
  localEnergy as energy,
  failedCall,
  start,
} from "../helpers/summary-log.ts";

describe("summary: cost, energy and savings from the log", () => {
  const wrong = {
    scores: [
      { scorer: "exact", score: 0, reason: "" },
      { scorer: "valid", score: 1, reason: "" },
    ],
  };
  const events: LogEvent[] = [
    start,
    {
      v: 1,
      type: "model_start",
      model: "local",
      runner: "llamacpp",
      at: start.started_at,
      backend: { device: "cpu" },
    },
    call("local", 0),
    call("local", 1),
    call("local", 2, wrong),
    call("local", 3),
    energy,
    ...[0, 1, 2, 3].map((i) =>
      call("api", i, { cost_usd: 0.01, energy_j: 1000, energy_source: "published-estimate" }),
    ),
    { v: 1, type: "run_end", at: "2026-11-23T10:00:20.000Z", status: "completed" },
  ];
  const summary = build(events);
  const local = summary.results.find((r) => r.model === "local")!;
  const api = summary.results.find((r) => r.model === "api")!;

  it("prices API calls from their records and says the source", () => {
    expect(api.cost).toMatchObject({ source: "api", unknown_calls: 0 });
    expect(api.cost.total_usd).toBeCloseTo(0.04, 12);
    expect(api.cost.per_1k_calls_usd).toBeCloseTo(10, 9);
    expect(api.cost.per_correct_usd).toBeCloseTo(0.01, 12); // 4 correct
    expect(api.energy).toMatchObject({ source: "published-estimate", total_j: 4000 });
    expect(api.energy.per_output_token_j).toBeCloseTo(100, 9); // 4000 J / 40 tokens
  });

  it("gives local calls their share of the energy window and prices it as an estimate", () => {
    expect(local.energy).toMatchObject({ source: "measured-cpu", total_j: 400, net_total_j: 300 });
    expect(local.energy.total_wh).toBeCloseTo(400 / 3600, 12);
    expect(local.energy.per_correct_j).toBeCloseTo(400 / 3, 9);
    // Hand-checked: 400 J = 1.111e-4 kWh × $0.2 = $2.222e-5; 2 s busy × $3.6/h = $0.002.
    expect(local.cost.source).toBe("local-estimate");
    expect(local.cost.local).toMatchObject({ mode: "full", estimate: true });
    expect(local.cost.local!.electricity_usd).toBeCloseTo((400 / 3.6e6) * 0.2, 12);
    expect(local.cost.local!.hardware_usd).toBeCloseTo(0.002, 12);
    expect(local.cost.total_usd).toBeCloseTo(0.002 + (400 / 3.6e6) * 0.2, 12);
    expect(summary.models.find((m) => m.model === "local")?.energy).toMatchObject({
      method: "rapl",
      idle_w: 30,
      busy_ms: 2000,
    });
    expect(summary.prices?.version).toBe("0.1.8");
  });

  it("compares the local candidate with the API baseline: accuracy retained, cost and energy ratios", () => {
    expect(summary.savings).toHaveLength(1);
    const s = summary.savings[0]!;
    expect(s).toMatchObject({ candidate: "local", baseline: "api", task: "t", scorer: "exact", auto: true });
    expect(s.comparison.accuracy_retained).toBeCloseTo(0.75, 12);
    const localPerCall = (0.002 + (400 / 3.6e6) * 0.2) / 4;
    expect(s.comparison.cost_ratio).toBeCloseTo(0.01 / localPerCall, 6);
    expect(s.comparison.energy_ratio).toBeCloseTo(1000 / 100, 9);
    // Cascade on the task's validity scorer: every candidate answer was valid, nothing escalates.
    expect(s.cascade.escalated_fraction).toBe(0);
    expect(s.cascade.accuracy).toBeCloseTo(0.75, 12);
  });

  it("rolls each model up over its tasks: calls, latency, cost, energy", () => {
    const byModel = summary.by_model.find((m) => m.model === "local")!;
    expect(byModel).toMatchObject({ task: null, calls: 4, succeeded: 4, accuracy: [] });
    expect(byModel.latency.e2e_ms).toMatchObject({ n: 4, p50: 500 });
    expect(byModel.energy.total_j).toBe(400);
    const twoTasks = build([
      start,
      call("api", 0, { e2e_ms: 100 }),
      call("api", 1, { e2e_ms: 300, task: "u", item: "api|u|0|2" }),
    ]);
    expect(twoTasks.by_model[0]!.latency.e2e_ms).toMatchObject({ n: 2, min: 100, max: 300, p50: 200 });
  });

  it("one-call-per-case accuracy (running moments) equals the per-case computation, with failures, a retraction and clusters", () => {
    const calls: LogEvent[] = [];
    for (let i = 0; i < 40; i++) {
      const score = (i * 7) % 3 === 0 ? 0 : 1;
      const cluster = i % 4 === 0 ? null : `g${i % 5}`;
      const failed = i % 9 === 0;
      calls.push(
        call("api", i, {
          item: `api|t|0|${i + 1}`,
          cluster,
          ok: !failed,
          error: failed ? { class: "http_5xx", message: "x", status: 500 } : null,
          scores: failed
            ? []
            : [
                { scorer: "exact", score, reason: "" },
                { scorer: "valid", score: 1, reason: "" },
              ],
        }),
      );
    }
    // Item 10 failed, then a resumed segment made it good: the failure is taken back.
    calls.push({ ...start, resumed: true }, call("api", 9, { item: "api|t|0|10", cluster: "g4" }));
    const withRepeats = (repeats: number): RunStartEvent => ({
      ...start,
      suite: { ...start.suite, resolved: { ...description, repeats } },
    });
    const perCall = build([withRepeats(1), ...calls]).results[0]!;
    const perCase = build([withRepeats(2), ...calls]).results[0]!;
    expect(perCall.failed).toBe(4);
    expect(perCall.accuracy.map((a) => a.method)).toEqual(["clustered", "clustered"]);
    for (const [a, b] of perCall.accuracy.map((a, i) => [a, perCase.accuracy[i]!] as const)) {
      expect(a).toMatchObject({
        scorer: b.scorer,
        n: b.n,
        clusters: b.clusters,
        failed_calls_scored_zero: 4,
      });
      expect(a.mean).toBeCloseTo(b.mean, 12);
      expect(a.se!).toBeCloseTo(b.se!, 12);
    }
    expect(perCall.correct).toBe(perCase.correct);
  });

  it("makes an API total unknown, not zero, when a call has no price", () => {
    const unknown = build([start, call("api", 0, { cost_usd: null }), call("api", 1, { cost_usd: 0.01 })]);
    const r = unknown.results[0]!;
    expect(r.cost).toMatchObject({ total_usd: null, per_call_usd: null, unknown_calls: 1 });
  });
});

describe("summary: a model × task whose every call failed", () => {
  const modelStart = (model: string, error?: string): LogEvent => ({
    v: 1,
    type: "model_start",
    model,
    runner: model === "local" ? "llamacpp" : "openai",
    at: start.started_at,
    backend: error ? null : { device: "cpu" },
    ...(error !== undefined && { error }),
  });
  const withRepeats = (repeats: number): RunStartEvent => ({
    ...start,
    suite: { ...start.suite, resolved: { ...description, repeats } },
  });
  const apiCalls = [0, 1, 2, 3].map((i) =>
    call("api", i, {
      cost_usd: 0.01,
      scores: [
        { scorer: "exact", score: i === 3 ? 0 : 1, reason: "" },
        { scorer: "valid", score: 1, reason: "" },
      ],
    }),
  );
  const allFailed = (repeats: number) =>
    build([
      withRepeats(repeats),
      modelStart("local"),
      ...[0, 1, 2, 3].map((i) => failedCall("local", i)),
      modelStart("api"),
      ...apiCalls,
    ]);

  // Both accuracy stores: running moments (repeats 1) and per-case columns (repeats > 1).
  it.each([1, 2])("scores every scorer 0 with failed_calls_scored_zero (repeats %i)", (repeats) => {
    const local = allFailed(repeats).results.find((r) => r.model === "local")!;
    expect(local).toMatchObject({ calls: 4, succeeded: 0, failed: 4, correct: 0 });
    expect(local.accuracy).toEqual([
      expect.objectContaining({ scorer: "exact", n: 4, mean: 0, lower: 0, method: "wilson" }),
      expect.objectContaining({ scorer: "valid", n: 4, mean: 0, lower: 0, method: "wilson" }),
    ]);
    for (const a of local.accuracy) {
      expect(a).toMatchObject({ failed_calls_scored_zero: 4, unscored_calls: 0 });
      expect(a.upper).toBeGreaterThan(0); // 0 of 4 right does not prove the model never answers
    }
    // No correct answer: nothing per correct answer (unknown, not 0 and not infinite).
    expect(local.cost.per_correct_usd).toBeNull();
  });

  it("says 0% in the savings too: the candidate keeps 0% of the baseline's accuracy", () => {
    const s = allFailed(1).savings[0]!;
    expect(s.comparison.candidate.accuracy).toBe(0);
    expect(s.comparison.accuracy_retained).toBe(0);
    expect(s.comparison.candidate.failed_calls_scored_zero).toBe(4);
    expect(s.comparison.baseline.failed_calls_scored_zero).toBe(0);
    expect(savingsLine(s)).toMatch(
      /^local vs api on t: keeps 0\.0% (\[[^\]]+\] )?of api's accuracy \(exact; local failed 4 of 4 calls, scored 0\), /,
    );
    // Every failed candidate call escalates: the cascade is the baseline alone.
    expect(s.cascade.escalated_fraction).toBe(1);
    expect(s.cascade.accuracy).toBeCloseTo(0.75, 12);
  });

  it("keeps a model that never started out of the accuracy: nothing was attempted, its start error says why", () => {
    const summary = build([
      withRepeats(1),
      modelStart("local", "connect ECONNREFUSED"),
      modelStart("api"),
      ...apiCalls,
    ]);
    expect(summary.results.map((r) => r.model)).toEqual(["api"]);
    expect(summary.by_model.map((r) => r.model)).toEqual(["api"]);
    expect(summary.models.find((m) => m.model === "local")?.error).toBe("connect ECONNREFUSED");
    expect(summary.savings).toEqual([]);
  });

  it("still scores a failed call 0 beside succeeded ones (the mix)", () => {
    const summary = build([
      withRepeats(2),
      failedCall("local", 0),
      call("local", 1),
      call("local", 2, { scores: [{ scorer: "exact", score: 0, reason: "" }] }),
      call("local", 3),
    ]);
    const exact = summary.results[0]!.accuracy[0]!;
    expect(exact).toMatchObject({ scorer: "exact", n: 4, mean: 0.5, failed_calls_scored_zero: 1 });
  });
});

describe("summary: a model's energy in several windows (a resumed run's segments, a merged run's shards)", () => {
  const window = (cases: number[], at: string) => ({
    ...energy,
    at,
    busy_ms: 1000,
    gross_j: 210,
    net_j: 150,
    calls: energy.calls.filter((_, i) => cases.includes(i)),
  });
  const summary = build([
    start,
    call("local", 0),
    call("local", 1),
    window([0, 1], "2026-11-23T10:00:05.000Z"),
    call("local", 2),
    call("local", 3),
    window([2, 3], "2026-11-23T10:00:10.000Z"),
    ...[0, 1, 2, 3].map((i) =>
      call("api", i, { cost_usd: 0.01, energy_j: 1000, energy_source: "published-estimate" }),
    ),
    { v: 1, type: "run_end", at: "2026-11-23T10:00:20.000Z", status: "completed" },
  ]);

  it("adds every window's calls and busy time to the savings, as one window of them all would", () => {
    const s = summary.savings[0]!;
    expect(s.comparison.energy_ratio).toBeCloseTo(1000 / 100, 9);
    const localPerCall = (0.002 + (400 / 3.6e6) * 0.2) / 4;
    expect(s.comparison.cost_ratio).toBeCloseTo(0.01 / localPerCall, 6);
    expect(summary.results.find((r) => r.model === "local")!.energy.total_j).toBe(400);
  });
});
