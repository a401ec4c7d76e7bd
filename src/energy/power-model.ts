/**
 * Modelled energy, when no meter measures it: which power model applies to a model's device and
 * host (the configured power, the CPU's RAPL power limit, the CPU power table, a GPU's rated
 * power), what `model_start` records of it, and a window's energy under it. Every figure is
 * labelled `modelled` with its band (see modelled.ts for the arithmetic).
 */
import { cpus as osCpus } from "node:os";
import type { HardwareConfig } from "../cost/local-cost.ts";
import { type CpuIdentity, hostCpuIdentity } from "./cpu-identity.ts";
import { type CpuPowerRow, cpuPowerRow } from "./cpu-power-table.ts";
import { type GpuRatedPower, gpuRatedPower } from "./gpu-rated-power.ts";
import { cpuPowerLimitW, cpuTableEnergy, type ModelledEnergy, modelledEnergy } from "./modelled.ts";
import type { EnergyMethod } from "./types.ts";

/** What the power model reads of a model's energy options. */
export interface PowerModelOptions {
  /** The backend's device as its runner reported it ("cpu", "cuda", "vulkan", "metal", …); unknown: null. */
  device: string | null | undefined;
  /** The model's `hardware` block (power_w for the modelled fallback). */
  hardware?: HardwareConfig | undefined;
  /** Utilisation for the modelled fallback, in (0, 1] (default: measured for a CPU, else 1). */
  utilisation?: number | undefined;
  /** The processor (default: this host's), for the CPU power table. */
  cpu?: CpuIdentity | undefined;
  /** GPU names the backend reported (for the rated-power table when no GPU meter runs). */
  gpuNames?: readonly string[] | undefined;
  /** RAPL powercap root (tests). */
  raplRoot?: string | undefined;
}

/** The serving process's CPU use over a window (see process-cpu.ts). */
export interface WindowCpuUsage {
  /** CPU seconds in the window; null when unreadable. */
  cpu_s: number | null;
  rss_bytes: number | null;
  /** How it was read ("/proc/123/stat of the spawned server …"). */
  source: string;
  /** E.g. the process exited mid-window. */
  notes: string[];
}

/** How energy is modelled when nothing measures it. */
export type PowerModel =
  | { kind: "power"; power_w: number; from: "hardware.power_w" | "RAPL power limit" }
  | { kind: "cpu-table"; row: CpuPowerRow; logical_cpus: number }
  | { kind: "gpu-rated"; gpu: GpuRatedPower };

/** What `model_start` records of the meter: method, table row, utilisation source. */
export interface EnergyPlan {
  method: EnergyMethod | null;
  description: string;
  /** The power table row used by a modelled method, in words; null otherwise. */
  table_row: string | null;
  /** Where a modelled method's utilisation comes from; null otherwise. */
  utilisation_source: string | null;
  notes: string[];
}

/** A window's modelled energy, with where its utilisation came from. */
export type ModelledWindow = ModelledEnergy & { net_j?: number; utilisation_source: string };

const isCpu = (device: string | null | undefined) => (device ?? "").toLowerCase() === "cpu";

/** How to model energy when no source measured it (see the module comment); null: it can't be. */
export async function choosePowerModel(
  options: PowerModelOptions,
  notes: string[],
): Promise<PowerModel | null> {
  const configured = options.hardware?.power_w;
  if (configured !== undefined) return { kind: "power", power_w: configured, from: "hardware.power_w" };
  const device = (options.device ?? "").toLowerCase();
  if (device === "cpu") {
    const limit = await cpuPowerLimitW(options.raplRoot ? { root: options.raplRoot } : {});
    if (limit !== null) {
      notes.push(`modelled from the CPU's RAPL power limit (${limit} W ≈ TDP)`);
      return { kind: "power", power_w: limit, from: "RAPL power limit" };
    }
    const cpu = options.cpu ?? (await hostCpuIdentity());
    const row = cpuPowerRow(cpu);
    notes.push(
      `modelled from the processor's power table: ${row.note}; set hardware.power_w to model from your own figure`,
    );
    if (cpu.limitedBy) notes.push(`${cpu.logicalCpus} vCPUs counted: limited by ${cpu.limitedBy}`);
    return { kind: "cpu-table", row, logical_cpus: cpu.logicalCpus };
  }
  const gpu = gpuRatedPower(device, options.gpuNames ?? []);
  if (gpu.found) {
    notes.push(`modelled from the GPU's rated power: ${gpu.rated.note}`);
    return { kind: "gpu-rated", gpu: gpu.rated };
  }
  if (gpu.hint) notes.push(gpu.hint);
  notes.push("no device power known: set hardware.power_w for modelled energy");
  return null;
}

