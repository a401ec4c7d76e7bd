/**
 * The energy monitor of one local model: picks the best source the host offers for the device
 * the runner reports, measures idle power, and measures windows (a model's whole run, or any
 * stretch of calls) gross and net, keeping a ~1 s series of readings for per-call attribution.
 *
 * Source order (first that starts wins; each failure is kept in `notes` with its fix):
 * 1. a DCGM exporter URL, when given (the only way to measure a remote server's GPU);
 * 2. device "cuda"/"vulkan"/"gpu": NVML total-energy counter (python3 + pynvml), then nvidia-smi
 *    power sampling;
 * 3. device "cpu": RAPL;
 * 4. otherwise, or when all fail: modelled, labelled so, with a band: `hardware.power_w` (or, on a
 *    CPU, the RAPL power limit) × utilisation × busy time, ±50 %; else, on a CPU, Cloud Carbon
 *    Footprint's per-vCPU coefficients for the processor (see cpu-power-table.ts) with the serving
 *    process's measured CPU time, ±50 % (±75 % for an unknown processor); else a GPU's rated board
 *    power × busy time (see gpu-rated-power.ts); no power figure → energy unknown.
 * A GPU source sees only the GPUs, RAPL only CPU package + DRAM: neither is the wall socket.
 */
import { cpus as osCpus } from "node:os";
import type { HardwareConfig } from "../cost/local-cost.ts";
import { type CpuIdentity, hostCpuIdentity } from "./cpu-identity.ts";
import { type CpuPowerRow, cpuPowerRow } from "./cpu-power-table.ts";
import { DcgmSource } from "./dcgm.ts";
import { type GpuRatedPower, gpuRatedPower } from "./gpu-rated-power.ts";
import { type IdlePower, measureIdlePower, netEnergy } from "./idle.ts";
import { busyMs, type Interval } from "./integrate.ts";
import { cpuPowerLimitW, cpuTableEnergy, type ModelledEnergy, modelledEnergy } from "./modelled.ts";
import { NvidiaSmiPowerSource } from "./nvidia-smi.ts";
import { NvmlPythonSource } from "./nvml-python.ts";
import { RaplSource } from "./rapl.ts";
import {
  type EnergyMethod,
  type EnergyReading,
  type EnergySource,
  nowMs,
  type RecordEnergySource,
  recordEnergySource,
} from "./types.ts";

export interface EnergyMonitorOptions {
  /** The backend's device as its runner reported it ("cpu", "cuda", "vulkan", "metal", …); unknown: null. */
  device: string | null | undefined;
  /** A DCGM exporter's metrics URL (e.g. "http://gpu-host:9400/metrics"). */
  dcgmUrl?: string | undefined;
  /** GPU indices to measure (default: all). */
  gpus?: number[] | undefined;
  /** The model's `hardware` block (power_w for the modelled fallback). */
  hardware?: HardwareConfig | undefined;
  /** Utilisation for the modelled fallback, in (0, 1] (default: measured for a CPU, else 1). */
  utilisation?: number | undefined;
  /** The processor (default: this host's), for the CPU power table. */
  cpu?: CpuIdentity | undefined;
  /** GPU names the backend reported (for the rated-power table when no GPU meter runs). */
  gpuNames?: readonly string[] | undefined;
  /** Reading period while a window is open, ms (default 1000). Keeps RAPL wraps detectable. */
  pollMs?: number | undefined;
  /** Candidate sources tried in order instead of the host probe (tests, custom readers). */
  sources?: EnergySource[] | undefined;
  /** Overrides for the built-in readers (tests): RAPL root, nvidia-smi and python commands. */
  raplRoot?: string | undefined;
  nvidiaSmi?: string | undefined;
  python?: string | undefined;
  pythonEnv?: NodeJS.ProcessEnv | undefined;
}

