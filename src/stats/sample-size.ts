/**
 * How many cases a comparison needs to detect an accuracy difference (for `opbench plan`).
 * Both formulas are normal approximations for a two-sided test at level α with the given power;
 * z_a = Φ⁻¹(1 − α/2), z_b = Φ⁻¹(power). Results are rounded up to whole cases.
 */
import { normalQuantile } from "./distributions.ts";

/** Test settings shared by both helpers. */
export interface TestDesign {
  /** Two-sided significance level in (0, 1) (default 0.05). */
  alpha?: number;
  /** Probability of detecting the difference, in (0, 1) (default 0.8). */
  power?: number;
}

function criticalValues({ alpha = 0.05, power = 0.8 }: TestDesign): { za: number; zb: number } {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new RangeError(`power must be in (0, 1), got ${power}`);
  return { za: normalQuantile(1 - alpha / 2), zb: normalQuantile(power) };
}

/** Rounds up, ignoring floating-point residue just above an integer. */
function wholeCases(n: number): number {
  return Math.max(1, Math.ceil(n - 1e-9));
}

/**
 * Cases per model to detect accuracy `baseline` vs `baseline + difference` when each model is
 * scored on its own cases (unpaired two-proportion test, pooled variance under H0, no continuity
 * correction; Fleiss 1981):
 *   n = [z_a·√(2·p̄(1−p̄)) + z_b·√(p₁(1−p₁) + p₂(1−p₂))]² / d², p̄ = (p₁ + p₂)/2.
 * Conservative when both models run on the same cases; see {@link casesForPairedProportions}.
 * @param baseline accuracy p₁ in [0, 1] (0.7 = 70 %)
 * @param difference d = p₂ − p₁ in absolute points as a fraction (0.05 = 5 points), ≠ 0, with p₂ in [0, 1]
 */
export function casesForTwoProportions(
  baseline: number,
  difference: number,
  design: TestDesign = {},
): number {
  const { za, zb } = criticalValues(design);
  const p1 = baseline;
  const p2 = baseline + difference;
  if (!(p1 >= 0 && p1 <= 1)) throw new RangeError(`baseline accuracy must be in [0, 1], got ${baseline}`);
  if (difference === 0 || !Number.isFinite(difference)) {
    throw new RangeError(`difference must be a non-zero number, got ${difference}`);
  }
  if (!(p2 >= 0 && p2 <= 1)) {
    throw new RangeError(`baseline + difference must be in [0, 1], got ${baseline} + ${difference} = ${p2}`);
  }
  const pooled = (p1 + p2) / 2;
  const root = za * Math.sqrt(2 * pooled * (1 - pooled)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return wholeCases((root * root) / (difference * difference));
}

/**
 * Cases needed when both models are scored on the same cases, for McNemar's test (Connor 1987):
 *   n = [z_a·√ψ + z_b·√(ψ − d²)]² / d²,
 * where ψ = P(the models disagree on a case) and d = P(only B right) − P(only A right), the
 * accuracy difference. Pairing pays off when the models agree on most cases (small ψ).
 * @param discordance ψ in (0, 1]: expected fraction of cases where exactly one model is right
 * @param difference d in absolute points as a fraction (0.05 = 5 points), 0 < |d| ≤ ψ
 */
export function casesForPairedProportions(
  discordance: number,
  difference: number,
  design: TestDesign = {},
): number {
  const { za, zb } = criticalValues(design);
  if (!(discordance > 0 && discordance <= 1)) {
    throw new RangeError(`discordance must be in (0, 1], got ${discordance}`);
  }
  if (difference === 0 || !(Math.abs(difference) <= discordance)) {
    throw new RangeError(
      `difference must be non-zero and at most the discordance in size (${discordance}), got ${difference}`,
    );
  }
  const d2 = difference * difference;
  const root = za * Math.sqrt(discordance) + zb * Math.sqrt(discordance - d2);
  return wholeCases((root * root) / d2);
}
