/**
 * Cost and energy of a group (model × task, or a model): totals and the per-call, per-token and
 * per-correct-answer figures. Unknown stays null, never 0: one call without a price makes the
 * API total unknown, and a local model without an energy reading has no local cost.
 */
import type { CallRecord } from "../core/records.ts";
import type { HardwareConfig } from "../cost/local-cost.ts";
import { type LocalCost, localCost } from "../cost/local-cost.ts";
import { type CarbonIntensity, carbonGrams } from "../energy/carbon.ts";

export interface CostSummary {
  /** "api": token prices (genai-prices or the suite's price block); "local-estimate": energy and hardware time. */
  source: "api" | "local-estimate" | null;
  total_usd: number | null;
  per_call_usd: number | null;
  per_1k_calls_usd: number | null;
  per_correct_usd: number | null;
  /** API calls whose price is unknown (they make the totals null). */
  unknown_calls: number;
  /** The local-cost computation, with its assumptions (local models only). */
  local: LocalCost | null;
}

export interface EnergySummary {
  /** How the energy was obtained: measured-gpu, measured-cpu, modelled, published-estimate. */
  source: CallRecord["energy_source"];
  total_j: number | null;
  total_wh: number | null;
  /** Net of idle power (local, measured); null otherwise. */
  net_total_j: number | null;
  per_call_j: number | null;
  per_output_token_j: number | null;
  per_correct_j: number | null;
  /**
   * A modelled energy's band as factors of the central figure (e.g. 0.5 and 1.5 for ±50 %), and
   * the per-call figure at each end; null for a measurement (or a summary from before bands).
   */
  band?: { low: number; high: number } | null;
  per_call_low_j?: number | null;
  per_call_high_j?: number | null;
}

/** Compute: busy device-seconds (local models; null where not measured). */
export interface ComputeSummary {
  /** CPU core-seconds of the serving process (its CPU time). */
  cpu_core_s: number | null;
  per_call_cpu_core_s: number | null;
  per_correct_cpu_core_s: number | null;
  /** GPU-seconds (busy time on a GPU device). */
  gpu_s: number | null;
  per_call_gpu_s: number | null;
  per_correct_gpu_s: number | null;
}

/** Carbon from the energy at the model's grid intensity. */
export interface CarbonSummary extends CarbonIntensity {
  total_g: number | null;
  per_call_g: number | null;
  per_1m_calls_kg: number | null;
}

export class CostEnergyAccumulator {
  private costUsd = 0;
  private costUnknown = 0;
  private energyJ = 0;
  private energyKnown = false;
  private netJ: number | null = null;
  private source: CallRecord["energy_source"] = null;
  private band: { low: number; high: number } | null = null;
  private cpuS: number | null = null;
  private gpuS: number | null = null;

  /** An API attempt (retried or final): its price, and its published energy estimate. */
  addApiCall(record: CallRecord): void {
    if (record.cost_usd !== null) this.costUsd += record.cost_usd;
    else if (record.input_tokens !== null || record.output_tokens !== null) this.costUnknown++;
    if (record.energy_j !== null) this.addEnergy(record.energy_j, null, record.energy_source);
  }

  /**
   * Energy attributed to one local attempt (from the model's energy window), with the window's
   * band (modelled energy) and the attempt's compute.
   */
  addEnergy(
    joules: number,
    netJoules: number | null,
    source: CallRecord["energy_source"],
    band: { low: number; high: number } | null = null,
    compute: { cpu_s?: number | null | undefined; gpu_s?: number | null | undefined } = {},
  ): void {
    this.energyJ += joules;
    this.energyKnown = true;
    if (netJoules !== null) this.netJ = (this.netJ ?? 0) + netJoules;
    this.source ??= source;
    // Windows of one model may differ (a resumed run): the widest band covers them all.
    if (band)
      this.band = this.band
        ? { low: Math.min(this.band.low, band.low), high: Math.max(this.band.high, band.high) }
        : band;
    if (compute.cpu_s != null) this.cpuS = (this.cpuS ?? 0) + compute.cpu_s;
    if (compute.gpu_s != null) this.gpuS = (this.gpuS ?? 0) + compute.gpu_s;
  }

  get energyTotalJ(): number | null {
    return this.energyKnown ? this.energyJ : null;
  }

  /**
   * @param calls final calls of the group; @param correct sum of the accuracy scorer's scores;
   * @param outputTokens output tokens of the group;
   * @param local for local models: busy seconds of this group's share and the hardware block
   */
  summary(
    calls: number,
    correct: number | null,
    outputTokens: number,
    local?: { busySeconds: number; hardware: HardwareConfig | undefined },
    carbon?: CarbonIntensity,
  ): { cost: CostSummary; energy: EnergySummary; compute: ComputeSummary; carbon: CarbonSummary | null } {
    const per = (total: number | null, n: number | null) => (total === null || !n ? null : total / n);
    const energyTotal = this.energyTotalJ;
    const perCallJ = per(energyTotal, calls);
    let localCostResult: LocalCost | null = null;
    let costTotal: number | null;
    let source: CostSummary["source"];
    if (local) {
      localCostResult = localCost({
        energyJ: energyTotal,
        busySeconds: local.busySeconds,
        hardware: local.hardware,
      });
      costTotal = localCostResult.usd;
      source = "local-estimate";
    } else {
      costTotal = this.costUnknown > 0 ? null : this.costUsd;
      source = "api";
    }
    return {
      cost: {
        source,
        total_usd: costTotal,
        per_call_usd: per(costTotal, calls),
        per_1k_calls_usd: costTotal === null || !calls ? null : (costTotal / calls) * 1000,
        per_correct_usd: per(costTotal, correct),
        unknown_calls: this.costUnknown,
        local: localCostResult,
      },
      energy: {
        source: this.source,
        total_j: energyTotal,
        total_wh: energyTotal === null ? null : energyTotal / 3600,
        net_total_j: this.netJ,
        per_call_j: per(energyTotal, calls),
        per_output_token_j: per(energyTotal, outputTokens),
        per_correct_j: per(energyTotal, correct),
        band: this.band,
        per_call_low_j: this.band && perCallJ !== null ? perCallJ * this.band.low : null,
        per_call_high_j: this.band && perCallJ !== null ? perCallJ * this.band.high : null,
      },
      compute: {
        cpu_core_s: this.cpuS,
        per_call_cpu_core_s: per(this.cpuS, calls),
        per_correct_cpu_core_s: per(this.cpuS, correct),
        gpu_s: this.gpuS,
        per_call_gpu_s: per(this.gpuS, calls),
        per_correct_gpu_s: per(this.gpuS, correct),
      },
      carbon: carbon ? carbonSummary(energyTotal, calls, carbon) : null,
    };
  }
}

function carbonSummary(energyJ: number | null, calls: number, intensity: CarbonIntensity): CarbonSummary {
  const total = energyJ === null ? null : carbonGrams(energyJ, intensity);
  const perCall = total === null || !calls ? null : total / calls;
  return {
    ...intensity,
    total_g: total,
    per_call_g: perCall,
    per_1m_calls_kg: perCall === null ? null : (perCall * 1e6) / 1000,
  };
}
