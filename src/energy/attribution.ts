/**
 * Splitting measured energy among the calls that used it. With concurrency several calls share
 * one device, and a counter only sees their sum, so energy is shared out by tokens — the work
 * each call asked for.
 *
 * A call's weight is its processed tokens: prompt tokens not served from a cache plus output
 * tokens ({@link callTokens}; callers may pass their own). Two methods:
 *
 * - {@link attributeWindow} — one total for a window: call i gets E × wᵢ / Σⱼ wⱼ over the calls
 *   overlapping the window. Everything is attributed (idle gaps included).
 * - {@link attributeSeries} — a cumulative-energy series (the monitor polls ~1 s): the timeline is
 *   cut at every reading and every call start/end; in each piece [a, b] the energy
 *   E(b) − E(a) (power taken as constant between readings) goes to the calls active in it in
 *   proportion to their token *rate* wᵢ / durationᵢ — a call's tokens are spread evenly over
 *   its lifetime, so a long call overlapping a short burst gets only the part of its tokens
 *   that fell in the burst. Pieces with no call in flight are reported as `unattributed_j`
 *   (idle time between calls), not charged to anyone. With `idleW`, each piece's net energy
 *   (E − idleW·Δt, floored at 0) is shared the same way.
 *
 * When every weight is 0 or unknown the split falls back to time (durations or overlap).
 */
import { cumulativeAt } from "./integrate.ts";
import type { EnergyReading } from "./types.ts";

/** A call in a window: its interval (epoch ms, same clock as the readings) and weight. */
export interface CallSpan {
  id: string;
  startMs: number;
  endMs: number;
  /** Weight, usually {@link callTokens}; null or 0 = unknown. */
  tokens: number | null;
}

/** Energy given to one call, J. */
export interface CallEnergy {
  id: string;
  joules: number;
  /** Net of idle power (series method with `idleW`); else null. */
  net_joules: number | null;
}

/** Processed tokens of a call: (input − cached) + output; null when the counts are missing. */
export function callTokens(counts: {
  input_tokens: number | null;
  cached_input_tokens: number | null;
  output_tokens: number | null;
}): number | null {
  if (counts.input_tokens === null || counts.output_tokens === null) return null;
  return Math.max(0, counts.input_tokens - (counts.cached_input_tokens ?? 0)) + counts.output_tokens;
}

/**
 * Calls as parallel columns — start and end (epoch ms, the readings' clock) and weight (NaN or 0 =
 * unknown) — so a window of a million calls is three arrays, not a million objects.
 */
export interface SpanColumns {
  starts: Float64Array;
  ends: Float64Array;
  tokens: Float64Array;
}

function weightAt(tokens: Float64Array, i: number): number {
  const t = tokens[i]!;
  return Number.isFinite(t) && t > 0 ? t : 0;
}

/** Column form of a list of spans (for the object API). */
function columnsOf(calls: readonly CallSpan[]): SpanColumns {
  const n = calls.length;
  const columns = { starts: new Float64Array(n), ends: new Float64Array(n), tokens: new Float64Array(n) };
  calls.forEach((call, i) => {
    columns.starts[i] = call.startMs;
    columns.ends[i] = call.endMs;
    columns.tokens[i] = call.tokens ?? Number.NaN;
  });
  return columns;
}

/**
 * Shares a window's energy among its calls by tokens (durations when no call has tokens).
 * @param totalJ energy of the window, J
 */
export function attributeWindow(totalJ: number, calls: readonly CallSpan[]): CallEnergy[] {
  const joules = attributeWindowColumns(totalJ, columnsOf(calls));
  return calls.map((call, i) => ({ id: call.id, joules: joules[i]!, net_joules: null }));
}

/** {@link attributeWindow} over columns: each call's joules, in call order. */
export function attributeWindowColumns(totalJ: number, spans: SpanColumns): Float64Array {
  const n = spans.starts.length;
  const weights = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i] = weightAt(spans.tokens, i);
  if (sum === 0)
    for (let i = 0; i < n; i++) sum += weights[i] = Math.max(0, spans.ends[i]! - spans.starts[i]!);
  if (sum === 0) {
    weights.fill(1);
    sum = n;
  }
  for (let i = 0; i < n; i++) weights[i] = (totalJ * weights[i]!) / sum;
  return weights;
}

