/**
 * A rate step: an open loop. Requests leave at Poisson arrival times whatever the server is
 * doing, so a slow server shows as latency, not as fewer requests (the coordinated omission a
 * closed loop suffers). Each call records its intended time and its dispatch delay; latency
 * is also reported from the intended time. Calls in flight are capped: an arrival that finds
 * the cap reached is not sent and is counted (as k6 counts `dropped_iterations`).
 */
import type { LoadCallEvent } from "../core/records.ts";
import { poissonArrivals } from "./arrivals.ts";
import type { LoadCaller } from "./caller.ts";
import type { StepBounds, StepOutcome } from "./closed-loop.ts";
import { PreciseClock } from "./precise-clock.ts";

/**
 * Runs one open-loop step at `ratePerS` Poisson arrivals (schedule from `seed`) until `bounds`
 * are met or `stop` aborts, then waits for the calls in flight. Each finished call goes to `emit`.
 * @param maxInFlight most calls in flight; later arrivals are counted, not sent
 */
export async function runOpenLoopStep(
  caller: LoadCaller,
  step: number,
  ratePerS: number,
  seed: number,
  maxInFlight: number,
  bounds: StepBounds,
  emit: (event: LoadCallEvent) => void,
  stop: AbortSignal,
): Promise<StepOutcome> {
  const clock = await PreciseClock.started();
  const t0 = performance.now();
  const total = bounds.requests === null ? Number.POSITIVE_INFINITY : bounds.warmup + bounds.requests;
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  let inFlight = 0;
  let seq = 0;
  let notDispatched = 0;
  let notDispatchedMeasured = 0;
  let measuredStart: number | undefined;
  try {
    for (const offset of poissonArrivals(ratePerS, seed)) {
      if (seq >= total || failure !== undefined) break;
      const warmup = seq < bounds.warmup;
      if (!warmup) {
        measuredStart ??= offset;
        if (bounds.durationMs !== null && offset - measuredStart >= bounds.durationMs) break;
      }
      const intended = t0 + offset;
      await clock.sleepUntil(intended, stop);
      if (stop.aborted) break;
      const current = seq++;
      if (inFlight >= maxInFlight) {
        notDispatched++;
        if (!warmup) notDispatchedMeasured++;
        continue;
      }
      inFlight++;
      const call: Promise<void> = caller
        .call({ step, seq: current, warmup, t0, intended, inFlight })
        .then((event) => {
          if (event) emit(event);
        })
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          inFlight--;
          pending.delete(call);
        });
      pending.add(call);
    }
  } finally {
    void clock.close();
  }
  await Promise.all(pending);
  if (failure !== undefined) throw failure;
  return { notDispatched, notDispatchedMeasured };
}
