/**
 * Meters a local model's measured calls: the meter is opened once per model (idle power measured
 * then, see {@link openEnergyMeter}); an energy window around some calls (a run's measured calls,
 * or one load step) then shares its energy among the call attempts (by token rate over time) and
 * is written to the log as a `model_energy` event (its per-attempt shares in `model_energy_calls`
 * events of at most ENERGY_CALLS_PER_EVENT when the window is large). Without any energy method
 * only the busy time is kept, as the calls finish, so memory does not grow with the calls.
 */

import { PackedStrings } from "../core/packed-strings.ts";
import {
  type CallRecord,
  ENERGY_CALLS_PER_EVENT,
  LOG_VERSION,
  type ModelEnergyCall,
  type ModelEnergyCallsEvent,
  type ModelEnergyEvent,
} from "../core/records.ts";
import {
  attributeSeriesColumns,
  attributeWindowColumns,
  callTokens,
  type SpanColumns,
} from "../energy/attribution.ts";
import { BusyTime } from "../energy/busy-time.ts";
import { EnergyMonitor, type WindowCpuUsage, type WindowMark } from "../energy/monitor.ts";
import type { CpuReading, ProcessCpuMeter } from "../energy/process-cpu.ts";
import type { ModelServices } from "./services.ts";

export class EnergyWindow {
  /**
   * The window's call attempts, kept compact (a long run has millions): item keys packed, the
   * attempt numbers and start/end/tokens in growing typed arrays.
   */
  private readonly items = new PackedStrings();
  private attempts = new Uint32Array(1024);
  private numbers = new Float64Array(3 * 1024);
  private readonly monitor: EnergyMonitor;
  private mark: WindowMark | undefined;
  private readonly busy = new BusyTime();
  /** Whether the window's energy will be shared among its calls (else their spans are not kept). */
  private readonly attributes: boolean;
  /** The serving process's CPU time at the window's start, and its meter (polled so an exit leaves a recent reading). */
  private readonly cpu:
    | { meter: ProcessCpuMeter; start: CpuReading | null; timer: NodeJS.Timeout }
    | undefined;
  /** Whether the model runs on a GPU (its busy time counts as GPU-seconds). */
  private readonly onGpu: boolean;

  private constructor(
    monitor: EnergyMonitor,
    mark: WindowMark,
    cpu: { meter: ProcessCpuMeter; start: CpuReading | null } | undefined,
    onGpu: boolean,
  ) {
    this.monitor = monitor;
    this.mark = mark;
    this.attributes = monitor.method !== null;
    this.onGpu = onGpu;
    if (cpu) {
      const timer = setInterval(() => void cpu.meter.read(), CPU_POLL_MS);
      timer.unref();
      this.cpu = { ...cpu, timer };
    }
  }

  /**
   * Begins a window on an open meter (several may follow one another on one meter), reading the
   * serving process's CPU time when there is one (`cpu`), and counting GPU-seconds on a GPU device.
   */
  static async begin(monitor: EnergyMonitor, cpu?: ProcessCpuMeter, onGpu = false): Promise<EnergyWindow> {
    const start = cpu ? await cpu.read() : null;
    return new EnergyWindow(monitor, await monitor.begin(), cpu && { meter: cpu, start }, onGpu);
  }

  /** The serving process's CPU use since the window began (undefined without a process). */
  private async cpuUsage(): Promise<WindowCpuUsage | undefined> {
    const cpu = this.cpu;
    if (!cpu) return undefined;
    clearInterval(cpu.timer);
    const end = await cpu.meter.read();
    const notes = cpu.meter.exitedNote ? [cpu.meter.exitedNote] : [];
    const cpu_s = cpu.start && end ? Math.max(0, end.cpu_s - cpu.start.cpu_s) : null;
    if (cpu_s === null)
      notes.push(`the serving process's CPU time could not be read (${cpu.meter.description})`);
    return { cpu_s, rss_bytes: end?.rss_bytes ?? null, source: cpu.meter.description, notes };
  }

  /** An attempt of the window is about to be made: its ticket. */
  dispatch(): number {
    return this.busy.dispatch(performance.timeOrigin + performance.now());
  }

  /** The attempt of `ticket` was cancelled: it has no record. */
  forget(ticket: number): void {
    this.busy.finish(ticket);
  }

  /** Notes the finished attempt of `ticket`. */
  add(ticket: number, record: CallRecord, sentAtMs: number | null): void {
    if (record.e2e_ms === null || sentAtMs === null) {
      this.busy.finish(ticket);
      return;
    }
    // The send time on the meters' clock (epoch ms from performance.now), not started_at's ms.
    const startMs = sentAtMs;
    this.busy.finish(ticket, startMs, startMs + record.e2e_ms);
    if (!this.attributes) return;
    const n = this.items.length;
    if (n === this.attempts.length) {
      const attempts = new Uint32Array(n * 2);
      attempts.set(this.attempts);
      this.attempts = attempts;
      const numbers = new Float64Array(n * 2 * 3);
      numbers.set(this.numbers);
      this.numbers = numbers;
    }
    this.numbers[n * 3] = startMs;
    this.numbers[n * 3 + 1] = startMs + record.e2e_ms;
    this.numbers[n * 3 + 2] = callTokens(record) ?? Number.NaN;
    this.attempts[n] = record.attempt;
    this.items.push(record.item);
  }

