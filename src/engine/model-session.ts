/**
 * One model's session, the same for `opbench run` and `opbench load`: start (the runner's
 * startup, facts about the backend and its model file, the energy meter with its idle
 * measurement), the `model_start` event, measured windows (each a `model_energy` event for a
 * local model with a meter), each finished call priced, and stop (meter closed, runner shut
 * down). The modes decide what a window covers: a run's measured calls, or one load step.
 */
import type { CallRecord, LogEvent, ModelEnergyPlan, ModelStartEvent } from "../core/records.ts";
import { LOG_VERSION } from "../core/records.ts";
import type { BackendInfo, Runner } from "../core/runner.ts";
import type { EnergyMonitor } from "../energy/monitor.ts";
import { ProcessCpuMeter } from "../energy/process-cpu.ts";
import { modelFileFacts } from "../host/model-file.ts";
import type { ResolvedModel } from "../suite/resolved.ts";
import { EnergyWindow, openEnergyMeter } from "./energy-window.ts";
import type { ModelServices } from "./services.ts";

export interface ModelSessionOptions {
  model: ResolvedModel;
  /** The model's runner, pricing and energy (the CLI's `prepareModel`). */
  services: ModelServices;
  runDir: string;
  /** Directory of the suite file, for relative paths. */
  baseDir: string;
  /** Calls the runner is told to expect in flight at once. */
  concurrency: number;
  /** Aborted when the user interrupts (passed to the runner's startup). */
  signal: AbortSignal;
  /** Appends to the run log: `model_start`, `model_energy`, `model_energy_calls`. */
  append: (event: LogEvent) => void;
  /** Progress and warnings for the user; the session prefixes them with `[model id]`. */
  log?: ((message: string) => void) | undefined;
}

/** A started session, or why the model could not start (its `model_start` event says so too). */
export type SessionStart =
  | { session: ModelSession; error?: undefined }
  | { session?: undefined; error: Error };

export class ModelSession {
  readonly model: ResolvedModel;
  readonly services: ModelServices;
  /** The backend as the runner described it at startup. */
  readonly backend: BackendInfo | undefined;
  private readonly options: ModelSessionOptions;
  private readonly meter: EnergyMonitor | undefined;
  /** The serving process's CPU time (compute, and a modelled CPU's utilisation). */
  private readonly cpu: ProcessCpuMeter | undefined;
  private window: EnergyWindow | undefined;
  /** Pricing and energy warnings already shown (each once per model). */
  private readonly warned = new Set<string>();
  private stopped = false;

  private constructor(
    options: ModelSessionOptions,
    backend: BackendInfo | undefined,
    meter?: EnergyMonitor,
    cpu?: ProcessCpuMeter,
  ) {
    this.options = options;
    this.model = options.model;
    this.services = options.services;
    this.backend = backend;
    this.meter = meter;
    this.cpu = cpu;
  }

  /**
   * Starts the runner, records the model file's facts (size, sha256, GGUF header) and opens the
   * energy meter (idle power measured: nothing may run meanwhile), then logs `model_start`.
   * When any of it fails, `model_start` carries the error, the runner is shut down, and the error
   * is returned: the model's calls are not made. A started session must be {@link stop}ped.
   */
  static async start(options: ModelSessionOptions): Promise<SessionStart> {
    const { model, services } = options;
    const say = (message: string) => options.log?.(`[${model.id}] ${message}`);
    let backend: BackendInfo | undefined;
    let meter: EnergyMonitor | undefined;
    let cpu: ProcessCpuMeter | undefined;
    try {
      backend = await services.runner.startup?.({
        runDir: options.runDir,
        baseDir: options.baseDir,
        concurrency: options.concurrency,
        log: say,
        signal: options.signal,
      });
      if (backend && typeof backend.model_path === "string" && backend.model_file === undefined) {
        backend.model_file = (await modelFileFacts(backend.model_path)) ?? null;
      }
      const serving = services.runner.servingProcess?.();
      if (serving) cpu = new ProcessCpuMeter(serving);
      if (services.energy) {
        meter = await openEnergyMeter(services.energy, backend?.device, gpuNames(backend));
        if (cpu) meter.cpuTimeSource = cpu.description;
        say(`energy: ${meter.description}`);
      }
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      options.append(modelStartEvent(model, null, undefined, err.message));
      await services.runner.shutdown?.();
      return { error: err };
    }
    options.append(modelStartEvent(model, backend ?? null, meter?.plan));
    return { session: new ModelSession(options, backend, meter, cpu) };
  }

