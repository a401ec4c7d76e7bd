/**
 * Modelled energy, the fallback when no counter or power sensor can be read:
 *
 *   energy_J = power_W × utilisation × busy_s,   band ±50 % (low = ½×, high = 1.5×)
 *
 * `power_W` is the configured device power (`hardware.power_w`), else the CPU's sustained power
 * limit from RAPL (`constraint_0_power_limit_uw`, PL1 ≈ TDP; readable where the energy counters
 * are not), else unknown. The band is wide on purpose: real draw at "full" load ranges from well
 * under TDP (memory-bound decoding) to above it (turbo), and idle is not separated.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { discoverRaplZones, POWERCAP_ROOT, type RaplOptions } from "./rapl.ts";

/** Relative half-width of the modelled band. */
export const MODELLED_BAND = 0.5;

export interface ModelledEnergyInput {
  /** Device power while busy, W; null = unknown. */
  powerW: number | null;
  /** Fraction of that power the work draws, in (0, 1] (default 1). */
  utilisation?: number;
  /** Busy time (union of the calls' intervals), ms. */
  busyMs: number;
}

export interface ModelledEnergy {
  method: "modelled";
  /** Central estimate, J; null when the power is unknown. */
  joules: number | null;
  low_j: number | null;
  high_j: number | null;
  power_w: number | null;
  utilisation: number;
  busy_ms: number;
  assumptions: string[];
}

/**
 * Energy from power × utilisation × busy time with its ±50 % band.
 * @throws RangeError on a negative busy time or a utilisation outside (0, 1]
 */
export function modelledEnergy(input: ModelledEnergyInput): ModelledEnergy {
  const utilisation = input.utilisation ?? 1;
  if (!(utilisation > 0 && utilisation <= 1))
    throw new RangeError(`utilisation must be in (0, 1], got ${utilisation}`);
  if (!(input.busyMs >= 0)) throw new RangeError(`busyMs must be ≥ 0, got ${input.busyMs}`);
  const assumptions = [`device power × utilisation × busy time, ±${MODELLED_BAND * 100}%`];
  if (input.utilisation === undefined)
    assumptions.push("utilisation assumed 1 (device fully busy while serving)");
  if (input.powerW === null || !(input.powerW > 0)) {
    assumptions.push("no device power known: set hardware.power_w for the model");
    return {
      method: "modelled",
      joules: null,
      low_j: null,
      high_j: null,
      power_w: null,
      utilisation,
      busy_ms: input.busyMs,
      assumptions,
    };
  }
  const joules = input.powerW * utilisation * (input.busyMs / 1000);
  return {
    method: "modelled",
    joules,
    low_j: joules * (1 - MODELLED_BAND),
    high_j: joules * (1 + MODELLED_BAND),
    power_w: input.powerW,
    utilisation,
    busy_ms: input.busyMs,
    assumptions,
  };
}

/**
 * The CPU's sustained (long-term, PL1) power limit summed over packages, in W, from RAPL's
 * `constraint_0_power_limit_uw`: a stand-in for TDP. Null when unavailable.
 */
export async function cpuPowerLimitW(options: RaplOptions = {}): Promise<number | null> {
  const root = options.root ?? POWERCAP_ROOT;
  const read = options.readText ?? ((path: string) => readFile(path, "utf8"));
  try {
    const zones = (await discoverRaplZones(options)).filter((z) => z.name.startsWith("package-"));
    let microwatts = 0;
    for (const zone of zones) {
      const name = (await read(join(root, zone.dir, "constraint_0_name"))).trim();
      if (name !== "long_term") return null;
      const value = Number((await read(join(root, zone.dir, "constraint_0_power_limit_uw"))).trim());
      if (!(value > 0)) return null;
      microwatts += value;
    }
    return zones.length > 0 ? microwatts / 1e6 : null;
  } catch {
    return null;
  }
}
