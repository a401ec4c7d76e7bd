import { describe, expect, it } from "vitest";
import { casesForPairedProportions, casesForTwoProportions } from "../../src/stats/sample-size.ts";

// Reference values: the same formulas evaluated with scipy.stats.norm.ppf in python (unrounded
// value in the comment), then rounded up.

describe("casesForTwoProportions", () => {
  it.each([
    [0.5, 0.1, 388], // 387.3385
    [0.8, 0.05, 906], // 905.3658
    [0.9, -0.1, 199], // 198.9634
  ])("baseline %f, difference %f → %i per model", (baseline, difference, n) => {
    expect(casesForTwoProportions(baseline, difference)).toBe(n);
  });

  it("honours alpha and power (α=0.01, power 0.9: 734.0538)", () => {
    expect(casesForTwoProportions(0.5, 0.1, { alpha: 0.01, power: 0.9 })).toBe(735);
  });

  it("needs more cases for smaller differences", () => {
    expect(casesForTwoProportions(0.7, 0.02)).toBeGreaterThan(casesForTwoProportions(0.7, 0.05));
  });

  it("rejects impossible inputs", () => {
    expect(() => casesForTwoProportions(0.95, 0.1)).toThrow(/baseline \+ difference must be in \[0, 1\]/);
    expect(() => casesForTwoProportions(0.5, 0)).toThrow(/non-zero/);
    expect(() => casesForTwoProportions(1.2, -0.1)).toThrow(/baseline accuracy/);
    expect(() => casesForTwoProportions(0.5, 0.1, { power: 1 })).toThrow(/power must be in \(0, 1\)/);
    expect(() => casesForTwoProportions(0.5, 0.1, { alpha: 0 })).toThrow(/alpha must be in \(0, 1\)/);
  });
});

describe("casesForPairedProportions", () => {
  it.each([
    [0.2, 0.1, 155], // 154.5986
    [0.1, 0.05, 312], // 311.5869
    [0.3, -0.05, 940], // 939.5042
  ])("discordance %f, difference %f → %i cases", (discordance, difference, n) => {
    expect(casesForPairedProportions(discordance, difference)).toBe(n);
  });

  it("pairing beats the unpaired design when models mostly agree", () => {
    expect(casesForPairedProportions(0.1, 0.05)).toBeLessThan(casesForTwoProportions(0.8, 0.05));
  });

  it("rejects a difference larger than the discordance", () => {
    expect(() => casesForPairedProportions(0.05, 0.1)).toThrow(/at most the discordance/);
    expect(() => casesForPairedProportions(0, 0.1)).toThrow(/discordance must be in \(0, 1\]/);
  });
});
