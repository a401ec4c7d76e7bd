import { describe, expect, it } from "vitest";
import type { CallRecord } from "../../src/core/records.ts";
import { compareModels } from "../../src/savings/compare.ts";
import { type CaseOutcome, CaseOutcomeBuilder, type Trial } from "../../src/savings/outcomes.ts";

function trial(partial: Partial<Trial>): Trial {
  return {
    score: null,
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    e2e_ms: null,
    ttft_ms: null,
    failed: false,
    finish_reason: "stop",
    scores: {},
    ...partial,
  };
}

const one = (caseId: string, t: Partial<Trial>): CaseOutcome => ({ caseId, trials: [trial(t)] });

// Hand-checked table (one repeat per case):
//        baseline (API)                          candidate (local)
// case   score cost   energy e2e  ttft            score cost   energy e2e  ttft
// c1     1     0.010  1000   2000 500             1     0.001  100    500  50
// c2     1     0.010  1000   3000 600             0     0.001  100    1000 100
// c3     1     0.020  2000   4000 700             1     0.002  200    1500 150
// c4     0     0.020  2000   5000 800             0     0.002  200    2000 200
const baseline: CaseOutcome[] = [
  one("c1", {
    score: 1,
    cost_usd: 0.01,
    energy_j: 1000,
    e2e_ms: 2000,
    ttft_ms: 500,
    energy_source: "published-estimate",
  }),
  one("c2", {
    score: 1,
    cost_usd: 0.01,
    energy_j: 1000,
    e2e_ms: 3000,
    ttft_ms: 600,
    energy_source: "published-estimate",
  }),
  one("c3", {
    score: 1,
    cost_usd: 0.02,
    energy_j: 2000,
    e2e_ms: 4000,
    ttft_ms: 700,
    energy_source: "published-estimate",
  }),
  one("c4", {
    score: 0,
    cost_usd: 0.02,
    energy_j: 2000,
    e2e_ms: 5000,
    ttft_ms: 800,
    energy_source: "published-estimate",
  }),
];
const candidate: CaseOutcome[] = [
  one("c1", {
    score: 1,
    cost_usd: 0.001,
    energy_j: 100,
    e2e_ms: 500,
    ttft_ms: 50,
    energy_source: "measured-cpu",
  }),
  one("c2", {
    score: 0,
    cost_usd: 0.001,
    energy_j: 100,
    e2e_ms: 1000,
    ttft_ms: 100,
    energy_source: "measured-cpu",
  }),
  one("c3", {
    score: 1,
    cost_usd: 0.002,
    energy_j: 200,
    e2e_ms: 1500,
    ttft_ms: 150,
    energy_source: "measured-cpu",
  }),
  one("c4", {
    score: 0,
    cost_usd: 0.002,
    energy_j: 200,
    e2e_ms: 2000,
    ttft_ms: 200,
    energy_source: "measured-cpu",
  }),
];

describe("compareModels on the hand-checked table", () => {
  const result = compareModels(candidate, baseline);

  it("compares accuracy paired", () => {
    expect(result.paired_cases).toBe(4);
    expect(result.scored_pairs).toBe(4);
    expect(result.candidate.accuracy).toBe(0.5);
    expect(result.baseline.accuracy).toBe(0.75);
    // d = cand − base = [0, −1, 0, 0]: mean −0.25, sd 0.5, SE 0.25 → −0.25 ± 1.96·0.25
    expect(result.accuracy_diff).toBeCloseTo(-0.25, 12);
    expect(result.accuracy_diff_lower).toBeCloseTo(-0.25 - 1.959963984540054 * 0.25, 9);
    expect(result.accuracy_diff_upper).toBeCloseTo(-0.25 + 1.959963984540054 * 0.25, 9);
    // One discordant case, only the baseline right: p = 2·P(X ≤ 0 | n=1) = 1
    expect(result.mcnemar_p_value).toBe(1);
    // 0.5 / 0.75
    expect(result.accuracy_retained).toBeCloseTo(2 / 3, 12);
    expect(result.accuracy_retained_lower).not.toBeNull();
    expect(result.accuracy_retained_lower!).toBeLessThan(2 / 3);
  });

  it("computes cost, time and energy per call, per correct answer, and their ratios", () => {
    // cost per call 0.06/4 = 0.015 vs 0.006/4 = 0.0015 → 10× cheaper; per correct 0.06/3 vs 0.006/2
    expect(result.baseline.cost_per_call_usd).toBeCloseTo(0.015, 12);
    expect(result.candidate.cost_per_call_usd).toBeCloseTo(0.0015, 12);
    expect(result.cost_ratio).toBeCloseTo(10, 9);
    expect(result.baseline.cost_per_correct_usd).toBeCloseTo(0.02, 12);
    expect(result.candidate.cost_per_correct_usd).toBeCloseTo(0.003, 12);
    // e2e p50: 3500 vs 1250 → 2.8×; TTFT p50: 650 vs 125 → 5.2×
    expect(result.baseline.e2e_p50_ms).toBe(3500);
    expect(result.candidate.e2e_p50_ms).toBe(1250);
    expect(result.e2e_p50_ratio).toBeCloseTo(2.8, 12);
    expect(result.ttft_p50_ratio).toBeCloseTo(5.2, 12);
    // energy 1500 J vs 150 J per call → 10×; per correct 2000 vs 300
    expect(result.energy_ratio).toBeCloseTo(10, 12);
    expect(result.baseline.energy_per_correct_j).toBeCloseTo(2000, 9);
    expect(result.candidate.energy_per_correct_j).toBeCloseTo(300, 9);
    expect(result.candidate.energy_sources).toEqual(["measured-cpu"]);
    expect(result.baseline.energy_sources).toEqual(["published-estimate"]);
  });

  it("projects to a million calls", () => {
    // (0.015 − 0.0015)·1e6 = $13,500; (3500 − 1250) ms·1e6 / 3.6e6 = 625 h; (1500 − 150) J·1e6 / 3.6e6 = 375 kWh
    expect(result.projected_calls).toBe(1_000_000);
    expect(result.projected_savings_usd).toBeCloseTo(13_500, 6);
    expect(result.projected_latency_hours_saved).toBeCloseTo(625, 9);
    expect(result.projected_energy_kwh_saved).toBeCloseTo(375, 9);
    expect(result.notes).toEqual([]);
  });
});

