/**
 * Open-loop arrival times: a Poisson process, i.e. independent exponential gaps with mean
 * 1/rate, drawn from a seeded PRNG so a step's schedule is the same on every run.
 */
import { hashSeed, mulberry32 } from "../stats/prng.ts";

/**
 * Intended send times of a Poisson process, in ms from the step's start: the first arrival at
 * 0, then exponential gaps (inverse-CDF sampling, −ln(1 − u)/rate), without end: the caller
 * stops taking them.
 * @param ratePerS mean arrivals per second (> 0)
 * @param seed PRNG seed; the same seed gives the same times
 */
export function* poissonArrivals(ratePerS: number, seed: number): Generator<number, never> {
  if (!(ratePerS > 0 && Number.isFinite(ratePerS))) throw new RangeError(`rate must be > 0, got ${ratePerS}`);
  const random = mulberry32(seed);
  const meanGapMs = 1000 / ratePerS;
  let t = 0;
  for (;;) {
    yield t;
    t += -Math.log(1 - random()) * meanGapMs;
  }
}

/** The seed of step `step`'s schedule: one independent stream per step from the sweep's seed. */
export function stepSeed(seed: number, step: number): number {
  return hashSeed(seed, `load-step-${step}`);
}
