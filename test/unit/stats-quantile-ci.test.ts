import { describe, expect, it } from "vitest";
import { quantile } from "../../src/stats/percentiles.ts";
import {
  minSamplesForQuantileInterval,
  quantileInterval,
  quantileRanks,
} from "../../src/stats/quantile-ci.ts";
import { sortSamples } from "../../src/stats/samples.ts";

// Reference ranks: brute force over every rank with scipy.stats.binom (cdf/sf), taking the largest
// l with P(B ≤ l−1) ≤ 0.025 and the smallest u with P(B ≥ u) ≤ 0.025; the two medians also match
// the published tables (Conover, Practical Nonparametric Statistics, table A3: n=20 → 6..15,
// n=100 → 40..61).

describe("quantileRanks", () => {
  it.each([
    [100, 0.5, 40, 61, 0.9647997997822952],
    [20, 0.5, 6, 15, 0.9586105346679688],
    [6, 0.5, 1, 6, 0.96875],
    [72, 0.95, 64, 72, 0.9654900479083739],
    [368, 0.99, 360, 368, 0.9624158204108587],
    [1000, 0.99, 983, 997, 0.976094763497977],
    [500, 0.9, 436, 464, 0.9633952970027854],
    [1000, 0.5, 469, 532, 0.9537088026395018],
    [10000, 0.95, 9457, 9543, 0.9515280546543347],
    [1_000_000, 0.99, 989805, 990196, 0.9505711243554037],
  ])("n=%i q=%f → ranks %i..%i", (n, q, l, u, coverage) => {
    const ranks = quantileRanks(n, q);
    expect(ranks).not.toBeNull();
    expect(ranks!.lowerRank).toBe(l);
    expect(ranks!.upperRank).toBe(u);
    expect(ranks!.coverage).toBeCloseTo(coverage, 6);
    expect(ranks!.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it("uses the confidence level asked for (90 %, n=100 median → 42..59, scipy)", () => {
    const ranks = quantileRanks(100, 0.5, 0.9);
    expect([ranks!.lowerRank, ranks!.upperRank]).toEqual([42, 59]);
  });

  it("returns null when the sample can't bound the quantile", () => {
    expect(quantileRanks(5, 0.5)).toBeNull();
    expect(quantileRanks(71, 0.95)).toBeNull();
    expect(quantileRanks(367, 0.99)).toBeNull();
    expect(quantileRanks(1, 0.5)).toBeNull();
    // The extreme quantiles (min, max) never get an interval.
    expect(quantileRanks(10_000, 1)).toBeNull();
    expect(quantileRanks(10_000, 0)).toBeNull();
  });

  it("rejects bad arguments", () => {
    expect(() => quantileRanks(0, 0.5)).toThrow(/integer ≥ 1/);
    expect(() => quantileRanks(10.5, 0.5)).toThrow(/integer ≥ 1/);
    expect(() => quantileRanks(10, 1.5)).toThrow(/\[0, 1\]/);
    expect(() => quantileRanks(10, 0.5, 95)).toThrow(/confidence must be in \(0, 1\)/);
  });
});

describe("minSamplesForQuantileInterval", () => {
  it("gives the thresholds of metrics.md: p95 needs 72, p99 needs 368 at 95 %", () => {
    expect(minSamplesForQuantileInterval(0.95)).toBe(72);
    expect(minSamplesForQuantileInterval(0.99)).toBe(368);
  });

  it("agrees with quantileRanks at the boundary for other levels", () => {
    // ln(0.025)/ln(0.5) = 5.32 → 6; ln(0.005)/ln(0.99) = 527.18 → 528 (python math.log)
    expect(minSamplesForQuantileInterval(0.5)).toBe(6);
    expect(minSamplesForQuantileInterval(0.99, 0.99)).toBe(528);
    for (const [q, confidence] of [
      [0.9, 0.95],
      [0.05, 0.95],
      [0.75, 0.8],
    ] as const) {
      const n = minSamplesForQuantileInterval(q, confidence);
      expect(quantileRanks(n, q, confidence)).not.toBeNull();
      expect(quantileRanks(n - 1, q, confidence)).toBeNull();
    }
  });

  it("rejects q = 0 and q = 1", () => {
    expect(() => minSamplesForQuantileInterval(1)).toThrow(/\(0, 1\)/);
    expect(() => minSamplesForQuantileInterval(0)).toThrow(/\(0, 1\)/);
  });
});

describe("quantileInterval", () => {
  it("takes the sample values at the ranks", () => {
    const sorted = sortSamples(Array.from({ length: 100 }, (_, i) => (i + 1) * 10) as [number, ...number[]]);
    const interval = quantileInterval(sorted, 0.5);
    expect(interval).toMatchObject({ lower: 400, upper: 610, lowerRank: 40, upperRank: 61 });
    expect(interval!.lower).toBeLessThanOrEqual(quantile(sorted, 0.5));
    expect(interval!.upper).toBeGreaterThanOrEqual(quantile(sorted, 0.5));
  });

  it("says 'not enough samples' with null for a p95 of 71 calls", () => {
    const sorted = sortSamples(Array.from({ length: 71 }, (_, i) => i) as [number, ...number[]]);
    expect(quantileInterval(sorted, 0.95)).toBeNull();
    expect(quantileInterval(sorted, 0.5)).not.toBeNull();
  });

  it("covers the true quantile about as often as it claims (seeded simulation)", () => {
    // Exponential(1) samples: true p90 = ln 10. Claimed coverage for n=200, q=0.9 is ≥ 0.95.
    let state = 12345;
    const uniform = () => {
      // mulberry32: small deterministic PRNG
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const truth = Math.log(10);
    const trials = 2000;
    let covered = 0;
    for (let trial = 0; trial < trials; trial++) {
      const sample = new Float64Array(200);
      for (let i = 0; i < sample.length; i++) sample[i] = -Math.log(1 - uniform());
      const interval = quantileInterval(sortSamples(sample), 0.9)!;
      if (interval.lower <= truth && truth <= interval.upper) covered++;
    }
    const claimed = quantileRanks(200, 0.9)!.coverage;
    // Binomial SD of the observed rate over 2000 trials is about 0.004; allow 4 SD.
    expect(Math.abs(covered / trials - claimed)).toBeLessThan(0.017);
  });
});
