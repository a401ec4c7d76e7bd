/**
 * Pure arithmetic shared by the readers: counter deltas with wrap-around, the trapezoid rule
 * over power samples, interpolation in a cumulative-energy series, and busy time.
 */
import type { EnergyReading } from "./types.ts";

/**
 * Increase of a counter that wraps to 0 after `max` (RAPL: `max_energy_range_uj`), in the
 * counter's unit. A decrease is one wrap: `max − before + after`. With `max` null (a 64-bit
 * counter that does not wrap, e.g. NVML's), a decrease means the counter was reset (driver
 * reload) and null is returned.
 * Wraps are only detectable if the counter is read at least once per wrap period (RAPL: tens
 * of minutes at full load), which is why sources are polled during long windows.
 */
export function counterDelta(before: number, after: number, max: number | null): number | null {
  if (after >= before) return after - before;
  return max === null ? null : max - before + after;
}

/**
 * Unrolls a wrapping counter into a monotonic total since the first update.
 * `update(raw)` returns the total in the counter's unit; a reset (decrease without a wrap range)
 * restarts from the new value and is counted in `resets`.
 */
export class UnwrappedCounter {
  private last: number | undefined;
  private total = 0;
  private readonly max: number | null;
  /** Decreases seen without a wrap range (counter resets). */
  resets = 0;
  /** Wrap-arounds unrolled. */
  wraps = 0;
  /** @param max value after which the counter wraps to 0 (null: it never wraps) */
  constructor(max: number | null) {
    this.max = max;
  }

  update(raw: number): number {
    if (this.last !== undefined) {
      const delta = counterDelta(this.last, raw, this.max);
      if (delta === null) this.resets++;
      else {
        if (raw < this.last) this.wraps++;
        this.total += delta;
      }
    }
    this.last = raw;
    return this.total;
  }
}

/** A power sample: watts at time t (epoch ms). */
export interface PowerSample {
  t: number;
  watts: number;
}

/**
 * Cumulative energy of a stream of power samples by the trapezoid rule: between samples at
 * t₀, t₁ the energy is (P₀ + P₁)/2 · (t₁ − t₀). Samples must arrive in time order (an older
 * or same-time sample is ignored). `readingAt(t)` interpolates linearly inside a segment, so a
 * window can start or end between samples.
 */
export class PowerIntegrator {
  private readonly times: number[] = [];
  private readonly watts: number[] = [];
  /** Cumulative joules at each sample time. */
  private readonly joules: number[] = [];

  /** Adds a sample; returns false when it was out of order and ignored. */
  add(sample: PowerSample): boolean {
    const n = this.times.length;
    if (!Number.isFinite(sample.t) || !Number.isFinite(sample.watts)) return false;
    if (n > 0 && sample.t <= this.times[n - 1]!) return false;
    const energy =
      n === 0
        ? 0
        : this.joules[n - 1]! +
          ((this.watts[n - 1]! + sample.watts) / 2) * ((sample.t - this.times[n - 1]!) / 1000);
    this.times.push(sample.t);
    this.watts.push(sample.watts);
    this.joules.push(energy);
    return true;
  }

  get count(): number {
    return this.times.length;
  }

  /** Time of the first and last samples (epoch ms), or null before any. */
  get span(): { first: number; last: number } | null {
    return this.times.length === 0
      ? null
      : { first: this.times[0]!, last: this.times[this.times.length - 1]! };
  }

  /**
   * Cumulative joules at time t, clamped to the sampled span (a time after the last sample
   * reads as the last sample's total, and `t` says so). Null before any sample.
   */
  readingAt(t: number): EnergyReading | null {
    const n = this.times.length;
    if (n === 0) return null;
    if (t <= this.times[0]!) return { joules: 0, t: this.times[0]! };
    if (t >= this.times[n - 1]!) return { joules: this.joules[n - 1]!, t: this.times[n - 1]! };
    const i = upperIndex(this.times, t);
    const t0 = this.times[i - 1]!;
    const p0 = this.watts[i - 1]!;
    const p1 = this.watts[i]!;
    const fraction = (t - t0) / (this.times[i]! - t0);
    // Trapezoid up to t with the power interpolated at t: ∫ from t0 to t of the linear P(τ).
    const pt = p0 + fraction * (p1 - p0);
    return { joules: this.joules[i - 1]! + ((p0 + pt) / 2) * ((t - t0) / 1000), t };
  }
}

/** Index of the first element whose time is > t, in ascending order (binary search). */
function upperIndex<T>(
  items: readonly T[],
  t: number,
  timeOf: (item: T) => number = (x) => x as number,
): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (timeOf(items[mid]!) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Energy in joules between two times of the power samples (trapezoid rule, interpolated at the
 * edges). Parts of the window outside the sampled span contribute nothing; `covered_ms` says how
 * much of it was sampled.
 */
export function integratePower(
  samples: readonly PowerSample[],
  fromMs: number,
  toMs: number,
): { joules: number; covered_ms: number } {
  const integrator = new PowerIntegrator();
  for (const sample of [...samples].sort((a, b) => a.t - b.t)) integrator.add(sample);
  const span = integrator.span;
  if (span === null || toMs <= fromMs) return { joules: 0, covered_ms: 0 };
  const start = integrator.readingAt(fromMs)!;
  const end = integrator.readingAt(toMs)!;
  return {
    joules: end.joules - start.joules,
    covered_ms: Math.max(0, Math.min(toMs, span.last) - Math.max(fromMs, span.first)),
  };
}

/**
 * Cumulative joules at time t by linear interpolation in a series of readings (ascending t),
 * clamped to the series' ends. Null for an empty series.
 */
export function cumulativeAt(series: readonly EnergyReading[], t: number): number | null {
  const n = series.length;
  if (n === 0) return null;
  if (t <= series[0]!.t) return series[0]!.joules;
  if (t >= series[n - 1]!.t) return series[n - 1]!.joules;
  const i = upperIndex(series, t, (r) => r.t);
  const a = series[i - 1]!;
  const b = series[i]!;
  return a.joules + ((t - a.t) / (b.t - a.t)) * (b.joules - a.joules);
}

/** A time interval, epoch ms. */
export interface Interval {
  startMs: number;
  endMs: number;
}

/**
 * Busy time of possibly overlapping intervals: the length of their union, in ms. With
 * concurrency, 4 calls overlapping fully for 1 s are 1 s of busy hardware, not 4.
 */
export function busyMs(intervals: readonly Interval[]): number {
  return busyMsColumns(
    Float64Array.from(intervals, (i) => i.startMs),
    Float64Array.from(intervals, (i) => i.endMs),
  );
}

/** {@link busyMs} of intervals given as columns (no object per interval). */
export function busyMsColumns(starts: Float64Array, ends: Float64Array): number {
  const order: number[] = [];
  for (let i = 0; i < starts.length; i++) if (ends[i]! > starts[i]!) order.push(i);
  order.sort((x, y) => starts[x]! - starts[y]!);
  let total = 0;
  let runStart = Number.NEGATIVE_INFINITY;
  let runEnd = Number.NEGATIVE_INFINITY;
  for (const i of order) {
    const startMs = starts[i]!;
    const endMs = ends[i]!;
    if (startMs > runEnd) {
      if (runEnd > runStart) total += runEnd - runStart;
      runStart = startMs;
      runEnd = endMs;
    } else runEnd = Math.max(runEnd, endMs);
  }
  if (runEnd > runStart) total += runEnd - runStart;
  return total;
}
