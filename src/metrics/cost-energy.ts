/**
 * Cost and energy of a group (model × task, or a model): totals and the per-call, per-token and
 * per-correct-answer figures. Unknown stays null, never 0: one call without a price makes the
 * API total unknown, and a local model without an energy reading has no local cost.
 */
import type { CallRecord } from "../core/records.ts";
import type { HardwareConfig } from "../cost/local-cost.ts";
import { type LocalCost, localCost } from "../cost/local-cost.ts";

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
}

export class CostEnergyAccumulator {
  private costUsd = 0;
  private costUnknown = 0;
  private energyJ = 0;
  private energyKnown = false;
  private netJ: number | null = null;
  private source: CallRecord["energy_source"] = null;

  /** An API attempt (retried or final): its price, and its published energy estimate. */
  addApiCall(record: CallRecord): void {
    if (record.cost_usd !== null) this.costUsd += record.cost_usd;
    else if (record.input_tokens !== null || record.output_tokens !== null) this.costUnknown++;
    if (record.energy_j !== null) this.addEnergy(record.energy_j, null, record.energy_source);
  }

  /** Energy attributed to one local attempt (from the model's energy window). */
  addEnergy(joules: number, netJoules: number | null, source: CallRecord["energy_source"]): void {
    this.energyJ += joules;
    this.energyKnown = true;
    if (netJoules !== null) this.netJ = (this.netJ ?? 0) + netJoules;
    this.source ??= source;
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
  ): { cost: CostSummary; energy: EnergySummary } {
    const per = (total: number | null, n: number | null) => (total === null || !n ? null : total / n);
    const energyTotal = this.energyTotalJ;
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
      },
    };
  }
}
