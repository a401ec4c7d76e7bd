import { describe, expect, it } from "vitest";
import { goodputOf, maxGoodputThroughput, meetsSlo, type StepThroughput } from "../../src/load/goodput.ts";

const ok = (
  ttft: number | null,
  tpot: number | null,
  e2e: number | null,
  outputTokens: number | null = 10,
) => ({
  ok: true,
  ttft_ms: ttft,
  tpot_ms: tpot,
  e2e_ms: e2e,
  output_tokens: outputTokens,
});

describe("meetsSlo", () => {
  const slo = { ttft_ms: 500, tpot_ms: 50, e2e_ms: 2000 };

  it("holds when every objective holds, boundaries included (≤)", () => {
    expect(meetsSlo(ok(500, 50, 2000), slo)).toBe(true);
    expect(meetsSlo(ok(120, 20, 900), slo)).toBe(true);
  });

  it("fails when any one objective is missed", () => {
    expect(meetsSlo(ok(500.001, 20, 900), slo)).toBe(false);
    expect(meetsSlo(ok(120, 51, 900), slo)).toBe(false);
    expect(meetsSlo(ok(120, 20, 2001), slo)).toBe(false);
  });

  it("never counts a failed call, even with fast timings", () => {
    expect(meetsSlo({ ...ok(1, 1, 1), ok: false }, slo)).toBe(false);
    expect(meetsSlo({ ...ok(1, 1, 1), ok: false }, {})).toBe(false);
  });

  it("fails an objective whose latency was not measured, but not TPOT of a one-token answer", () => {
    expect(meetsSlo(ok(null, 20, 900), slo)).toBe(false);
    expect(meetsSlo(ok(120, null, 900, 10), slo)).toBe(false);
    expect(meetsSlo(ok(120, null, 900, 1), slo)).toBe(true);
    // Objectives not given are not judged.
    expect(meetsSlo(ok(null, null, 900), { e2e_ms: 1000 })).toBe(true);
  });
});

describe("goodputOf", () => {
  it("is met over offered, and met per second of wall time", () => {
    // 7 of 10 offered (8 ok + 1 error + 1 not sent) met the SLO over 2.5 s.
    expect(goodputOf(7, 10, 2.5)).toEqual({ met: 7, offered: 10, fraction: 0.7, requests_per_s: 2.8 });
  });

  it("is null with nothing offered or no wall time", () => {
    expect(goodputOf(0, 0, null)).toEqual({ met: 0, offered: 0, fraction: null, requests_per_s: null });
  });
});

describe("maxGoodputThroughput", () => {
  const step = (
    index: number,
    concurrency: number,
    requestsPerS: number | null,
    fraction: number | null,
    outputTokensPerS: number | null = null,
    status = "completed",
  ): StepThroughput => ({
    step: index,
    status,
    concurrency,
    rate_per_s: null,
    requests_per_s: requestsPerS,
    output_tokens_per_s: outputTokensPerS,
    goodput: { met: 0, offered: 0, fraction, requests_per_s: null },
  });

  it("picks the highest requests/s among steps whose goodput reaches the attainment", () => {
    const steps = [
      step(0, 1, 2.0, 1.0),
      step(1, 2, 3.9, 0.95),
      step(2, 4, 7.1, 0.89), // fastest, but 89% < 90%
      step(3, 8, 6.0, 0.4),
    ];
    expect(maxGoodputThroughput(steps, 0.9)).toEqual({
      step: 1,
      concurrency: 2,
      rate_per_s: null,
      requests_per_s: 3.9,
      output_tokens_per_s: null,
      goodput: 0.95,
    });
    // A looser target admits step 2; a stricter one only step 0.
    expect(maxGoodputThroughput(steps, 0.85)?.step).toBe(2);
    expect(maxGoodputThroughput(steps, 0.99)?.step).toBe(0);
  });

  it("is null when no step qualifies", () => {
    expect(maxGoodputThroughput([step(0, 1, 5, 0.5), step(1, 2, null, 1)], 0.9)).toBeNull();
    expect(maxGoodputThroughput([], 0.9)).toBeNull();
  });

  it("breaks ties on output tokens/s, then keeps the earlier step", () => {
    const tied = [step(0, 2, 4, 1, 100), step(1, 4, 4, 1, 180), step(2, 8, 4, 1, 180)];
    expect(maxGoodputThroughput(tied, 0.9)?.step).toBe(1);
  });

  it("skips steps that did not complete", () => {
    const steps = [step(0, 1, 2, 1), step(1, 2, 9, 1, null, "interrupted")];
    expect(maxGoodputThroughput(steps, 0.9)?.step).toBe(0);
  });
});
