/**
 * Goodput (README: Metrics): the fraction of calls that meet every SLO given, errors and calls that
 * could not be sent counting as misses; and the highest-throughput step that still meets it.
 */
import type { SloConfig } from "../suite/load-schema.ts";

/** What the SLO check reads from one call. Latencies in ms, measured from the intended send time. */
export interface SloSubject {
  ok: boolean;
  ttft_ms: number | null;
  tpot_ms: number | null;
  e2e_ms: number | null;
  output_tokens: number | null;
}

/**
 * Whether one call meets every objective of `slo` (each `≤`). A failed call never does. A
 * latency that was not measured fails its objective, except TPOT of a call with fewer than two
 * output tokens: it has no decode phase to judge.
 */
export function meetsSlo(call: SloSubject, slo: SloConfig): boolean {
  if (!call.ok) return false;
  const within = (value: number | null, limit: number | undefined) =>
    limit === undefined || (value !== null && value <= limit);
  const noDecode = call.output_tokens !== null && call.output_tokens < 2;
  return (
    within(call.ttft_ms, slo.ttft_ms) &&
    within(call.e2e_ms, slo.e2e_ms) &&
    (noDecode ? true : within(call.tpot_ms, slo.tpot_ms))
  );
}

/** Goodput of a step: `met` of `offered` requests (sent or not) met the SLO. */
export interface Goodput {
  /** Measured requests that met every objective. */
  met: number;
  /** Measured requests offered: succeeded + failed + not dispatched. */
  offered: number;
  /** met / offered; null when nothing was offered. */
  fraction: number | null;
  /** Requests meeting the SLO per second of the step's wall time; null without a wall time. */
  requests_per_s: number | null;
}

/** Goodput from counts; `wallS` is the step's measured wall time in seconds. */
export function goodputOf(met: number, offered: number, wallS: number | null): Goodput {
  return {
    met,
    offered,
    fraction: offered > 0 ? met / offered : null,
    requests_per_s: wallS !== null && wallS > 0 ? met / wallS : null,
  };
}

/** The fields of a step the selection reads. */
export interface StepThroughput {
  step: number;
  /** Only completed steps qualify: an interrupted one did not run its course. */
  status: string;
  concurrency: number | null;
  rate_per_s: number | null;
  requests_per_s: number | null;
  output_tokens_per_s: number | null;
  goodput: Goodput;
}

/** The step with the highest throughput whose goodput reached the attainment target. */
export interface MaxGoodputThroughput {
  step: number;
  concurrency: number | null;
  rate_per_s: number | null;
  requests_per_s: number;
  output_tokens_per_s: number | null;
  goodput: number;
}

/**
 * Among completed steps whose goodput fraction is ≥ `attainment`, the one with the most
 * requests/s (ties: more output tokens/s, then the earlier step). Null when no step qualifies.
 * @param attainment required fraction of calls meeting the SLO, in (0, 1]
 */
export function maxGoodputThroughput(
  steps: readonly StepThroughput[],
  attainment: number,
): MaxGoodputThroughput | null {
  let best: MaxGoodputThroughput | null = null;
  for (const s of steps) {
    const fraction = s.goodput.fraction;
    if (s.status !== "completed" || fraction === null || fraction < attainment || s.requests_per_s === null)
      continue;
    const better =
      best === null ||
      s.requests_per_s > best.requests_per_s ||
      (s.requests_per_s === best.requests_per_s &&
        (s.output_tokens_per_s ?? -1) > (best.output_tokens_per_s ?? -1));
    if (better) {
      best = {
        step: s.step,
        concurrency: s.concurrency,
        rate_per_s: s.rate_per_s,
        requests_per_s: s.requests_per_s,
        output_tokens_per_s: s.output_tokens_per_s,
        goodput: fraction,
      };
    }
  }
  return best;
}
