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
import type { CpuPowerRow } from "./cpu-power-table.ts";
import { discoverRaplZones, POWERCAP_ROOT, type RaplOptions } from "./rapl.ts";

/** Relative half-width of the modelled band. */
export const MODELLED_BAND = 0.5;

export interface ModelledEnergyInput {
  /** Device power while busy, W; null = unknown. */
  powerW: number | null;
  /** Fraction of that power the work draws, in [0, 1] (default 1; 0: a measured idle process). */
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
 * @throws RangeError on a negative busy time or a utilisation outside [0, 1]
 */
export function modelledEnergy(input: ModelledEnergyInput): ModelledEnergy {
  const utilisation = input.utilisation ?? 1;
  if (!(utilisation >= 0 && utilisation <= 1))
    throw new RangeError(`utilisation must be in [0, 1], got ${utilisation}`);
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

/** Relative half-width of the band when the processor is not in the table (per-vCPU default). */
export const DEFAULT_ROW_BAND = 0.75;

export interface CpuTableInput {
  /** The processor's row (see cpu-power-table.ts). */
  row: Pick<CpuPowerRow, "row" | "basis" | "min_w_per_vcpu" | "max_w_per_vcpu" | "memory_w_per_gb">;
  /** vCPUs the OS shows. */
  logicalCpus: number;
  /** Busy time (union of the calls' intervals), ms. */
  busyMs: number;
  /** CPU seconds the serving process used in the window; null when unmeasured (fully busy assumed). */
  cpuS: number | null;
  /** The serving process's resident memory, bytes; null when unknown (no memory term). */
  rssBytes: number | null;
}

export interface CpuTableEnergy extends Omit<ModelledEnergy, "power_w"> {
  /** The dynamic part (CPU time × (max − min) per vCPU), the modelled counterpart of net energy. */
  net_j: number;
  /** Mean power over the busy time, W. */
  power_w: number;
  band: number;
}

/**
 * Cloud Carbon Footprint's model applied to the serving process over the busy time:
 *
 *   energy_J = vCPUs × min_W × busy_s + cpu_s × (max_W − min_W) + rss_GB × memory_W/GB × busy_s
 *
 * i.e. CCF's `min + utilisation × (max − min)` per vCPU with utilisation = cpu_s ÷ (vCPUs × busy_s),
 * plus CCF's memory coefficient for the memory the process holds. Band ±50 % for a table row,
 * ±75 % for the per-vCPU default.
 */
export function cpuTableEnergy(input: CpuTableInput): CpuTableEnergy {
  const { row, logicalCpus } = input;
  if (!(input.busyMs >= 0)) throw new RangeError(`busyMs must be ≥ 0, got ${input.busyMs}`);
  if (!(logicalCpus >= 1)) throw new RangeError(`logicalCpus must be ≥ 1, got ${logicalCpus}`);
  const busyS = input.busyMs / 1000;
  const assumptions: string[] = [];
  let cpuS = input.cpuS;
  if (cpuS === null) {
    cpuS = logicalCpus * busyS;
    assumptions.push("the serving process's CPU time is not readable: all vCPUs assumed busy while serving");
  }
  const utilisation = busyS > 0 ? Math.min(1, cpuS / (logicalCpus * busyS)) : 0;
  const idle = logicalCpus * row.min_w_per_vcpu * busyS;
  const dynamic = cpuS * (row.max_w_per_vcpu - row.min_w_per_vcpu);
  const memoryGb = input.rssBytes === null ? null : input.rssBytes / 2 ** 30;
  const memory = memoryGb === null ? 0 : memoryGb * row.memory_w_per_gb * busyS;
  const joules = idle + dynamic + memory;
  const band = row.basis === "default" ? DEFAULT_ROW_BAND : MODELLED_BAND;
  assumptions.push(
    `vCPUs × min W × busy time + CPU time × (max − min) W${memoryGb === null ? "" : " + memory GB × W/GB × busy time"}` +
      ` (Cloud Carbon Footprint's model), ±${band * 100}%`,
  );
  return {
    method: "modelled",
    joules,
    net_j: dynamic,
    low_j: joules * (1 - band),
    high_j: joules * (1 + band),
    power_w: busyS > 0 ? joules / busyS : 0,
    utilisation,
    busy_ms: input.busyMs,
    band,
    assumptions,
  };
}

/**
 * A modelled figure's band as factors of its central figure (0.5 and 1.5 for ±50 %), rounded to
 * nine significant figures so that 1.5 reads 1.5 and not 1.5000000000000002; null when any of
 * the three is unknown or the centre is not positive (a measurement has no band).
 */
export function bandFactors(
  grossJ: number | null,
  lowJ: number | null,
  highJ: number | null,
): { low: number; high: number } | null {
  if (grossJ === null || !(grossJ > 0) || lowJ === null || highJ === null) return null;
  const round = (v: number) => Number(v.toPrecision(9));
  return { low: round(lowJ / grossJ), high: round(highJ / grossJ) };
}