/** The energy of one window, gross and net. */
export interface WindowEnergy {
  method: EnergyMethod | null;
  energy_source: RecordEnergySource | null;
  description: string;
  start_ms: number;
  end_ms: number;
  duration_ms: number;
  /** Energy the source saw over the window, J; null when unknown. */
  gross_j: number | null;
  /** gross − idle × duration, J; null without an idle measurement (and for modelled energy). */
  net_j: number | null;
  idle_w: number | null;
  /** Band for modelled energy (±50 %); null for measurements. */
  low_j: number | null;
  high_j: number | null;
  /** Readings in the window (joules from the window's start), for attribution. */
  series: EnergyReading[];
  /** Modelled energy: the utilisation used and where it came from; null for measurements. */
  utilisation: number | null;
  utilisation_source: string | null;
  notes: string[];
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

/** A measurement window begun by {@link EnergyMonitor.begin}. */
export interface WindowMark {
  readonly start: EnergyReading;
}

function candidates(options: EnergyMonitorOptions): EnergySource[] {
  if (options.sources) return options.sources;
  const gpus = options.gpus;
  if (options.dcgmUrl)
    return [new DcgmSource({ url: options.dcgmUrl, ...(gpus ? { gpus: gpus.map(String) } : {}) })];
  const device = (options.device ?? "").toLowerCase();
  if (device === "cuda" || device === "vulkan" || device === "gpu") {
    return [
      new NvmlPythonSource({
        ...(gpus ? { gpus } : {}),
        ...(options.python ? { python: options.python } : {}),
        ...(options.pythonEnv ? { env: options.pythonEnv } : {}),
      }),
      new NvidiaSmiPowerSource({
        ...(gpus ? { gpus } : {}),
        ...(options.nvidiaSmi ? { command: options.nvidiaSmi } : {}),
      }),
    ];
  }
  if (device === "cpu") return [new RaplSource(options.raplRoot ? { root: options.raplRoot } : {})];
  return [];
}

/** Measures energy for one local model (see the module comment). Open with {@link EnergyMonitor.open}. */
export class EnergyMonitor {
  /** Why better sources were not used, with hints. */
  readonly notes: string[];
  private readonly source: EnergySource | null;
  private readonly options: EnergyMonitorOptions;
  private readonly model: PowerModel | null;
  /** How the serving process's CPU time is read (set by the session), for the plan. */
  cpuTimeSource: string | null = null;
  private idle: IdlePower | null = null;
  private series: EnergyReading[] = [];
  private openWindows = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  /** Reads are serialised: a stateful reader (wrap tracking) must not be read twice at once. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    options: EnergyMonitorOptions,
    source: EnergySource | null,
    model: PowerModel | null,
    notes: string[],
  ) {
    this.options = options;
    this.source = source;
    this.model = model;
    this.notes = notes;
  }

  /** Probes the host and starts the best source. Never throws for a missing source: it falls back. */
  static async open(options: EnergyMonitorOptions): Promise<EnergyMonitor> {
    const notes: string[] = [];
    for (const source of candidates(options)) {
      try {
        await source.start();
        return new EnergyMonitor(options, source, null, notes);
      } catch (error) {
        notes.push(`${source.method}: ${(error as Error).message}`);
        await source.stop().catch(() => {});
      }
    }
    if (!options.dcgmUrl && (options.device ?? "") === "remote") {
      notes.push("a remote server's energy can be measured only through its host's DCGM exporter URL");
    }
    return new EnergyMonitor(options, null, await powerModel(options, notes), notes);
  }

  /** The method in use; null when energy can't even be modelled. */
  get method(): EnergyMethod | null {
    return this.source?.method ?? (this.model === null ? null : "modelled");
  }

  /** How energy is modelled; null when a source measures it (or nothing can). */
  get powerModel(): PowerModel | null {
    return this.source ? null : this.model;
  }

  /** What `model_start` records: the method, the table row and the utilisation source. */
  get plan(): EnergyPlan {
    const model = this.powerModel;
    let row: string | null = null;
    let utilisation: string | null = null;
    if (model?.kind === "cpu-table") {
      row = model.row.note;
      utilisation = this.cpuTimeSource ?? "none: all vCPUs assumed busy while serving";
    } else if (model?.kind === "gpu-rated") {
      row = model.gpu.note;
      utilisation = "none: the GPU assumed fully busy while serving";
    } else if (model?.kind === "power") {
      row = `${model.power_w} W from ${model.from}`;
      utilisation = this.utilisationSource();
    }
    return {
      method: this.method,
      description: this.description,
      table_row: row,
      utilisation_source: utilisation,
      notes: [...this.notes],
    };
  }

