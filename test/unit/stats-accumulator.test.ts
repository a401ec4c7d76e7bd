import { describe, expect, it } from "vitest";
import { latencySummary } from "../../src/metrics/group.ts";
import { EXACT_SAMPLES, SampleAccumulator, SKETCH_RELATIVE_ERROR } from "../../src/stats/accumulator.ts";

describe("SampleAccumulator", () => {
  it("returns null before any push", () => {
    const acc = new SampleAccumulator();
    expect(acc.count).toBe(0);
    expect(acc.sorted()).toBeNull();
  });

  it("grows past its initial capacity and sorts", () => {
    const acc = new SampleAccumulator(2);
    for (const value of [5, 1, 4, 2, 3]) acc.push(value);
    expect(acc.count).toBe(5);
    expect([...acc.sorted()!]).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives snapshots that later pushes don't change", () => {
    const acc = new SampleAccumulator();
    acc.push(2);
    const first = acc.sorted()!;
    acc.push(1);
    expect([...first]).toEqual([2]);
    expect([...acc.sorted()!]).toEqual([1, 2]);
  });

  it("rejects non-finite values and bad capacities", () => {
    const acc = new SampleAccumulator();
    expect(() => acc.push(Number.NaN)).toThrow(/finite number/);
    expect(acc.count).toBe(0);
    expect(() => new SampleAccumulator(0)).toThrow(/integer ≥ 1/);
  });

  it("keeps EXACT_SAMPLES samples exactly, in 8 bytes each", () => {
    const acc = new SampleAccumulator();
    for (let i = 0; i < EXACT_SAMPLES; i++) acc.push((i * 7919) % EXACT_SAMPLES);
    expect(acc.exact).toBe(true);
    expect(acc.byteLength).toBe(8 * EXACT_SAMPLES);
    const stats = acc.statistics()!;
    expect(stats).toMatchObject({ n: EXACT_SAMPLES, min: 0, max: EXACT_SAMPLES - 1, relativeError: 0 });
    expect(stats.quantile(0.99)).toBeCloseTo(0.99 * (EXACT_SAMPLES - 1), 6);
    expect(stats.atRank(1)).toBe(0);
    expect(stats.atRank(EXACT_SAMPLES)).toBe(EXACT_SAMPLES - 1);
  });

  it("summarises 1,000,000 samples from a sketch: counts, mean and extremes exact, quantiles within 0.1%", () => {
    const acc = new SampleAccumulator();
    // A permutation of 1..1000000 (multiplier coprime with 10^6), so every quantile is known.
    const n = 1_000_000;
    for (let i = 0; i < n; i++) acc.push(((i * 7919) % n) + 1);
    expect(acc.count).toBe(n);
    expect(acc.exact).toBe(false);
    expect(acc.byteLength).toBe(0);
    expect(acc.sorted()).toBeNull();
    const summary = latencySummary(acc)!;
    expect(summary).toMatchObject({ n, min: 1, max: n, approx_relative_error: SKETCH_RELATIVE_ERROR });
    expect(summary.mean).toBeCloseTo(500000.5, 6);
    const within = (value: number, exact: number) =>
      expect(Math.abs(value - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR);
    within(summary.p50, 500000.5);
    within(summary.p90, 900000.1);
    within(summary.p99, 990000.01);
    // Exact ranks 989805..990196 (scipy, see stats-quantile-ci.test.ts); value = rank.
    within(summary.ci95.p99![0], 989805);
    within(summary.ci95.p99![1], 990196);
  });

  it("merges exact and sketched accumulators into one sketch", () => {
    const big = new SampleAccumulator();
    for (let i = 1; i <= EXACT_SAMPLES + 1; i++) big.push(i);
    const small = new SampleAccumulator();
    for (const value of [0.5, 2 * EXACT_SAMPLES]) small.push(value);
    const merged = new SampleAccumulator();
    merged.pushAll(small);
    expect(merged.exact).toBe(true);
    merged.pushAll(big);
    expect(merged.exact).toBe(false);
    const stats = merged.statistics()!;
    expect(stats).toMatchObject({ n: EXACT_SAMPLES + 3, min: 0.5, max: 2 * EXACT_SAMPLES });
    expect(Math.abs(stats.quantile(0.5) - EXACT_SAMPLES / 2) / (EXACT_SAMPLES / 2)).toBeLessThan(0.002);
  });
});