describe("compareModels with gaps", () => {
  it("makes a ratio null, with the reason, when one call's cost is unknown", () => {
    const gappy = candidate.map((c, i) => (i === 0 ? one("c1", { ...c.trials[0]!, cost_usd: null }) : c));
    const result = compareModels(gappy, baseline);
    expect(result.candidate.cost_per_call_usd).toBeNull();
    expect(result.candidate.cost_per_correct_usd).toBeNull();
    expect(result.cost_ratio).toBeNull();
    expect(result.projected_savings_usd).toBeNull();
    expect(result.notes).toContain("candidate: cost unknown for 1 of 4 calls");
    expect(result.notes).toContain("cost ratio: unknown (denominator missing)");
    // Other figures are unaffected.
    expect(result.energy_ratio).toBeCloseTo(10, 12);
  });

  it("compares only the cases both models ran, and averages repeats per case", () => {
    // Candidate ran c1 twice (1, 0) and an extra case; baseline ran c1 and c2.
    const cand: CaseOutcome[] = [
      { caseId: "c1", trials: [trial({ score: 1, e2e_ms: 100 }), trial({ score: 0, e2e_ms: 300 })] },
      one("extra", { score: 1 }),
    ];
    const base: CaseOutcome[] = [one("c1", { score: 1, e2e_ms: 1000 }), one("c2", { score: 1 })];
    const result = compareModels(cand, base);
    expect(result.paired_cases).toBe(1);
    expect(result.candidate.calls).toBe(2);
    expect(result.candidate.accuracy).toBe(0.5);
    expect(result.candidate.e2e_p50_ms).toBe(200);
    expect(result.mcnemar_p_value).toBeNull(); // a 0.5 case score is not 0/1
    expect(result.notes[0]).toBe("compared on the 1 cases both models ran (candidate 2, baseline 2)");
  });

  it("leaves failed calls out of latency but counts them as 0 in accuracy", () => {
    const cand = [one("a", { score: 0, failed: true, e2e_ms: 60_000 }), one("b", { score: 1, e2e_ms: 100 })];
    const base = [one("a", { score: 1, e2e_ms: 1000 }), one("b", { score: 1, e2e_ms: 1000 })];
    const result = compareModels(cand, base);
    expect(result.candidate.accuracy).toBe(0.5);
    expect(result.candidate.e2e_p50_ms).toBe(100);
  });
});

