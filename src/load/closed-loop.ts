/**
 * A concurrency step: a closed loop of N callers, each sending its next request as soon as its
 * last one ends. The intended send time is when the caller became free, so dispatch delay here
 * is only the harness's own overhead.
 */

import type { LoadCallEvent } from "../core/records.ts";
import type { Dispatch, LoadCaller } from "./caller.ts";

/** When a step ends. Counts exclude warm-up; times in milliseconds. */
export interface StepBounds {
  /** Measured requests to send; null: bounded by duration only. */
  requests: number | null;
  /** Measuring time, from the first measured dispatch; null: bounded by requests only. */
  durationMs: number | null;
  /** Unmeasured requests sent first. */
  warmup: number;
}

/** What the step saw, besides its calls. */
export interface StepOutcome {
  /** Arrivals not sent because `max_in_flight` calls were in flight (open loop only). */
  notDispatched: number;
  notDispatchedMeasured: number;
}

/**
 * Runs one closed-loop step with `concurrency` callers until `bounds` are met or `stop` aborts
 * (calls in flight then end on the caller's own signal). Each finished call goes to `emit`.
 */
export async function runClosedLoopStep(
  caller: LoadCaller,
  step: number,
  concurrency: number,
  bounds: StepBounds,
  emit: (event: LoadCallEvent) => void,
  stop: AbortSignal,
): Promise<StepOutcome> {
  const t0 = performance.now();
  const total = bounds.requests === null ? Number.POSITIVE_INFINITY : bounds.warmup + bounds.requests;
  let next = 0;
  let inFlight = 0;
  let measuredStart: number | undefined;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (stop.aborted || next >= total) return;
      const now = performance.now();
      const warmup = next < bounds.warmup;
      if (!warmup) {
        measuredStart ??= now;
        if (bounds.durationMs !== null && now - measuredStart >= bounds.durationMs) return;
      }
      inFlight++;
      const dispatch: Dispatch = { step, seq: next++, warmup, t0, intended: now, inFlight };
      let event: LoadCallEvent | undefined;
      try {
        event = await caller.call(dispatch);
      } finally {
        inFlight--;
      }
      if (event) emit(event);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { notDispatched: 0, notDispatchedMeasured: 0 };
}
