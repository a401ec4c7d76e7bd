import { describe, expect, it } from "vitest";
import { cascadeWhatIf, describeRule, escalationReasons } from "../../src/savings/cascade.ts";
import type { CaseOutcome, Trial } from "../../src/savings/outcomes.ts";

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

// Same table as savings-compare, plus the candidate's validity scorer and finish reasons:
//        baseline                          candidate
// case   score cost  energy e2e  ttft      score cost  energy e2e  ttft json_valid finish
// c1     1     0.010 1000   2000 500       1     0.001 100    500  50   1          stop
// c2     1     0.010 1000   3000 600       0     0.001 100    1000 100  0          stop
// c3     1     0.020 2000   4000 700       1     0.002 200    1500 150  1          stop
// c4     0     0.020 2000   5000 800       0     0.002 200    2000 200  1          length
const baseline: CaseOutcome[] = [
  one("c1", { score: 1, cost_usd: 0.01, energy_j: 1000, e2e_ms: 2000, ttft_ms: 500 }),
  one("c2", { score: 1, cost_usd: 0.01, energy_j: 1000, e2e_ms: 3000, ttft_ms: 600 }),
  one("c3", { score: 1, cost_usd: 0.02, energy_j: 2000, e2e_ms: 4000, ttft_ms: 700 }),
  one("c4", { score: 0, cost_usd: 0.02, energy_j: 2000, e2e_ms: 5000, ttft_ms: 800 }),
];
const candidate: CaseOutcome[] = [
  one("c1", {
    score: 1,
    cost_usd: 0.001,
    energy_j: 100,
    e2e_ms: 500,
    ttft_ms: 50,
    scores: { json_valid: 1 },
    confidence: 0.9,
  }),
  one("c2", {
    score: 0,
    cost_usd: 0.001,
    energy_j: 100,
    e2e_ms: 1000,
    ttft_ms: 100,
    scores: { json_valid: 0 },
    confidence: 0.2,
  }),
  one("c3", {
    score: 1,
    cost_usd: 0.002,
    energy_j: 200,
    e2e_ms: 1500,
    ttft_ms: 150,
    scores: { json_valid: 1 },
    confidence: 0.8,
  }),
  one("c4", {
    score: 0,
    cost_usd: 0.002,
    energy_j: 200,
    e2e_ms: 2000,
    ttft_ms: 200,
    scores: { json_valid: 1 },
    finish_reason: "length",
    confidence: 0.95,
  }),
];

describe("cascadeWhatIf", () => {
  it("escalates invalid and truncated answers and prices both calls", () => {
    // Escalated: c2 (json_valid=0) and c4 (length). Mix per case:
    // c1 cand: 1, 0.001, 100 J, 500 ms | c2 esc: 1, 0.011, 1100 J, 4000 ms
    // c3 cand: 1, 0.002, 200 J, 1500 ms | c4 esc: 0, 0.022, 2200 J, 7000 ms
    const result = cascadeWhatIf(candidate, baseline, { validityScorers: ["json_valid"] });
    expect(result.rule).toBe(
      'escalate when the call failed or finish_reason is "length" or json_valid scored 0',
    );
    expect(result.calls).toBe(4);
    expect(result.escalated_fraction).toBe(0.5);
    expect(result.escalations_by_reason).toEqual({ "json_valid=0": 1, truncated: 1 });
    // accuracy 3/4, the baseline's: difference 0, retained 1 with a zero-width interval
    expect(result.accuracy).toBe(0.75);
    expect(result.baseline_accuracy).toBe(0.75);
    expect(result.accuracy_diff).toBe(0);
    expect(result.accuracy_retained).toBe(1);
    expect(result.accuracy_retained_lower).toBeCloseTo(1, 12);
    expect(result.accuracy_retained_upper).toBeCloseTo(1, 12);
    // cost 0.036/4 = 0.009 per call vs 0.015 → 1.667× cheaper, $6,000 saved per million calls
    expect(result.cost_per_call_usd).toBeCloseTo(0.009, 12);
    expect(result.cost_ratio).toBeCloseTo(0.015 / 0.009, 12);
    expect(result.projected_savings_usd).toBeCloseTo(6000, 6);
    // e2e [500, 4000, 1500, 7000]: p50 (1500 + 4000)/2 = 2750, mean 3250; baseline p50 3500
    expect(result.e2e_p50_ms).toBe(2750);
    expect(result.e2e_mean_ms).toBe(3250);
    expect(result.baseline_e2e_p50_ms).toBe(3500);
    // energy 3600/4 = 900 J per call
    expect(result.energy_per_call_j).toBeCloseTo(900, 9);
    expect(result.notes).toEqual([]);
  });

  it("never escalating reproduces the candidate", () => {
    const result = cascadeWhatIf(candidate, baseline, { onError: false, onTruncated: false });
    expect(result.rule).toBe("never escalate");
    expect(result.escalated_fraction).toBe(0);
    expect(result.accuracy).toBe(0.5);
    expect(result.cost_per_call_usd).toBeCloseTo(0.0015, 12);
  });

  it("escalates on a scorer-free confidence signal", () => {
    // Only c2 (0.2 < 0.5): mix scores 1, 1, 1, 0 → 0.75; cost (0.001 + 0.011 + 0.002 + 0.002)/4 = 0.004
    const result = cascadeWhatIf(candidate, baseline, { confidenceBelow: 0.5, onTruncated: false });
    expect(result.escalations_by_reason).toEqual({ "low-confidence": 1 });
    expect(result.accuracy).toBe(0.75);
    expect(result.cost_per_call_usd).toBeCloseTo(0.004, 12);
  });

  it("escalates failed candidate calls, and says when their time is unknown", () => {
    const failing = candidate.map((c, i) =>
      i === 2 ? one("c3", { score: 0, failed: true, cost_usd: 0, energy_j: 0, e2e_ms: null }) : c,
    );
    const result = cascadeWhatIf(failing, baseline, { onTruncated: false });
    expect(result.escalations_by_reason).toEqual({ failed: 1 });
    // c3 answered by the baseline: 1, 0, 1, 0 → 0.5
    expect(result.accuracy).toBe(0.5);
    expect(result.notes).toContain("1 escalated candidate calls have no time: left out of the mix's latency");
    // e2e known for c1 500, c2 1000, c4 2000 → p50 1000
    expect(result.e2e_p50_ms).toBe(1000);
  });
});

describe("escalationReasons / describeRule", () => {
  it("lists every clause that fires", () => {
    const t = trial({
      failed: true,
      finish_reason: "length",
      scores: { json_valid: 0, one_of: 0, exact: 1 },
      confidence: 0.1,
    });
    expect(
      escalationReasons(t, { validityScorers: ["json_valid", "one_of", "exact"], confidenceBelow: 0.5 }),
    ).toEqual(["failed", "truncated", "json_valid=0", "one_of=0", "low-confidence"]);
    expect(
      escalationReasons(trial({ scores: { json_valid: null } }), { validityScorers: ["json_valid"] }),
    ).toEqual([]);
    expect(
      describeRule({ onError: false, onTruncated: false, validityScorers: ["one_of"], confidenceBelow: 0.3 }),
    ).toBe("escalate when one_of scored 0 or confidence < 0.3");
  });
});
