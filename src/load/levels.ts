/** Which load level comes next in a sweep, and when a sweep stops. Pure functions. */
import type { LoadEndEvent } from "../core/records.ts";
import type { LoadStepSummary } from "./step-summary.ts";

/** A step's load level: callers (concurrency mode) or a target rate in requests/s. */
export type LoadLevel = { concurrency: number } | { rate: number };

/** The throughput a sweep compares: output tokens/s where counted, else requests/s. */
export function stepThroughput(
  step: Pick<LoadStepSummary, "output_tokens_per_s" | "requests_per_s">,
): number | null {
  return step.output_tokens_per_s ?? step.requests_per_s;
}

/**
 * The next concurrency of an automatic sweep (1, 2, 4, …), or why it stops: `max_concurrency`
 * once `maxConcurrency` has run (the last level is capped at it), `plateau` once a step's
 * throughput rose by less than `minGain` (a fraction) over the best before it.
 * @param done throughput (any unit, one per sweep) of the steps run so far, in order, with their concurrency
 */
export function nextAutoConcurrency(
  done: readonly { concurrency: number; throughput: number | null }[],
  maxConcurrency: number,
  minGain: number,
): number | Extract<LoadEndEvent["reason"], "plateau" | "max_concurrency"> {
  const last = done[done.length - 1];
  if (last === undefined) return 1;
  const before = done.slice(0, -1).map((d) => d.throughput ?? 0);
  if (before.length > 0) {
    const best = Math.max(...before);
    if ((last.throughput ?? 0) < best * (1 + minGain)) return "plateau";
  }
  if (last.concurrency >= maxConcurrency) return "max_concurrency";
  return Math.min(last.concurrency * 2, maxConcurrency);
}
