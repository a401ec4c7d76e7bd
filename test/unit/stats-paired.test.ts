import { describe, expect, it } from "vitest";
import type { PairedScore } from "../../src/stats/paired.ts";
import {
  mcnemarExact,
  mcnemarExactFromCounts,
  pairCaseScores,
  pairedDifference,
} from "../../src/stats/paired.ts";
import type { NonEmpty } from "../../src/stats/samples.ts";

function pairs(a: number[], b: number[], clusters?: string[]): NonEmpty<PairedScore> {
  return a.map((score, i) => ({
    caseId: `c${i}`,
    a: score,
    b: b[i]!,
    ...(clusters ? { cluster: clusters[i] } : {}),
  })) as unknown as NonEmpty<PairedScore>;
}

describe("pairCaseScores", () => {
  it("joins on case id in A's order and drops unmatched cases", () => {
    const joined = pairCaseScores(
      [
        { caseId: "x", score: 1, repeats: 1 },
        { caseId: "y", score: 0, repeats: 1, cluster: "k" },
        { caseId: "only-a", score: 1, repeats: 1 },
      ],
      [
        { caseId: "only-b", score: 0, repeats: 1 },
        { caseId: "y", score: 0.5, repeats: 2 },
        { caseId: "x", score: 0, repeats: 1 },
      ],
    );
    expect(joined).toEqual([
      { caseId: "x", a: 1, b: 0 },
      { caseId: "y", a: 0, b: 0.5, cluster: "k" },
    ]);
  });
});

describe("pairedDifference", () => {
  it("matches numpy/scipy on per-case differences", () => {
    // numpy: d = b − a; mean 0.125, scipy.stats.sem(d) = 0.2454951265154914
    const result = pairedDifference(pairs([1, 0, 1, 1, 0.5, 0, 1, 1], [1, 1, 1, 0, 1, 1, 1, 0.5]));
    expect(result.method).toBe("paired");
    expect(result.n).toBe(8);
    expect(result.meanA).toBeCloseTo(0.6875, 12);
    expect(result.meanB).toBeCloseTo(0.8125, 12);
    expect(result.meanDiff).toBeCloseTo(0.125, 12);
    expect(result.se).toBeCloseTo(0.2454951265154914, 12);
    expect(result.lower).toBeCloseTo(-0.35616160635046723, 10);
    expect(result.upper).toBeCloseTo(0.6061616063504672, 10);
  });

  it("has zero SE when the models agree on every case", () => {
    const same = pairedDifference(pairs([1, 0, 1], [1, 0, 1]));
    expect(same).toMatchObject({ meanDiff: 0, se: 0, lower: 0, upper: 0 });
  });

  it("has no interval for a single case", () => {
    expect(pairedDifference(pairs([0], [1]))).toMatchObject({
      meanDiff: 1,
      se: null,
      lower: null,
      upper: null,
    });
  });

  it("uses the cluster-robust SE of the differences when cases carry clusters", () => {
    // Differences 1,1,0,0 in clusters p,p,q,q: mean 0.5, residual sums +1 and −1,
    // CR1 Var = 2/(2−1) · (1 + 1) / 16 = 0.25 → SE 0.5 (by hand).
    const result = pairedDifference(pairs([0, 0, 1, 1], [1, 1, 1, 1], ["p", "p", "q", "q"]));
    expect(result.method).toBe("clustered");
    expect(result.clusters).toBe(2);
    expect(result.se).toBeCloseTo(0.5, 12);
    expect(result.lower).toBeCloseTo(0.5 - 1.959963984540054 * 0.5, 10);
    expect(result.upper).toBe(1);
  });
});

describe("McNemar exact test", () => {
  // Reference p-values: scipy.stats.binomtest(min(b, c), b + c, 0.5).pvalue.
  it.each([
    [150, 86, 3.7159361395713866e-5], // Agresti (2002) presidential approval table, discordant cells
    [1, 5, 0.21875], // by hand: 2 · (1 + 6)/64
    [10, 2, 0.03857421875],
    [3, 3, 1],
    [0, 7, 0.015625], // by hand: 2 · 1/128
    [0, 0, 1],
  ])("b=%i c=%i → p=%f", (b, c, p) => {
    const result = mcnemarExactFromCounts(b, c);
    expect(result.b).toBe(b);
    expect(result.c).toBe(c);
    expect(result.pValue).toBeCloseTo(p, 12);
  });

  it("counts discordant pairs from 0/1 scores", () => {
    // A right only on cases 0 and 1; B right only on cases 2..6; cases 7, 8 concordant.
    const result = mcnemarExact(pairs([1, 1, 0, 0, 0, 0, 0, 1, 0], [0, 0, 1, 1, 1, 1, 1, 1, 0]));
    expect(result.b).toBe(2);
    expect(result.c).toBe(5);
    // scipy.stats.binomtest(2, 7, 0.5).pvalue = 0.453125 = 2 · 29/128
    expect(result.pValue).toBeCloseTo(0.453125, 12);
  });

  it("rejects partial-credit scores and bad counts", () => {
    expect(() => mcnemarExact(pairs([0.5], [1]))).toThrow(/needs 0\/1 scores/);
    expect(() => mcnemarExactFromCounts(-1, 2)).toThrow(/b must be an integer ≥ 0/);
    expect(() => mcnemarExactFromCounts(1, 2.5)).toThrow(/c must be an integer ≥ 0/);
  });
});