  get runner(): Runner {
    return this.services.runner;
  }

  /**
   * Begins a measured window: the energy until {@link endMeasured}, shared among the attempts
   * dispatched into {@link measuring}. Nothing happens for a model without a meter.
   */
  async beginMeasured(): Promise<void> {
    if (this.meter) this.window = await EnergyWindow.begin(this.meter, this.cpu, onGpu(this.backend?.device));
  }

  /** The open measured window, if any: attempts made in it are dispatched into it and added when done. */
  get measuring(): EnergyWindow | undefined {
    return this.window;
  }

  /** Ends the measured window: its `model_energy` event (and any `model_energy_calls`) go to the log. */
  async endMeasured(): Promise<void> {
    const window = this.window;
    this.window = undefined;
    await window?.end(this.model.id, (event) => this.options.append(event));
  }

  /**
   * Prices a finished attempt (API models) and adds its published energy estimate, in place;
   * warns once per problem (an unknown price, no estimate). Runs after the call's timing is taken.
   */
  finishCall(record: CallRecord): void {
    const { priceCall, callEnergy } = this.services;
    if (priceCall && (record.input_tokens !== null || record.output_tokens !== null)) {
      const price = priceCall(record);
      record.cost_usd = price.cost_usd;
      this.warn(price.warning);
    }
    if (callEnergy && record.ok) {
      const energy = callEnergy(record);
      record.energy_j = energy.energy_j;
      record.energy_source = energy.energy_j === null ? null : "published-estimate";
      if (energy.energy_j !== null && energy.low_j != null && energy.high_j != null) {
        record.energy_low_j = energy.low_j;
        record.energy_high_j = energy.high_j;
      }
      this.warn(energy.warning);
    }
  }

  private warn(warning: string | undefined): void {
    if (!warning || this.warned.has(warning)) return;
    this.warned.add(warning);
    this.options.log?.(`[${this.model.id}] ${warning}`);
  }

  /**
   * Drops a window still open (an interrupted or failed mode: nothing is logged for it), closes
   * the meter and shuts the runner down. Safe to call twice.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const window = this.window;
    this.window = undefined;
    await window?.end(this.model.id, () => undefined).catch(() => undefined);
    await this.meter?.close().catch(() => undefined);
    await this.runner.shutdown?.();
  }
}

function modelStartEvent(
  model: ResolvedModel,
  backend: BackendInfo | null,
  energy?: ModelEnergyPlan,
  error?: string,
): ModelStartEvent {
  return {
    v: LOG_VERSION,
    type: "model_start",
    model: model.id,
    runner: model.runner,
    at: new Date().toISOString(),
    backend,
    ...(energy !== undefined && { energy }),
    ...(error !== undefined && { error }),
  };
}

/** Whether a backend device is a GPU (its busy time counts as GPU-seconds). */
function onGpu(device: string | undefined): boolean {
  return device !== undefined && !["cpu", "remote", ""].includes(device.toLowerCase());
}

/** The GPU names a backend reported (`gpu_devices`, or a spawned server's `spawn.devices`). */
function gpuNames(backend: BackendInfo | undefined): string[] {
  const spawn = backend?.spawn as { devices?: unknown } | undefined;
  const lists = [backend?.gpu_devices, spawn?.devices];
  return lists.flatMap((list) =>
    Array.isArray(list) ? list.filter((n): n is string => typeof n === "string") : [],
  );
}
