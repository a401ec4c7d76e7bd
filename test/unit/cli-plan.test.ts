import { describe, expect, it } from "vitest";
import { asFraction, planSampleSize } from "../../src/cli/plan-command.ts";

describe("opbench plan", () => {
  it("gives the Fleiss two-proportion size for 80% vs 75%, and the McNemar size for a given discordance", () => {
    // Hand-checked: p̄ = 0.775; [1.95996·√(2·0.775·0.225) + 0.84162·√(0.16 + 0.1875)]² / 0.05² = 1093.8 → 1094.
    // Paired (Connor): [1.95996·√0.15 + 0.84162·√(0.15 − 0.0025)]² / 0.0025 = 468.6 → 469 (python, math only).
    const result = planSampleSize({
      accuracy: 80,
      difference: 5,
      discordance: 0.15,
      alpha: 0.05,
      power: 0.8,
    });
    expect(result).toMatchObject({
      baseline_accuracy: 0.8,
      difference: 0.05,
      cases_unpaired: 1094,
      cases_paired: 469,
    });
    expect(result.discordance_assumed).toBe(false);
  });

  it("assumes a discordance when none is given, and says so", () => {
    const result = planSampleSize({ accuracy: 0.9, difference: 0.1, alpha: 0.05, power: 0.8 });
    expect(result.discordance).toBeCloseTo(0.25, 12);
    expect(result.discordance_assumed).toBe(true);
    expect(result.cases_paired).toBeLessThan(result.cases_unpaired);
  });

  it("reads values above 1 as percent", () => {
    expect(asFraction(5)).toBe(0.05);
    expect(asFraction(0.05)).toBe(0.05);
    expect(() => planSampleSize({ accuracy: 0.8, difference: 0, alpha: 0.05, power: 0.8 })).toThrow(
      /non-zero/,
    );
  });
});