  /** The attempts as columns for attribution. */
  private columns(): SpanColumns {
    const n = this.items.length;
    const columns = { starts: new Float64Array(n), ends: new Float64Array(n), tokens: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      columns.starts[i] = this.numbers[i * 3]!;
      columns.ends[i] = this.numbers[i * 3 + 1]!;
      columns.tokens[i] = this.numbers[i * 3 + 2]!;
    }
    return columns;
  }

  /**
   * Ends the window and passes its events to `append`: the `model_energy` event, then for a large
   * window its per-attempt shares in `model_energy_calls` events, each built only when it is
   * appended. The meter stays open (the model session closes it); a second `end` does nothing.
   */
  async end(model: string, append: (event: ModelEnergyEvent | ModelEnergyCallsEvent) => void): Promise<void> {
    try {
      if (!this.mark) return;
      const spans = this.columns();
      const busyMs = this.busy.ms;
      const usage = await this.cpuUsage();
      const window = await this.monitor.end(this.mark, busyMs, usage);
      const cpuS = usage?.cpu_s ?? null;
      const gpuS = this.onGpu ? busyMs / 1000 : null;
      // Each attempt's share of the compute: its time in flight over all attempts' time in flight.
      let inFlightMs = 0;
      for (let i = 0; i < spans.starts.length; i++) inFlightMs += spans.ends[i]! - spans.starts[i]!;
      const share = (i: number, total: number | null) =>
        total === null || inFlightMs <= 0 ? null : (total * (spans.ends[i]! - spans.starts[i]!)) / inFlightMs;
      let gross: Float64Array | null = null;
      let net: Float64Array | null = null;
      let unattributed: number | null = null;
      if (window.series.length >= 2) {
        const shared = attributeSeriesColumns(window.series, spans, window.idle_w ?? undefined);
        ({ gross, net } = shared);
        unattributed = shared.unattributed_j;
      } else if (window.gross_j !== null) {
        gross = attributeWindowColumns(window.gross_j, spans);
      }
      const count = gross === null ? 0 : this.items.length;
      const calls = (from: number, to: number): ModelEnergyCall[] => {
        const out: ModelEnergyCall[] = [];
        for (let i = from; i < to; i++) {
          out.push({
            item: this.items.at(i),
            attempt: this.attempts[i]!,
            energy_j: gross![i]!,
            net_energy_j: net === null ? null : net[i]!,
            cpu_s: share(i, cpuS),
            gpu_s: share(i, gpuS),
          });
        }
        return out;
      };
      const chunked = count > ENERGY_CALLS_PER_EVENT;
      append({
        v: LOG_VERSION,
        type: "model_energy",
        model,
        at: new Date().toISOString(),
        method: window.method,
        energy_source: window.energy_source,
        description: window.description,
        duration_ms: window.duration_ms,
        busy_ms: busyMs,
        gross_j: window.gross_j,
        net_j: window.net_j,
        idle_w: window.idle_w,
        low_j: window.low_j,
        high_j: window.high_j,
        unattributed_j: unattributed,
        cpu_s: cpuS,
        gpu_s: gpuS,
        utilisation: window.utilisation,
        utilisation_source: window.utilisation_source,
        notes: window.notes,
        calls: chunked ? [] : calls(0, count),
      });
      if (!chunked) return;
      for (let from = 0; from < count; from += ENERGY_CALLS_PER_EVENT) {
        const to = Math.min(count, from + ENERGY_CALLS_PER_EVENT);
        append({ v: LOG_VERSION, type: "model_energy_calls", model, calls: calls(from, to) });
      }
    } finally {
      this.mark = undefined;
      if (this.cpu) clearInterval(this.cpu.timer);
    }
  }
}

/** How often the serving process's CPU time is read while a window is open, ms. */
const CPU_POLL_MS = 1000;

/**
 * Opens the best energy source for `device` and measures idle power (nothing may run meanwhile):
 * the meter of one model, for all its windows. The caller closes it.
 */
export async function openEnergyMeter(
  config: NonNullable<ModelServices["energy"]>,
  device: string | undefined,
  gpuNames: readonly string[] = [],
): Promise<EnergyMonitor> {
  const monitor = await EnergyMonitor.open({ gpuNames, ...config.monitor, device: device ?? null });
  try {
    if (config.idleMs > 0) await monitor.measureIdle(config.idleMs);
  } catch (error) {
    await monitor.close().catch(() => undefined);
    throw error;
  }
  return monitor;
}
