/** Critical values shared by the interval functions. */
import { normalQuantile } from "./distributions.ts";

/**
 * Checks a two-sided confidence level and returns α = 1 − confidence.
 * @param confidence in (0, 1), e.g. 0.95
 * @throws RangeError outside (0, 1)
 */
export function alphaOf(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be in (0, 1), e.g. 0.95; got ${confidence}`);
  }
  return 1 - confidence;
}

/**
 * Two-sided standard-normal critical value z = Φ⁻¹(1 − α/2): 1.959964 for 0.95 (the "1.96").
 * @param confidence in (0, 1)
 */
export function zCritical(confidence: number): number {
  return normalQuantile(1 - alphaOf(confidence) / 2);
}
