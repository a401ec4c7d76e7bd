import { describe, expect, it } from "vitest";
import { mean, quantile, summarize } from "../../src/stats/percentiles.ts";
import { isNonEmpty, sortSamples } from "../../src/stats/samples.ts";

// Reference values: numpy.percentile (default "linear" = Hyndman & Fan type 7), numpy 2 / scipy 1.17.

describe("sortSamples", () => {
  it("returns an ascending copy and leaves the input alone", () => {
    const input = [3, -1, 2.5, 10, 0] as const;
    const sorted = sortSamples(input);
    expect([...sorted]).toEqual([-1, 0, 2.5, 3, 10]);
    expect(input).toEqual([3, -1, 2.5, 10, 0]);
  });

  it("sorts numerically, not as strings", () => {
    expect([...sortSamples([100, 9, 20])]).toEqual([9, 20, 100]);
  });

  it("rejects an empty typed array and non-finite values with clear errors", () => {
    expect(() => sortSamples(new Float64Array(0))).toThrow(/empty sample/);
    expect(() => sortSamples([1, Number.NaN])).toThrow(/sample value 1 is not a finite number/);
    expect(() => sortSamples([Number.POSITIVE_INFINITY])).toThrow(/not a finite number/);
  });

  it("rules out empty and unsorted input at the type level", () => {
    // @ts-expect-error an empty array is not NonEmpty
    expect(() => sortSamples([])).toThrow(/empty sample/);
    const unsortedUse = () => {
      // @ts-expect-error a plain array is not SortedSamples: it must go through sortSamples
      return quantile([3, 1, 2], 0.5);
    };
    expect(unsortedUse).toBeTypeOf("function");
  });

  it("isNonEmpty narrows arrays", () => {
    const values: number[] = [2, 1];
    expect(isNonEmpty(values)).toBe(true);
    expect(isNonEmpty([])).toBe(false);
    if (isNonEmpty(values)) expect([...sortSamples(values)]).toEqual([1, 2]);
  });
});

describe("quantile (type 7)", () => {
  const oneToTen = sortSamples([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

  it("matches numpy.percentile on 1..10", () => {
    expect(quantile(oneToTen, 0.5)).toBeCloseTo(5.5, 12);
    expect(quantile(oneToTen, 0.9)).toBeCloseTo(9.1, 12);
    expect(quantile(oneToTen, 0.95)).toBeCloseTo(9.55, 12);
    expect(quantile(oneToTen, 0.99)).toBeCloseTo(9.91, 12);
  });

  it("gives min and max at q = 0 and q = 1", () => {
    expect(quantile(oneToTen, 0)).toBe(1);
    expect(quantile(oneToTen, 1)).toBe(10);
  });

  it("returns the single value for n = 1", () => {
    const one = sortSamples([42]);
    for (const q of [0, 0.5, 0.99, 1]) expect(quantile(one, q)).toBe(42);
  });

  it("rejects probabilities outside [0, 1]", () => {
    expect(() => quantile(oneToTen, 95)).toThrow(/\[0, 1\]/);
    expect(() => quantile(oneToTen, -0.1)).toThrow(/\[0, 1\]/);
    expect(() => quantile(oneToTen, Number.NaN)).toThrow(/\[0, 1\]/);
  });
});

describe("summarize", () => {
  it("matches numpy on an unsorted sample with ties", () => {
    // numpy: percentile(y, [0, 50, 90, 95, 99, 100]) = 3, 8.5, 64.6, 82.3, 96.46, 100; mean 25.0357142857
    const summary = summarize(sortSamples([12.5, 3.0, 7.25, 3.0, 100.0, 41.0, 8.5]));
    expect(summary.n).toBe(7);
    expect(summary.min).toBe(3);
    expect(summary.max).toBe(100);
    expect(summary.p50).toBeCloseTo(8.5, 10);
    expect(summary.p90).toBeCloseTo(64.6, 10);
    expect(summary.p95).toBeCloseTo(82.3, 10);
    expect(summary.p99).toBeCloseTo(96.46, 10);
    expect(summary.mean).toBeCloseTo(25.035714285714285, 12);
  });

  it("mean of one value is that value", () => {
    expect(mean(sortSamples([7]))).toBe(7);
  });
});
