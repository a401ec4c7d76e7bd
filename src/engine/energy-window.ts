/**
 * Meters a local model's measured calls: idle power first, one energy window around the calls,
 * then the window's energy shared among the call attempts (by token rate over time) and written
 * to the log as one `model_energy` event.
 */
import { type CallRecord, LOG_VERSION, type ModelEnergyEvent } from "../core/records.ts";
import { attributeSeries, attributeWindow, type CallSpan, callTokens } from "../energy/attribution.ts";
import { busyMs } from "../energy/integrate.ts";
import { EnergyMonitor, type WindowMark } from "../energy/monitor.ts";
import type { ModelServices } from "./services.ts";

export class EnergyWindow {
  /**
   * The window's call attempts, kept compact (a long run has millions): the item key (a string
   * the work item already holds), the attempt, and start/end/tokens in one growing typed array.
   */
  private readonly items: string[] = [];
  private readonly attempts: number[] = [];
  private numbers = new Float64Array(3 * 1024);
  private readonly monitor: EnergyMonitor;
  private mark: WindowMark | undefined;

  private constructor(monitor: EnergyMonitor) {
    this.monitor = monitor;
  }

  /** Opens the best energy source for `device` and measures idle power (nothing may run meanwhile). */
  static async open(
    config: NonNullable<ModelServices["energy"]>,
    device: string | undefined,
  ): Promise<EnergyWindow> {
    const monitor = await EnergyMonitor.open({ ...config.monitor, device: device ?? null });
    if (config.idleMs > 0) await monitor.measureIdle(config.idleMs);
    return new EnergyWindow(monitor);
  }

  get description(): string {
    return this.monitor.description;
  }

  async begin(): Promise<void> {
    this.mark = await this.monitor.begin();
  }

  /** Notes a finished attempt of the window (warm-up calls happen before `begin`). */
  add(record: CallRecord, sentAtMs: number | null): void {
    if (record.e2e_ms === null || sentAtMs === null) return;
    // The send time on the meters' clock (epoch ms from performance.now), not started_at's ms.
    const startMs = sentAtMs;
    const at = this.items.length * 3;
    if (at + 3 > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    this.numbers[at] = startMs;
    this.numbers[at + 1] = startMs + record.e2e_ms;
    this.numbers[at + 2] = callTokens(record) ?? Number.NaN;
    this.items.push(record.item);
    this.attempts.push(record.attempt);
  }

  /** The attempts as spans for attribution (built once, at the end). */
  private spans(): (CallSpan & { item: string; attempt: number })[] {
    return this.items.map((item, i) => {
      const tokens = this.numbers[i * 3 + 2]!;
      return {
        id: String(i),
        item,
        attempt: this.attempts[i]!,
        startMs: this.numbers[i * 3]!,
        endMs: this.numbers[i * 3 + 1]!,
        tokens: Number.isNaN(tokens) ? null : tokens,
      };
    });
  }

  /** Ends the window and returns its event; closes the source. */
  async end(model: string): Promise<ModelEnergyEvent | undefined> {
    try {
      if (!this.mark) return undefined;
      const spans = this.spans();
      const window = await this.monitor.end(this.mark, spans);
      const attribution =
        window.series.length >= 2
          ? attributeSeries(window.series, spans, window.idle_w ?? undefined)
          : {
              calls: window.gross_j === null ? [] : attributeWindow(window.gross_j, spans),
              unattributed_j: null,
            };
      const byId = new Map(attribution.calls.map((c) => [c.id, c]));
      return {
        v: LOG_VERSION,
        type: "model_energy",
        model,
        at: new Date().toISOString(),
        method: window.method,
        energy_source: window.energy_source,
        description: window.description,
        duration_ms: window.duration_ms,
        busy_ms: busyMs(spans),
        gross_j: window.gross_j,
        net_j: window.net_j,
        idle_w: window.idle_w,
        low_j: window.low_j,
        high_j: window.high_j,
        unattributed_j: attribution.unattributed_j,
        notes: window.notes,
        calls: spans.flatMap((span) => {
          const share = byId.get(span.id);
          return share
            ? [
                {
                  item: span.item,
                  attempt: span.attempt,
                  energy_j: share.joules,
                  net_energy_j: share.net_joules,
                },
              ]
            : [];
        }),
      };
    } finally {
      await this.monitor.close();
    }
  }
}