  /** Where the `power` model's utilisation comes from. */
  private utilisationSource(): string {
    if (this.options.utilisation !== undefined) return `energy.utilisation (${this.options.utilisation})`;
    if (isCpu(this.options.device) && this.cpuTimeSource) return this.cpuTimeSource;
    return "none: assumed 1 (device fully busy while serving)";
  }

  /** The record label for {@link method}. */
  get energySource(): RecordEnergySource | null {
    const method = this.method;
    return method === null ? null : recordEnergySource(method);
  }

  get description(): string {
    if (this.source) return this.source.description;
    const model = this.model;
    if (model === null) return "no energy source";
    if (model.kind === "power") return `modelled at ${model.power_w} W`;
    if (model.kind === "gpu-rated")
      return `modelled: ${model.gpu.name} rated ${model.gpu.rated_w} W × busy time`;
    const r = model.row;
    return `modelled: ${r.row} (${model.logical_cpus} vCPUs × ${r.min_w_per_vcpu}–${r.max_w_per_vcpu} W per vCPU, Cloud Carbon Footprint)`;
  }

  /** The idle measurement, if one was made. */
  get idlePower(): IdlePower | null {
    return this.idle;
  }

  private read(): Promise<EnergyReading> {
    const source = this.source!;
    const next = this.chain.then(() => source.read());
    this.chain = next.catch(() => {});
    return next;
  }

  /** Measures idle power over `durationMs` (nothing must run meanwhile); null for modelled energy. */
  async measureIdle(durationMs = 5000): Promise<IdlePower | null> {
    if (this.source === null) return null;
    const source = this.source;
    const serialised: EnergySource = {
      method: source.method,
      description: source.description,
      start: () => source.start(),
      read: () => this.read(),
      stop: () => source.stop(),
    };
    this.idle = await measureIdlePower(serialised, durationMs);
    if (this.idle.warning) this.notes.push(this.idle.warning);
    return this.idle;
  }

  private async poll(): Promise<void> {
    if (this.source === null || this.polling) return;
    this.polling = this.read()
      .then((reading) => {
        this.series.push(reading);
      })
      .catch((error: Error) => {
        this.notes.push(`reading failed during a window: ${error.message}`);
      })
      .finally(() => {
        this.polling = undefined;
      });
    await this.polling;
  }

  /** Starts a window: reads the source and keeps polling while any window is open. */
  async begin(): Promise<WindowMark> {
    const start = this.source ? await this.read() : { joules: 0, t: nowMs() };
    if (this.source) {
      this.series.push(start);
      if (this.openWindows++ === 0) {
        this.timer = setInterval(() => void this.poll(), this.options.pollMs ?? 1000);
        this.timer.unref();
      }
    }
    return { start };
  }

