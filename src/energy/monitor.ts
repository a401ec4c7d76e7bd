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
import { DcgmSource } from "./dcgm.ts";
import { type IdlePower, measureIdlePower, netEnergy } from "./idle.ts";
import { busyMs, type Interval } from "./integrate.ts";
import { NvidiaSmiPowerSource } from "./nvidia-smi.ts";
import { NvmlPythonSource } from "./nvml-python.ts";
import {
  choosePowerModel,
  describePowerModel,
  type EnergyPlan,
  modelWindow,
  type PowerModel,
  type PowerModelOptions,
  powerModelPlan,
  type WindowCpuUsage,
} from "./power-model.ts";
import { RaplSource } from "./rapl.ts";
import {
  type EnergyMethod,
  type EnergyReading,
  type EnergySource,
  nowMs,
  type RecordEnergySource,
  recordEnergySource,
} from "./types.ts";

export type { EnergyPlan, PowerModel, WindowCpuUsage } from "./power-model.ts";

/** The device, hardware, utilisation, CPU and GPUs of the power model, and the meters' options. */
export interface EnergyMonitorOptions extends PowerModelOptions {
  /** A DCGM exporter's metrics URL (e.g. "http://gpu-host:9400/metrics"). */
  dcgmUrl?: string | undefined;
  /** GPU indices to measure (default: all). */
  gpus?: number[] | undefined;
  /** Reading period while a window is open, ms (default 1000). Keeps RAPL wraps detectable. */
  pollMs?: number | undefined;
  /** Candidate sources tried in order instead of the host probe (tests, custom readers). */
  sources?: EnergySource[] | undefined;
  /** Overrides for the built-in readers (tests): nvidia-smi and python commands. */
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
    return new EnergyMonitor(options, null, await choosePowerModel(options, notes), notes);
  }

  /** The method in use; null when energy can't even be modelled. */
  get method(): EnergyMethod | null {
    return this.source?.method ?? (this.model === null ? null : "modelled");
  }

  /** How energy is modelled; null when a source measures it (or nothing can). */
  get powerModel(): PowerModel | null {
    return this.source ? null : this.model;
  }

  get description(): string {
    if (this.source) return this.source.description;
    return this.model === null ? "no energy source" : describePowerModel(this.model);
  }

  /** What `model_start` records: the method, the table row and the utilisation source. */
  get plan(): EnergyPlan {
    const model = this.powerModel;
    const modelled = model ? powerModelPlan(model, this.options, this.cpuTimeSource) : null;
    return {
      method: this.method,
      description: this.description,
      table_row: modelled?.table_row ?? null,
      utilisation_source: modelled?.utilisation_source ?? null,
      notes: [...this.notes],
    };
  }

  /** The record label for {@link method}. */
  get energySource(): RecordEnergySource | null {
    const method = this.method;
    return method === null ? null : recordEnergySource(method);
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
      const modelled = modelWindow(this.model, this.options, busyTime, usage);
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

  /** Stops polling and the source's processes. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
    await this.source?.stop();
  }
}
