/** Confidence intervals for a binomial proportion (accuracy of 0/1 scores). */
import { zCritical } from "./critical.ts";

/** A two-sided interval for a proportion, both ends in [0, 1]. */
export interface ProportionInterval {
  lower: number;
  upper: number;
}

function checkCounts(successes: number, trials: number): void {
  if (!Number.isInteger(trials) || trials < 1) {
    throw new RangeError(`trials must be an integer ≥ 1, got ${trials}`);
  }
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new RangeError(`successes must be an integer in [0, ${trials}], got ${successes}`);
  }
}

/**
 * Wilson score interval (Wilson 1927; no continuity correction, Newcombe 1998 method 3):
 * (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n). Stays inside [0, 1] and keeps its
 * coverage for small n and p̂ near 0 or 1, where the Wald interval collapses.
 * @param successes correct answers (integer in [0, trials])
 * @param trials cases (integer ≥ 1)
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): ProportionInterval {
  checkCounts(successes, trials);
  const z = zCritical(confidence);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = p + z2n / 2;
  const halfWidth = z * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  const denominator = 1 + z2n;
  return {
    // The ends are exact at 0 and 1 in theory; clamp rounding residue.
    lower: successes === 0 ? 0 : Math.max(0, (centre - halfWidth) / denominator),
    upper: successes === trials ? 1 : Math.min(1, (centre + halfWidth) / denominator),
  };
}

/**
 * Wald interval p̂ ± z·√(p̂(1−p̂)/n), clamped to [0, 1]. Fine for large n with p̂ away from 0
 * and 1; see {@link prefersWilson}.
 * @param successes correct answers (integer in [0, trials])
 * @param trials cases (integer ≥ 1)
 * @param confidence two-sided level in (0, 1) (default 0.95)
 */
export function waldInterval(successes: number, trials: number, confidence = 0.95): ProportionInterval {
  checkCounts(successes, trials);
  const p = successes / trials;
  const halfWidth = zCritical(confidence) * Math.sqrt((p * (1 - p)) / trials);
  return { lower: Math.max(0, p - halfWidth), upper: Math.min(1, p + halfWidth) };
}

/**
 * The rule opbench uses to pick Wilson over Wald for 0/1 scores: n < 30, or fewer than 5
 * successes (n·p̂ < 5), or fewer than 5 failures (n·(1−p̂) < 5).
 */
export function prefersWilson(successes: number, trials: number): boolean {
  return trials < 30 || successes < 5 || trials - successes < 5;
}
