import { describe, expect, it } from "vitest";
import { binomialCdf, normalQuantile } from "../../src/stats/distributions.ts";

// Reference values from scipy 1.17: scipy.stats.binom.cdf(k, n, p) and scipy.stats.norm.ppf(q).
const BINOMIAL: [number, number, number, number][] = [
  [40, 100, 0.5, 0.028443966820490444],
  [2, 20, 0.5, 0.00020122528076171875],
  [500000, 1000000, 0.5, 0.5003989421806654],
  [949000, 1000000, 0.95, 2.411396683083054e-6],
  [9949, 10000, 0.995, 0.46248319121360887],
  [367, 368, 0.99, 0.9752399446099064],
  [85, 236, 0.5, 1.035421447829771e-5],
  [3, 1000000, 0.000001, 0.9810119044370966],
  [71, 72, 0.95, 0.9751057193808106],
  [2, 10, 0.3, 0.3827827863999998],
];
const NORMAL: [number, number][] = [
  [0.975, 1.959963984540054],
  [0.8, 0.8416212335729143],
  [0.5, 0],
  [0.999, 3.090232306167813],
  [1e-10, -6.361340902404056],
];

describe("distribution functions", () => {
  // Relative precision: ~1e-10 (jStat's log-gamma), and ~2e-9 at n = 10⁶ where the log-gamma
  // values near 1.3e7 cancel: far finer than the 0.025 tails the intervals compare against.
  it.each(BINOMIAL)("binomial CDF P(X ≤ %d | n=%d, p=%d) matches scipy", (k, n, p, expected) => {
    const value = binomialCdf(k, n, p);
    expect(Math.abs(value - expected) / expected).toBeLessThan(n > 100_000 ? 5e-9 : 1e-9);
  });

  it("handles the edges exactly", () => {
    expect(binomialCdf(-1, 10, 0.5)).toBe(0);
    expect(binomialCdf(10, 10, 0.5)).toBe(1);
    expect(binomialCdf(0, 368, 0.99)).toBeLessThan(1e-300);
    expect(binomialCdf(3, 10, 0)).toBe(1);
    expect(binomialCdf(3, 10, 1)).toBe(0);
  });

  it.each(NORMAL)("normal quantile Φ⁻¹(%d) matches scipy to 1e-9 relative", (q, expected) => {
    expect(Math.abs(normalQuantile(q) - expected)).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(expected)),
    );
  });
});
