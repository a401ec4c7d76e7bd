import { describe, expect, it } from "vitest";
import { poissonArrivals, stepSeed } from "../../src/load/arrivals.ts";
import { nextAutoConcurrency } from "../../src/load/levels.ts";

function take(n: number, ratePerS: number, seed: number): number[] {
  const out: number[] = [];
  for (const t of poissonArrivals(ratePerS, seed)) {
    if (out.length === n) break;
    out.push(t);
  }
  return out;
}

describe("poissonArrivals", () => {
  it("starts at 0 and rises, with exponential gaps of mean 1/rate", () => {
    const times = take(20_001, 50, 7);
    expect(times[0]).toBe(0);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.every((g) => g >= 0)).toBe(true);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1));
    // Exponential(50/s): mean 20 ms, standard deviation 20 ms (coefficient of variation 1),
    // P(gap > mean) = 1/e. Standard errors at n = 20,000: 0.14 ms, ~0.2 ms, 0.0034.
    expect(mean).toBeGreaterThan(19.4);
    expect(mean).toBeLessThan(20.6);
    expect(sd / mean).toBeGreaterThan(0.96);
    expect(sd / mean).toBeLessThan(1.04);
    const longer = gaps.filter((g) => g > 20).length / gaps.length;
    expect(Math.abs(longer - Math.exp(-1))).toBeLessThan(0.015);
  });

  it("gives the same schedule for the same seed and another for another seed", () => {
    expect(take(50, 5, 3)).toEqual(take(50, 5, 3));
    expect(take(50, 5, 3)).not.toEqual(take(50, 5, 4));
    // Twice the rate, same seed: the same draws, half the gaps.
    const slow = take(10, 5, 3);
    const fast = take(10, 10, 3);
    fast.forEach((t, i) => {
      expect(t).toBeCloseTo(slow[i]! / 2, 9);
    });
  });

  it("derives a distinct, stable seed per step", () => {
    expect(stepSeed(1, 0)).toBe(stepSeed(1, 0));
    expect(new Set([0, 1, 2, 3].map((s) => stepSeed(1, s))).size).toBe(4);
    expect(stepSeed(1, 0)).not.toBe(stepSeed(2, 0));
  });

  it("rejects a rate that is not positive", () => {
    expect(() => take(1, 0, 1)).toThrow(RangeError);
    expect(() => take(1, Number.NaN, 1)).toThrow(RangeError);
  });
});

describe("nextAutoConcurrency", () => {
  const run = (...pairs: [number, number | null][]) =>
    pairs.map(([concurrency, throughput]) => ({ concurrency, throughput }));

  it("doubles from 1 while throughput keeps rising by at least min_gain", () => {
    expect(nextAutoConcurrency([], 64, 0.05)).toBe(1);
    expect(nextAutoConcurrency(run([1, 100]), 64, 0.05)).toBe(2);
    expect(nextAutoConcurrency(run([1, 100], [2, 190]), 64, 0.05)).toBe(4);
    // 200 ≥ 190 × 1.05 = 199.5: still rising.
    expect(nextAutoConcurrency(run([1, 100], [2, 190], [4, 200]), 64, 0.05)).toBe(8);
  });

  it("stops on a plateau: a gain below min_gain over the best before", () => {
    expect(nextAutoConcurrency(run([1, 100], [2, 190], [4, 195]), 64, 0.05)).toBe("plateau");
    // A drop after a peak is a plateau too, measured against the best, not the last.
    expect(nextAutoConcurrency(run([1, 100], [2, 190], [4, 150], [8, 185]), 64, 0)).toBe("plateau");
    // A step with no throughput (all failed) counts as 0.
    expect(nextAutoConcurrency(run([1, 100], [2, null]), 64, 0.05)).toBe("plateau");
  });

  it("caps the last level at max_concurrency, then stops", () => {
    expect(nextAutoConcurrency(run([1, 1], [2, 2], [4, 4]), 4, 0.05)).toBe("max_concurrency");
    expect(nextAutoConcurrency(run([1, 1], [2, 2], [4, 4]), 6, 0.05)).toBe(6);
    expect(nextAutoConcurrency(run([1, 1], [2, 2], [4, 4], [6, 6]), 6, 0.05)).toBe("max_concurrency");
    expect(nextAutoConcurrency(run([1, 1]), 1, 0.05)).toBe("max_concurrency");
  });
});
