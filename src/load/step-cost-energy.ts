/**
 * A load step's cost and energy, with the fields a run reports per model × task
 * (metrics/cost-energy.ts) and computed the same way, over the step's measured calls:
 * - API models: the calls' token prices, and their published energy estimates.
 * - Local models: the step's own energy window (one per step, warm-up calls included, see
 *   sweep.ts); the measured calls' shares of it are the step's energy, and the local cost is
 *   estimated from that energy and the busy time (scaled to the measured calls' share of the
 *   window's energy) with the model's `hardware` block.
 * Unknown stays null, never 0: a step of an older log (no `locality`) has no cost.
 */

import type { CallRecord, ModelEnergyCall, ModelEnergyEvent } from "../core/records.ts";
import type { HardwareConfig } from "../cost/local-cost.ts";
import { bandFactors } from "../energy/modelled.ts";
import {
  type ComputeSummary,
  CostEnergyAccumulator,
  type CostSummary,
  type EnergySummary,
} from "../metrics/cost-energy.ts";

/** How a step's calls are costed: from the sweep's `load_start` and the suite's model entry. */
export interface StepCosting {
  /** `api`: token prices; `local`: energy and hardware time; null: unknown (an older log). */
  locality: "local" | "api" | null;
  /** The model's `hardware` block (local cost); undefined: defaults. */
  hardware: HardwareConfig | undefined;
}

/** The step's energy window as its `model_energy` event gave it (all its calls, warm-up included). */
export type StepEnergyWindow = Omit<ModelEnergyEvent, "v" | "type" | "model" | "calls">;

export interface StepCostEnergySummary {
  cost: CostSummary;
  energy: EnergySummary;
  /** Busy device-seconds of the step's measured calls (absent in load.json from before it). */
  compute?: ComputeSummary;
  energy_window: StepEnergyWindow | null;
}

/** Folds one step's calls and its energy window (feed calls before the window, as logged). */
export class StepCostEnergy {
  private readonly costing: StepCosting;
  private readonly money = new CostEnergyAccumulator();
  /** Items of the step's warm-up calls, whose energy shares are not the step's. */
  private readonly warmupItems = new Set<string>();
  private window: StepEnergyWindow | null = null;
  /** Shares of every call in the window, J (for the measured calls' part of the busy time). */
  private sharedJ = 0;
  private measuredJ = 0;

  constructor(costing: StepCosting) {
    this.costing = costing;
  }

  /** A call of the step (warm-up included). */
  addCall(call: CallRecord): void {
    if (call.warmup) {
      this.warmupItems.add(call.item);
      return;
    }
    if (this.costing.locality === "api") this.money.addApiCall(call);
  }

  /** The step's `model_energy` event. */
  addEnergy(event: ModelEnergyEvent): void {
    const { v: _v, type: _type, model: _model, calls, ...window } = event;
    this.window = window;
    this.addEnergyCalls(calls);
  }

  /** Per-call shares of the step's window (in its event, or in `model_energy_calls` after it). */
  addEnergyCalls(calls: readonly ModelEnergyCall[]): void {
    const source = this.window?.energy_source ?? null;
    const w = this.window;
    // A modelled window's band, as factors of its central figure.
    const band =
      w && w.gross_j !== null && w.gross_j > 0 && w.low_j !== null && w.high_j !== null
        ? bandFactors(w.gross_j, w.low_j, w.high_j)
        : null;
    for (const call of calls) {
      this.sharedJ += call.energy_j;
      if (this.warmupItems.has(call.item)) continue;
      this.measuredJ += call.energy_j;
      this.money.addEnergy(call.energy_j, call.net_energy_j, source, band, call);
    }
  }

  /**
   * @param calls measured calls of the step (succeeded and failed)
   * @param outputTokens output tokens of its successful measured calls
   */
  summary(calls: number, outputTokens: number): StepCostEnergySummary {
    const { locality, hardware } = this.costing;
    const window = this.window;
    const local =
      locality === "local"
        ? {
            busySeconds:
              ((window?.busy_ms ?? 0) / 1000) * (this.sharedJ > 0 ? this.measuredJ / this.sharedJ : 1),
            hardware,
          }
        : undefined;
    const { cost, energy, compute } = this.money.summary(calls, null, outputTokens, local);
    return {
      cost: locality === null ? unknownCost() : cost,
      energy,
      compute,
      energy_window: window,
    };
  }
}

/** The cost of a step whose model's kind is not recorded. */
function unknownCost(): CostSummary {
  return {
    source: null,
    total_usd: null,
    per_call_usd: null,
    per_1k_calls_usd: null,
    per_correct_usd: null,
    unknown_calls: 0,
    local: null,
  };
}
