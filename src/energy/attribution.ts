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

function weightOf(call: CallSpan): number {
  return call.tokens !== null && Number.isFinite(call.tokens) && call.tokens > 0 ? call.tokens : 0;
}

/**
 * Shares a window's energy among its calls by tokens (durations when no call has tokens).
 * @param totalJ energy of the window, J
 */
export function attributeWindow(totalJ: number, calls: readonly CallSpan[]): CallEnergy[] {
  if (calls.length === 0) return [];
  let weights = calls.map(weightOf);
  if (weights.every((w) => w === 0)) weights = calls.map((c) => Math.max(0, c.endMs - c.startMs));
  if (weights.every((w) => w === 0)) weights = calls.map(() => 1);
  const sum = weights.reduce((a, b) => a + b, 0);
  return calls.map((call, i) => ({ id: call.id, joules: (totalJ * weights[i]!) / sum, net_joules: null }));
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
  const gross = new Map(calls.map((c) => [c.id, 0]));
  const net = new Map(calls.map((c) => [c.id, 0]));
  if (series.length < 2) {
    return {
      calls: calls.map((c) => ({ id: c.id, joules: 0, net_joules: idleW === undefined ? null : 0 })),
      total_j: 0,
      unattributed_j: 0,
    };
  }
  const first = series[0]!.t;
  const last = series[series.length - 1]!.t;
  const cuts = new Set<number>(series.map((r) => r.t));
  for (const c of calls) {
    if (c.startMs > first && c.startMs < last) cuts.add(c.startMs);
    if (c.endMs > first && c.endMs < last) cuts.add(c.endMs);
  }
  const times = [...cuts].sort((a, b) => a - b);
  // Token rate per ms; calls without tokens share by time only if nobody in the piece has tokens.
  const rate = new Map(
    calls.map((c) => [c.id, c.endMs > c.startMs ? weightOf(c) / (c.endMs - c.startMs) : 0]),
  );
  let unattributed = 0;
  // Sweep over the pieces keeping the set of calls in flight: O(pieces × concurrency), not
  // O(pieces × calls), so a 10,000-call window is shared out in milliseconds.
  const byStart = [...calls].sort((x, y) => x.startMs - y.startMs);
  const inFlight = new Set<CallSpan>();
  let nextStart = 0;
  let before = cumulativeAt(series, times[0]!)!;
  for (let k = 0; k + 1 < times.length; k++) {
    const a = times[k]!;
    const b = times[k + 1]!;
    const after = cumulativeAt(series, b)!;
    const energy = after - before;
    before = after;
    const netEnergy = idleW === undefined ? 0 : Math.max(0, energy - (idleW * (b - a)) / 1000);
    while (nextStart < byStart.length && byStart[nextStart]!.startMs < b) inFlight.add(byStart[nextStart++]!);
    for (const c of inFlight) if (c.endMs <= a) inFlight.delete(c);
    const active = [...inFlight];
    if (active.length === 0) {
      unattributed += energy;
      continue;
    }
    let weights = active.map((c) => rate.get(c.id)!);
    if (weights.every((w) => w === 0)) weights = active.map(() => 1);
    const sum = weights.reduce((x, y) => x + y, 0);
    active.forEach((c, i) => {
      gross.set(c.id, gross.get(c.id)! + (energy * weights[i]!) / sum);
      net.set(c.id, net.get(c.id)! + (netEnergy * weights[i]!) / sum);
    });
  }
  return {
    calls: calls.map((c) => ({
      id: c.id,
      joules: gross.get(c.id)!,
      net_joules: idleW === undefined ? null : net.get(c.id)!,
    })),
    total_j: series[series.length - 1]!.joules - series[0]!.joules,
    unattributed_j: unattributed,
  };
}
