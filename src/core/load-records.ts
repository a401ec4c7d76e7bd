/**
 * Load mode's log events (`opbench load`), appended between `model_start` and `run_end`. They are
 * part of the log (re-exported by records.ts) so that the log stays below both modes: the log
 * knows their shape, load mode (src/load/) writes and folds them. Times named `*_ms` without a
 * date are milliseconds from the step's start on the monotonic clock.
 */
import type { CallRecord, LOG_VERSION } from "./records.ts";

/** How a sweep drives load: closed-loop callers, or Poisson arrivals at a rate. */
export type LoadModeRecord = "concurrency" | "rate";

/** Latency objectives a call must meet to count towards goodput, ms (`≤`); see src/load/schema.ts. */
export interface LoadSloRecord {
  ttft_ms?: number | undefined;
  tpot_ms?: number | undefined;
  e2e_ms?: number | undefined;
}

/** One /metrics scrape: every sample, keyed `name` or `name{label="value",…}`. */
export interface ServerMetricsScrape {
  url: string;
  values: Record<string, number>;
}

/** The sweep's settings, once, before the first step. */
export interface LoadStartEvent {
  v: typeof LOG_VERSION;
  type: "load_start";
  at: string;
  model: string;
  mode: LoadModeRecord;
  slo: LoadSloRecord;
  attainment: number;
  /**
   * How the model's calls are costed: `api` priced per token, `local` from the energy of each
   * step's window and the hardware block. Absent in logs written before load steps had a cost.
   */
  locality?: "local" | "api";
  /** The resolved settings in force (levels, bounds, seed, caps). */
  settings: Record<string, unknown>;
}

export interface LoadStepStartEvent {
  v: typeof LOG_VERSION;
  type: "load_step_start";
  /** 0-based step index. */
  step: number;
  at: string;
  /** Closed-loop callers (concurrency mode), else null. */
  concurrency: number | null;
  /** Target Poisson rate in requests/s (rate mode), else null. */
  rate_per_s: number | null;
  /** /metrics before the step; null when not scraped (see `server_metrics_error`). */
  server_metrics: ServerMetricsScrape | null;
  server_metrics_error?: string;
}

/** One call of a step, warm-up included (`call.warmup`). */
export interface LoadCallEvent {
  v: typeof LOG_VERSION;
  type: "load_call";
  step: number;
  /** 0-based order of dispatch within the step. */
  seq: number;
  /** When the call was meant to be sent: its Poisson arrival, or when a closed-loop caller became free. */
  intended_ms: number;
  /** When the runner wrote the request; null when it failed before sending. */
  sent_ms: number | null;
  /** When the call was over (last byte, or the failure). */
  done_ms: number;
  /** sent_ms − intended_ms: how late the call left (≥ 0); null when it was never sent. */
  dispatch_delay_ms: number | null;
  /** Calls in flight when this one was dispatched, itself included. */
  in_flight: number;
  call: CallRecord;
}

/**
 * The end of a step. A local model's step has its own energy window: its `model_energy` event
 * (and any `model_energy_calls`) comes between the step's `load_step_start` and this event.
 */
export interface LoadStepEndEvent {
  v: typeof LOG_VERSION;
  type: "load_step_end";
  step: number;
  at: string;
  status: "completed" | "interrupted";
  /** Rate mode: arrivals that found `max_in_flight` calls in flight and were not sent. */
  not_dispatched: number;
  /** Measured arrivals among them (warm-up ones excluded). */
  not_dispatched_measured: number;
  /** /metrics after the step, with the largest value each sample reached in any scrape of the step. */
  server_metrics: (ServerMetricsScrape & { max: Record<string, number>; scrapes: number }) | null;
  server_metrics_error?: string;
}

/** Why the sweep stopped. */
export interface LoadEndEvent {
  v: typeof LOG_VERSION;
  type: "load_end";
  at: string;
  reason: "levels_done" | "plateau" | "max_concurrency" | "all_failed" | "interrupted";
}

export type LoadEvent = LoadStartEvent | LoadStepStartEvent | LoadCallEvent | LoadStepEndEvent | LoadEndEvent;

/** Whether a log event is one of load mode's. */
export function isLoadEvent(event: { type: string }): event is LoadEvent {
  return event.type.startsWith("load_");
}