function record(partial: Partial<CallRecord>): CallRecord {
  return {
    v: 1,
    type: "call",
    item: "m|t|c|0",
    attempt: 1,
    model: "m",
    task: "t",
    case_id: "c",
    case_index: 0,
    cluster: null,
    repeat: 0,
    warmup: false,
    started_at: "2026-01-01T00:00:00Z",
    ok: true,
    ttft_ms: 10,
    ttft_reasoning_ms: null,
    e2e_ms: 20,
    chunk_gaps_ms: [],
    tpot_ms: null,
    output_tps: null,
    queue_ms: null,
    input_tokens: 5,
    cached_input_tokens: null,
    cache_write_input_tokens: null,
    output_tokens: 3,
    reasoning_tokens: null,
    tokens_source: "server",
    server: null,
    output: "x",
    reasoning: null,
    finish_reason: "stop",
    response_id: null,
    model_snapshot: null,
    expected: "x",
    scores: [],
    cost_usd: 0.5,
    energy_j: 7,
    energy_source: "measured-cpu",
    error: null,
    backoff_ms: null,
    rate_wait_ms: null,
    will_retry: false,
    ...partial,
  };
}

describe("CaseOutcomeBuilder", () => {
  it("keeps final attempts only, orders repeats, and scores failed calls 0", () => {
    const builder = new CaseOutcomeBuilder("exact");
    builder.add(record({ item: "m|warmup|0", warmup: true, case_id: "warm" }));
    builder.add(
      record({
        item: "m|t|a|1",
        case_id: "a",
        repeat: 1,
        cluster: "k",
        scores: [
          { scorer: "exact", score: 0, reason: "" },
          { scorer: "json_valid", score: 1, reason: "" },
        ],
      }),
    );
    builder.add(
      record({ item: "m|t|a|0", case_id: "a", repeat: 0, cluster: "k", ok: false, will_retry: true }),
    );
    builder.add(
      record({ item: "m|t|a|0", case_id: "a", repeat: 0, cluster: "k", ok: false, attempt: 3, e2e_ms: null }),
    );
    builder.add(record({ item: "m|t|b|0", case_id: "b", ok: false }));
    // --resume made item b good later: the later final record wins.
    builder.add(
      record({ item: "m|t|b|0", case_id: "b", scores: [{ scorer: "exact", score: 1, reason: "" }] }),
    );
    builder.add(
      record({
        item: "m|t|c|0",
        case_id: "c",
        scores: [{ scorer: "exact", score: null, reason: "no expected" }],
      }),
    );
    const outcomes = builder.outcomes();
    expect(outcomes.map((o) => o.caseId)).toEqual(["a", "b", "c"]);
    const [a, b, c] = outcomes;
    expect(a!.cluster).toBe("k");
    expect(a!.trials.map((t) => [t.score, t.failed, t.e2e_ms])).toEqual([
      [0, true, null],
      [0, false, 20],
    ]);
    expect(a!.trials[1]!.scores).toEqual({ exact: 0, json_valid: 1 });
    expect(b!.trials).toHaveLength(1);
    expect(b!.trials[0]!.score).toBe(1);
    expect(c!.trials[0]!.score).toBeNull();
    expect(c!.cluster).toBeUndefined();
  });
});

describe("compareModels: bands and compute", () => {
  // Two cases; the baseline uses 10× the candidate's energy and 4× its CPU time.
  const cand = [
    one("a", { score: 1, energy_j: 10, cpu_s: 0.5 }),
    one("b", { score: 0, energy_j: 30, cpu_s: 1.5 }),
  ];
  const base = [
    one("a", { score: 1, energy_j: 100, cpu_s: 2 }),
    one("b", { score: 1, energy_j: 300, cpu_s: 6 }),
  ];

  it("pairs the baseline's low end with the candidate's high end for the energy ratio's band", () => {
    const c = compareModels(cand, base, {
      energyBands: { candidate: { low: 0.5, high: 1.5 }, baseline: { low: 1 / 3, high: 4 } },
    });
    expect(c.energy_ratio).toBeCloseTo(10, 12);
    expect(c.energy_ratio_low).toBeCloseTo((10 * (1 / 3)) / 1.5, 12);
    expect(c.energy_ratio_high).toBeCloseTo((10 * 4) / 0.5, 12);
    expect(c.candidate.energy_band).toEqual({ low: 0.5, high: 1.5 });
  });

  it("has no band when a side's band is unknown, and a compute ratio when both sides' CPU time was measured", () => {
    const c = compareModels(cand, base, {
      energyBands: { candidate: { low: 0.5, high: 1.5 }, baseline: null },
    });
    expect([c.energy_ratio_low, c.energy_ratio_high]).toEqual([null, null]);
    expect(c.compute_ratio).toBeCloseTo(4, 12);
    expect(c.candidate.cpu_core_s_per_call).toBeCloseTo(1, 12);
    expect(c.candidate.cpu_core_s_per_correct).toBeCloseTo(2, 12); // 2 core-s over 1 correct answer
    const api = base.map((o) => ({ ...o, trials: o.trials.map((t) => ({ ...t, cpu_s: null })) }));
    expect(compareModels(cand, api).compute_ratio).toBeNull();
  });
});