/** The model in words ("modelled: AMD EPYC 3rd Gen (2 vCPUs × 0.45–2.02 W per vCPU, …)"). */
export function describePowerModel(model: PowerModel): string {
  if (model.kind === "power") return `modelled at ${model.power_w} W`;
  if (model.kind === "gpu-rated")
    return `modelled: ${model.gpu.name} rated ${model.gpu.rated_w} W × busy time`;
  const r = model.row;
  return `modelled: ${r.row} (${model.logical_cpus} vCPUs × ${r.min_w_per_vcpu}–${r.max_w_per_vcpu} W per vCPU, Cloud Carbon Footprint)`;
}

/**
 * The table row and utilisation source `model_start` records for a model; `cpuTimeSource` says
 * how the serving process's CPU time is read, when it is.
 */
export function powerModelPlan(
  model: PowerModel,
  options: PowerModelOptions,
  cpuTimeSource: string | null,
): Pick<EnergyPlan, "table_row" | "utilisation_source"> {
  if (model.kind === "cpu-table")
    return {
      table_row: model.row.note,
      utilisation_source: cpuTimeSource ?? "none: all vCPUs assumed busy while serving",
    };
  if (model.kind === "gpu-rated")
    return {
      table_row: model.gpu.note,
      utilisation_source: "none: the GPU assumed fully busy while serving",
    };
  let source = "none: assumed 1 (device fully busy while serving)";
  if (options.utilisation !== undefined) source = `energy.utilisation (${options.utilisation})`;
  else if (isCpu(options.device) && cpuTimeSource) source = cpuTimeSource;
  return { table_row: `${model.power_w} W from ${model.from}`, utilisation_source: source };
}

/** A window's energy under the model, from its busy time and the serving process's CPU use. */
export function modelWindow(
  model: PowerModel | null,
  options: PowerModelOptions,
  busyMs: number,
  usage: WindowCpuUsage | undefined,
): ModelledWindow {
  if (model?.kind === "cpu-table") {
    const e = cpuTableEnergy({
      row: model.row,
      logicalCpus: model.logical_cpus,
      busyMs,
      cpuS: usage?.cpu_s ?? null,
      rssBytes: usage?.rss_bytes ?? null,
    });
    return { ...e, utilisation_source: usage?.cpu_s != null ? usage.source : "none: all vCPUs assumed busy" };
  }
  if (model?.kind === "gpu-rated") {
    const g = model.gpu;
    const joules = g.rated_w * (busyMs / 1000);
    return {
      method: "modelled",
      joules,
      low_j: joules * g.low_factor,
      high_j: joules * g.high_factor,
      power_w: g.rated_w,
      utilisation: 1,
      busy_ms: busyMs,
      utilisation_source: "none: the GPU assumed fully busy while serving",
      assumptions: [
        g.note,
        `rated board power × busy time, band ×${g.low_factor}–×${g.high_factor} (no utilisation readable)`,
      ],
    };
  }
  let utilisation = options.utilisation;
  let source = utilisation !== undefined ? `energy.utilisation (${utilisation})` : "none: assumed 1";
  const cpus = options.cpu?.logicalCpus ?? osCpus().length;
  if (utilisation === undefined && isCpu(options.device) && usage?.cpu_s != null && cpus && busyMs > 0) {
    utilisation = Math.min(1, usage.cpu_s / (cpus * (busyMs / 1000)));
    source = `${usage.source}: ${(utilisation * 100).toFixed(1)}% of ${cpus} vCPUs`;
  }
  const e = modelledEnergy({
    powerW: model?.kind === "power" ? model.power_w : null,
    busyMs,
    ...(utilisation !== undefined ? { utilisation } : {}),
  });
  return { ...e, utilisation_source: source };
}
