import { describe, expect, it } from "vitest";
import { pairedRatio } from "../../src/savings/ratio-ci.ts";
import type { PairedScore } from "../../src/stats/paired.ts";
import type { NonEmpty } from "../../src/stats/samples.ts";

/** Pairs with the baseline as `a` and the candidate as `b`. */
function pairs(baseline: number[], candidate: number[], clusters?: string[]): NonEmpty<PairedScore> {
  return baseline.map((a, i) => ({
    caseId: `c${i}`,
    a,
    b: candidate[i]!,
    ...(clusters ? { cluster: clusters[i] } : {}),
  })) as unknown as NonEmpty<PairedScore>;
}

// Reference values from an independent numpy/scipy computation (written separately from this
// module): the covariance matrix of the two means (np.cov/n, or CR1 G/(G−1)·Σ_g S_g S_gᵀ/n² with
// clusters); delta SE = √((v_cc − 2R v_cb + R² v_bb)/b̄²); Fieller ends found by brute force on a
// grid of 4,000,001 ratios (step 1e-6), keeping R where (c̄ − R b̄)² ≤ z²·Var(c̄ − R b̄).

describe("pairedRatio (accuracy retained)", () => {
  it("matches the independent computation on 20 binary cases", () => {
    // Baseline 16/20 right; the candidate 14/20 (loses 3 of the baseline's, wins 1): R = 0.7/0.8 = 0.875
    const base = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0];
    const cand = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0];
    const r = pairedRatio(pairs(base, cand));
    expect(r).toMatchObject({
      n: 20,
      mean_numerator: 0.7,
      mean_denominator: 0.8,
      variance: "paired",
      note: null,
    });
    expect(r.ratio).toBeCloseTo(0.875, 12);
    expect(r.delta_se).toBeCloseTo(0.11996435874217411, 12);
    expect(r.delta_lower).toBeCloseTo(0.6398741774368959, 12);
    expect(r.delta_upper).toBeCloseTo(1.1101258225631039, 12);
    expect(Math.abs(r.fieller_lower! - 0.649761)).toBeLessThan(2e-6);
    expect(Math.abs(r.fieller_upper! - 1.133512)).toBeLessThan(2e-6);
    // Fieller is asymmetric: longer above the estimate than below.
    expect(r.fieller_upper! - r.ratio!).toBeGreaterThan(r.ratio! - r.fieller_lower!);
  });

  it("matches it on partial-credit scores, without and with clusters", () => {
    const base = [1, 0.5, 1, 1, 0.75, 1, 0, 1, 0.5, 1, 1, 0.25];
    const cand = [1, 0.5, 0.5, 1, 0.5, 1, 0, 0.75, 0.5, 1, 0.5, 0.25];
    const plain = pairedRatio(pairs(base, cand));
    expect(plain.ratio).toBeCloseTo(0.8333333333333334, 12);
    expect(plain.delta_se).toBeCloseTo(0.07073712684900503, 12);
    expect(Math.abs(plain.fieller_lower! - 0.694047)).toBeLessThan(2e-6);
    expect(Math.abs(plain.fieller_upper! - 0.981902)).toBeLessThan(2e-6);

    const clusters = ["x", "x", "x", "y", "y", "y", "z", "z", "z", "w", "w", "w"];
    const robust = pairedRatio(pairs(base, cand, clusters));
    expect(robust.variance).toBe("clustered");
    expect(robust.delta_se).toBeCloseTo(0.032953945222318856, 12);
    expect(robust.delta_lower).toBeCloseTo(0.7687447875490826, 12);
    expect(Math.abs(robust.fieller_lower! - 0.761069)).toBeLessThan(2e-6);
    expect(Math.abs(robust.fieller_upper! - 0.894441)).toBeLessThan(2e-6);
  });

  it("reports an unbounded Fieller interval as null, with the reason", () => {
    // Baseline right on 1 case of 10: a = b̄² − z²·Var(b̄) < 0 (numpy: −0.0284)
    const r = pairedRatio(pairs([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]));
    expect(r.ratio).toBeCloseTo(2, 12);
    expect(r.fieller_lower).toBeNull();
    expect(r.fieller_upper).toBeNull();
    expect(r.note).toMatch(/unbounded/);
    expect(r.delta_lower).not.toBeNull();
  });

  it("has no ratio when the baseline never scores, and no interval from one case", () => {
    expect(pairedRatio(pairs([0, 0], [1, 0]))).toMatchObject({
      ratio: null,
      fieller_lower: null,
      delta_se: null,
    });
    const single = pairedRatio(pairs([1], [1]));
    expect(single).toMatchObject({ ratio: 1, fieller_lower: null, delta_lower: null });
    expect(single.note).toMatch(/single case/);
  });

  it("gives a zero-width interval when both models score every case alike", () => {
    const r = pairedRatio(pairs([1, 1, 1], [1, 1, 1]));
    expect(r).toMatchObject({ ratio: 1, fieller_lower: 1, fieller_upper: 1, delta_lower: 1, delta_upper: 1 });
  });
});
