/**
 * Cost of running a model on your own (or rented) hardware — always an estimate:
 *
 *   electricity_usd = energy_J / 3.6e6 (kWh) × PUE × usd_per_kwh
 *   hardware_usd    = busy_s × usd_per_hour / 3600
 *
 * - "marginal" mode: electricity only — what one more call costs on a machine you already own.
 * - "full" mode: electricity + hardware time — amortised purchase or the cloud's $/hour.
 *
 * Defaults ({@link LOCAL_COST_DEFAULTS}) apply where the model's `hardware` block is silent, and
 * every default used is listed in `assumptions`.
 */
import type { HardwareConfig as HardwareBlock } from "../core/model-config.ts";

/** The suite's `hardware` block. */
export type HardwareConfig = HardwareBlock;

/**
 * Defaults for local cost, in one read-only place.
 * - `usd_per_kwh` 0.16: an illustrative retail electricity price (close to the recent US
 *   residential average); set your own tariff.
 * - `pue` 1.0: a local machine has no data-centre overhead to add (cooling and power distribution
 *   beyond the box). For a data-centre deployment set ~1.1–1.6 (hyperscalers report ≈ 1.1–1.2).
 * - `usd_per_hour` 0: no hardware charge unless you give one (a purchase price ÷ service hours,
 *   or a cloud instance's hourly rate).
 */
export const LOCAL_COST_DEFAULTS = Object.freeze({
  usd_per_kwh: 0.16,
  pue: 1.0,
  usd_per_hour: 0,
});

export type LocalCostMode = "marginal" | "full";

export interface LocalCostInput {
  /** Energy of the work in joules (measured or modelled); null = unknown. */
  energyJ: number | null;
  /** Seconds the hardware was busy with the work (for the hardware share). */
  busySeconds: number;
  /** The model's `hardware` block; missing fields take {@link LOCAL_COST_DEFAULTS}. */
  hardware?: HardwareConfig | undefined;
  /** Default: "full" when `hardware.usd_per_hour` is given, else "marginal". */
  mode?: LocalCostMode | undefined;
}

export interface LocalCost {
  /** Total in USD; null when the energy is unknown. */
  usd: number | null;
  /** Electricity share in USD; null when the energy is unknown. */
  electricity_usd: number | null;
  /** Hardware-time share in USD; null in marginal mode (deliberately left out). */
  hardware_usd: number | null;
  mode: LocalCostMode;
  /** Always true: local cost rests on assumed prices. */
  estimate: true;
  /** Figures applied, after defaults. */
  usd_per_kwh: number;
  pue: number;
  usd_per_hour: number;
  /** Each default applied or caveat, in words. */
  assumptions: string[];
}

/** Joules in one kilowatt-hour. */
export const JOULES_PER_KWH = 3.6e6;

/**
 * Local cost of some work (one call, or a whole run) from its energy and busy time.
 * @throws RangeError on negative energy or busy time
 */
export function localCost(input: LocalCostInput): LocalCost {
  const { energyJ, busySeconds, hardware = {} } = input;
  if (energyJ !== null && !(energyJ >= 0)) throw new RangeError(`energyJ must be ≥ 0, got ${energyJ}`);
  if (!(busySeconds >= 0)) throw new RangeError(`busySeconds must be ≥ 0, got ${busySeconds}`);
  const mode = input.mode ?? (hardware.usd_per_hour !== undefined ? "full" : "marginal");
  const assumptions: string[] = [];
  const pick = (field: keyof typeof LOCAL_COST_DEFAULTS, describe: string): number => {
    const given = hardware[field];
    if (given !== undefined) return given;
    assumptions.push(describe);
    return LOCAL_COST_DEFAULTS[field];
  };
  const usdPerKwh = pick("usd_per_kwh", `electricity at the default $${LOCAL_COST_DEFAULTS.usd_per_kwh}/kWh`);
  const pue = pick("pue", `PUE ${LOCAL_COST_DEFAULTS.pue} (local machine, no facility overhead)`);
  const usdPerHour =
    mode === "full"
      ? pick("usd_per_hour", "no hardware $/hour configured: full mode has no hardware share")
      : (hardware.usd_per_hour ?? LOCAL_COST_DEFAULTS.usd_per_hour);
  if (mode === "marginal") assumptions.push("marginal cost: electricity only, hardware time not charged");
  if (energyJ === null) assumptions.push("energy unknown: no electricity cost");

  const electricity = energyJ === null ? null : (energyJ / JOULES_PER_KWH) * pue * usdPerKwh;
  const hardwareUsd = mode === "full" ? (busySeconds * usdPerHour) / 3600 : null;
  return {
    usd: electricity === null ? null : electricity + (hardwareUsd ?? 0),
    electricity_usd: electricity,
    hardware_usd: hardwareUsd,
    mode,
    estimate: true,
    usd_per_kwh: usdPerKwh,
    pue,
    usd_per_hour: usdPerHour,
    assumptions,
  };
}
