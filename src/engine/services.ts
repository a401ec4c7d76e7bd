/**
 * What the engine needs per model besides its runner: pricing, energy and limits. The CLI (the
 * composition root) builds these from the runner registry and the cost and energy modules.
 */
import type { CallRecord } from "../core/records.ts";
import type { Runner } from "../core/runner.ts";
import type { EnergyMonitorOptions } from "../energy/monitor.ts";

export interface ModelServices {
  runner: Runner;
  /** `local`: metered hardware (energy window, local cost); `api`: priced per token. */
  locality: "local" | "api";
  /** Prices a finished call (API models). A null cost carries a warning (unknown model). */
  priceCall?(record: CallRecord): { cost_usd: number | null; warning?: string | undefined };
  /** Upper bound of a call's cost before it is made, USD (for --max-cost); null when unknown. */
  estimateCostUsd?(inputTokens: number, maxOutputTokens: number): number | null;
  /** Energy of a finished API call from published estimates. */
  callEnergy?(record: CallRecord): {
    energy_j: number | null;
    /** The estimate's band for this call, J (absent: none). */
    low_j?: number | null;
    high_j?: number | null;
    warning?: string | undefined;
  };
  /** How to meter a local model's energy; undefined: not metered. */
  energy?: { monitor: Omit<EnergyMonitorOptions, "device">; idleMs: number } | undefined;
  /** Client-side rate limits. */
  limits?: { rpm?: number | undefined; tpm?: number | undefined } | undefined;
}