export interface SeriesAttribution {
  calls: CallEnergy[];
  /** Energy between the first and last readings, J. */
  total_j: number;
  /** Energy of pieces with no call in flight, J. */
  unattributed_j: number;
}

/**
 * Shares a cumulative-energy series among overlapping calls by token rate (see the module
 * comment). Call parts outside the series' span get nothing.
 * @param series readings in ascending time (cumulative J)
 * @param idleW idle power to subtract for `net_joules`, W (optional)
 */
export function attributeSeries(
  series: readonly EnergyReading[],
  calls: readonly CallSpan[],
  idleW?: number,
): SeriesAttribution {
  const result = attributeSeriesColumns(series, columnsOf(calls), idleW);
  return {
    calls: calls.map((c, i) => ({
      id: c.id,
      joules: result.gross[i]!,
      net_joules: result.net === null ? null : result.net[i]!,
    })),
    total_j: result.total_j,
    unattributed_j: result.unattributed_j,
  };
}

/** {@link attributeSeries} over columns: gross (and net, with `idleW`) joules in call order. */
export function attributeSeriesColumns(
  series: readonly EnergyReading[],
  spans: SpanColumns,
  idleW?: number,
): { gross: Float64Array; net: Float64Array | null; total_j: number; unattributed_j: number } {
  const n = spans.starts.length;
  const gross = new Float64Array(n);
  const net = idleW === undefined ? null : new Float64Array(n);
  if (series.length < 2) return { gross, net, total_j: 0, unattributed_j: 0 };
  const first = series[0]!.t;
  const last = series[series.length - 1]!.t;
  const cuts = new Float64Array(series.length + 2 * n);
  let cutCount = 0;
  for (const reading of series) cuts[cutCount++] = reading.t;
  for (let i = 0; i < n; i++) {
    const start = spans.starts[i]!;
    const end = spans.ends[i]!;
    if (start > first && start < last) cuts[cutCount++] = start;
    if (end > first && end < last) cuts[cutCount++] = end;
  }
  const sorted = cuts.subarray(0, cutCount).sort();
  let timeCount = 0;
  for (let k = 0; k < sorted.length; k++) {
    if (k === 0 || sorted[k] !== sorted[k - 1]) sorted[timeCount++] = sorted[k]!;
  }
  const times = sorted.subarray(0, timeCount);
  // Token rate per ms; calls without tokens share by time only if nobody in the piece has tokens.
  const rate = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const duration = spans.ends[i]! - spans.starts[i]!;
    rate[i] = duration > 0 ? weightAt(spans.tokens, i) / duration : 0;
  }
  let unattributed = 0;
  // Sweep over the pieces keeping the set of calls in flight: O(pieces × concurrency), not
  // O(pieces × calls), so a large window is shared out in milliseconds.
  const byStart = new Uint32Array(n);
  for (let i = 0; i < n; i++) byStart[i] = i;
  byStart.sort((x, y) => spans.starts[x]! - spans.starts[y]! || x - y);
  const inFlight = new Set<number>();
  let nextStart = 0;
  let before = cumulativeAt(series, times[0]!)!;
  for (let k = 0; k + 1 < times.length; k++) {
    const a = times[k]!;
    const b = times[k + 1]!;
    const after = cumulativeAt(series, b)!;
    const energy = after - before;
    before = after;
    const netEnergy = idleW === undefined ? 0 : Math.max(0, energy - (idleW * (b - a)) / 1000);
    while (nextStart < n && spans.starts[byStart[nextStart]!]! < b) inFlight.add(byStart[nextStart++]!);
    for (const i of inFlight) if (spans.ends[i]! <= a) inFlight.delete(i);
    if (inFlight.size === 0) {
      unattributed += energy;
      continue;
    }
    const active = [...inFlight];
    let weights = active.map((i) => rate[i]!);
    if (weights.every((w) => w === 0)) weights = active.map(() => 1);
    const sum = weights.reduce((x, y) => x + y, 0);
    active.forEach((i, j) => {
      gross[i] = gross[i]! + (energy * weights[j]!) / sum;
      if (net) net[i] = net[i]! + (netEnergy * weights[j]!) / sum;
    });
  }
  return {
    gross,
    net,
    total_j: series[series.length - 1]!.joules - series[0]!.joules,
    unattributed_j: unattributed,
  };
}