  /**
   * Ends a window. For modelled energy, `busy` gives the calls' intervals (their union is the
   * busy time) or that busy time itself, ms; without it the whole window counts as busy.
   */
  async end(
    mark: WindowMark,
    busy?: readonly Interval[] | number,
    usage?: WindowCpuUsage,
  ): Promise<WindowEnergy> {
    const notes: string[] = [];
    if (this.source === null) {
      const endMs = nowMs();
      const busyTime = typeof busy === "number" ? busy : busy ? busyMs(busy) : endMs - mark.start.t;
      const modelled = this.modelled(busyTime, usage);
      return {
        method: this.method,
        energy_source: this.energySource,
        description: this.description,
        start_ms: mark.start.t,
        end_ms: endMs,
        duration_ms: endMs - mark.start.t,
        gross_j: modelled.joules,
        net_j: modelled.net_j ?? null,
        idle_w: null,
        low_j: modelled.low_j,
        high_j: modelled.high_j,
        series: [],
        utilisation: modelled.joules === null ? null : modelled.utilisation,
        utilisation_source: modelled.joules === null ? null : modelled.utilisation_source,
        // Without a power figure nothing was modelled: its assumptions would only be noise.
        notes:
          modelled.joules === null
            ? [...this.notes]
            : [...this.notes, ...modelled.assumptions, ...(usage?.notes ?? [])],
      };
    }
    const end = await this.read();
    this.series.push(end);
    if (--this.openWindows === 0) clearInterval(this.timer);
    const series = this.series
      .filter((r) => r.t >= mark.start.t && r.t <= end.t)
      .map((r) => ({ joules: r.joules - mark.start.joules, t: r.t }));
    if (this.openWindows === 0) this.series = [];
    const duration = end.t - mark.start.t;
    const gross = end.joules - mark.start.joules;
    if (gross === 0 && duration > 0)
      notes.push(`the ${this.source.method} reading did not advance during the window`);
    const idleW = this.idle?.watts ?? null;
    if (idleW === null) notes.push("no idle measurement: net energy unknown");
    return {
      method: this.source.method,
      energy_source: recordEnergySource(this.source.method),
      description: this.source.description,
      start_ms: mark.start.t,
      end_ms: end.t,
      duration_ms: duration,
      gross_j: gross,
      net_j: netEnergy(gross, idleW, duration),
      idle_w: idleW,
      low_j: null,
      high_j: null,
      series,
      utilisation: null,
      utilisation_source: null,
      notes: [...this.notes, ...notes],
    };
  }

  /** The modelled energy of a window (see {@link PowerModel}). */
  private modelled(
    busyTime: number,
    usage: WindowCpuUsage | undefined,
  ): ModelledEnergy & { net_j?: number; utilisation_source: string } {
    const model = this.model;
    if (model?.kind === "cpu-table") {
      const e = cpuTableEnergy({
        row: model.row,
        logicalCpus: model.logical_cpus,
        busyMs: busyTime,
        cpuS: usage?.cpu_s ?? null,
        rssBytes: usage?.rss_bytes ?? null,
      });
      const source = usage?.cpu_s != null ? usage.source : "none: all vCPUs assumed busy";
      return { ...e, utilisation_source: source };
    }
    if (model?.kind === "gpu-rated") {
      const g = model.gpu;
      const joules = g.rated_w * (busyTime / 1000);
      return {
        method: "modelled",
        joules,
        low_j: joules * g.low_factor,
        high_j: joules * g.high_factor,
        power_w: g.rated_w,
        utilisation: 1,
        busy_ms: busyTime,
        utilisation_source: "none: the GPU assumed fully busy while serving",
        assumptions: [
          g.note,
          `rated board power × busy time, band ×${g.low_factor}–×${g.high_factor} (no utilisation readable)`,
        ],
      };
    }
    let utilisation = this.options.utilisation;
    let source = utilisation !== undefined ? `energy.utilisation (${utilisation})` : "none: assumed 1";
    const cpus = this.options.cpu?.logicalCpus ?? osCpus().length;
    if (
      utilisation === undefined &&
      isCpu(this.options.device) &&
      usage?.cpu_s != null &&
      cpus &&
      busyTime > 0
    ) {
      utilisation = Math.min(1, usage.cpu_s / (cpus * (busyTime / 1000)));
      source = `${usage.source}: ${(utilisation * 100).toFixed(1)}% of ${cpus} vCPUs`;
    }
    const e = modelledEnergy({
      powerW: model?.kind === "power" ? model.power_w : null,
      busyMs: busyTime,
      ...(utilisation !== undefined ? { utilisation } : {}),
    });
    return { ...e, utilisation_source: source };
  }

  /** Stops polling and the source's processes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.source?.stop();
  }
}

const isCpu = (device: string | null | undefined) => (device ?? "").toLowerCase() === "cpu";

/** How to model energy when no source measured it (see the module comment); null: it can't be. */
async function powerModel(options: EnergyMonitorOptions, notes: string[]): Promise<PowerModel | null> {
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
