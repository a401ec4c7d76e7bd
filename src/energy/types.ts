/**
 * The energy module's contracts. Every source, whatever it reads, is an {@link EnergySource}:
 * it yields **cumulative** energy readings (joules since the source started, with the time of
 * the reading), so a window's energy is always `end − begin` and a series of readings can be
 * split among calls (see `attribution.ts`).
 *
 * Clock: timestamps are epoch milliseconds (`performance.timeOrigin + performance.now()`, see
 * {@link nowMs}), so they line up with a record's `started_at` and with nvidia-smi's timestamps.
 */
import type { CallRecord } from "../core/records.ts";

/** How energy was obtained, most to least direct. */
export type EnergyMethod =
  /** NVML total-energy counter (mJ, Volta+), read on this host. */
  | "nvml-counter"
  /** DCGM exporter's DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION (mJ), scraped over HTTP. */
  | "dcgm-counter"
  /** nvidia-smi power.draw.instant sampled (~100 ms) and integrated (trapezoid rule). */
  | "nvidia-smi-power"
  /** Linux RAPL energy_uj counters (CPU package + DRAM). */
  | "rapl"
  /** Configured device power × utilisation × busy time (±50 %). */
  | "modelled"
  /** A published per-query or per-token estimate for a closed API. */
  | "published-estimate";

/** The record's coarse label for each method. */
export type RecordEnergySource = NonNullable<CallRecord["energy_source"]>;

/** Maps a method to the record's `energy_source` label. */
export function recordEnergySource(method: EnergyMethod): RecordEnergySource {
  switch (method) {
    case "nvml-counter":
    case "dcgm-counter":
    case "nvidia-smi-power":
      return "measured-gpu";
    case "rapl":
      return "measured-cpu";
    case "modelled":
      return "modelled";
    case "published-estimate":
      return "published-estimate";
  }
}

/** One cumulative reading. */
export interface EnergyReading {
  /** Joules since the source started (monotonic, wrap-arounds already unrolled). */
  joules: number;
  /** When the reading holds, epoch ms. */
  t: number;
}

/** Anything that can tell how much energy a device has used since it started. */
export interface EnergySource {
  readonly method: EnergyMethod;
  /** What is measured, in words (e.g. "RAPL package-0 + dram (2 zones)", "GPU 0 via DCGM at …"). */
  readonly description: string;
  /** Opens the source (first counter read, or starts the sampler process). */
  start(): Promise<void>;
  /** Cumulative energy now (a sampler may wait briefly for a sample at or after now). */
  read(): Promise<EnergyReading>;
  /** Releases processes and handles; safe to call twice. */
  stop(): Promise<void>;
}

/** Epoch milliseconds with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** An error meant for the user: says what failed and how to fix it. */
export class EnergySourceError extends Error {
  override readonly name = "EnergySourceError";
  /** How to fix it, when there is a known fix. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(hint ? `${message}. ${hint}` : message);
    this.hint = hint;
  }
}
