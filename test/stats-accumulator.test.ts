import { describe, expect, it } from "vitest";
import { SampleAccumulator } from "../src/stats/accumulator.ts";
import { summarize } from "../src/stats/percentiles.ts";
import { quantileInterval } from "../src/stats/quantile-ci.ts";

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

  it("summarises 1,000,000 samples in a few MiB", () => {
    const before = process.memoryUsage().arrayBuffers;
    const acc = new SampleAccumulator();
    // A permutation of 0..999999 (multiplier coprime with 10^6), so every quantile is known.
    const n = 1_000_000;
    for (let i = 0; i < n; i++) acc.push((i * 7919) % n);
    expect(acc.count).toBe(n);
    // 8 bytes per sample, at most doubled by growth.
    expect(acc.byteLength).toBeLessThanOrEqual(2 * 8 * n);
    const sorted = acc.sorted()!;
    const summary = summarize(sorted);
    expect(summary).toMatchObject({ n, min: 0, max: n - 1 });
    expect(summary.p50).toBeCloseTo(499999.5, 6);
    expect(summary.p99).toBeCloseTo(989999.01, 4);
    const interval = quantileInterval(sorted, 0.99)!;
    // Ranks 989805..990196 (scipy, see stats-quantile-ci.test.ts); value = rank − 1.
    expect([interval.lower, interval.upper]).toEqual([989804, 990195]);
    const grownBy = process.memoryUsage().arrayBuffers - before;
    expect(grownBy).toBeLessThan(64 * 1024 * 1024);
  });
});
