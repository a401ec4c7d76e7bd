/**
 * Where a tail of measurement error comes from. Each client call is joined to the server's record
 * of it (as in accuracy.ts), and the worst 1% of calls are described by what the server saw:
 * whether the error came at the start of the call (the TTFT error carries it) or during the
 * stream, whether the server's own loop was late when the request arrived, and how many calls
 * finished just before (a burst the client had to read through).
 */
import type { TruthRecord } from "../../../fixtures/scripted-server/server.ts";
import type { ClientCall } from "./accuracy.ts";
import { percentiles } from "./stats.ts";

/** The server's loop counts as late at an arrival from this many ms (its heartbeat is 1 ms). */
export const SERVER_LATE_MS = 1;
/** A call's "burst": the calls the server finished in this many ms before it, on its clock. */
export const BURST_WINDOW_MS = 5;

export interface TailReport {
  /** Calls joined to a server record with an e2e and a TTFT on both sides. */
  calls: number;
  e2eErrorP50: number;
  e2eErrorP99: number;
  /** Share of calls that arrived while the server's loop was late (null without a heartbeat). */
  serverLateShare: number | null;
  /** p99 of the e2e error over the calls whose arrival found the server's loop on time. */
  e2eErrorP99ServerOnTime: number | null;
  /** The worst 1% of calls by e2e error (at least one). */
  worst: {
    calls: number;
    /** Median TTFT error: the part of the error already there at the first chunk. */
    ttftErrorMedian: number;
    /** Median of e2e error − TTFT error: the part gained during the stream. */
    gainedInStreamMedian: number;
    /** Share of them whose arrival found the server's loop late (null without a heartbeat). */
    serverLateShare: number | null;
    /** Median count of other calls the server finished in the BURST_WINDOW_MS before each. */
    burstMedian: number;
  };
  /** Median burst over all calls, for comparison. */
  burstMedian: number;
}

interface Row {
  error: number;
  ttftError: number;
  late: number | null;
  end: number;
}

/** Describes the tail of `calls` against `truth` (records by response id); null if none joined. */
export function describeTail(calls: readonly ClientCall[], truth: readonly TruthRecord[]): TailReport | null {
  const byId = new Map(truth.map((record) => [record.id, record]));
  const rows: Row[] = [];
  for (const call of calls) {
    const server = byId.get(call.key);
    if (!server || server.aborted || server.e2eMs === null || server.ttftMs === null) continue;
    if (call.e2eMs === null || call.ttftMs === null) continue;
    rows.push({
      error: call.e2eMs - server.e2eMs,
      ttftError: call.ttftMs - server.ttftMs,
      late: server.loopLateMs,
      end: server.arrivedAt + server.e2eMs,
    });
  }
  if (rows.length === 0) return null;
  const ends = Float64Array.from(
    truth.filter((r) => r.e2eMs !== null && !r.aborted).map((r) => r.arrivedAt + (r.e2eMs as number)),
  ).sort();
  const burst = (end: number) => countIn(ends, end - BURST_WINDOW_MS, end) - 1;
  const median = (values: number[]) => percentiles(values)!.p50;
  const heartbeat = rows.every((row) => row.late !== null);
  const isLate = (row: Row) => (row.late as number) >= SERVER_LATE_MS;
  const errors = percentiles(rows.map((row) => row.error))!;
  const onTime = heartbeat ? rows.filter((row) => !isLate(row)).map((row) => row.error) : [];
  const worst = [...rows]
    .sort((a, b) => b.error - a.error)
    .slice(0, Math.max(1, Math.ceil(rows.length / 100)));
  return {
    calls: rows.length,
    e2eErrorP50: errors.p50,
    e2eErrorP99: errors.p99,
    serverLateShare: heartbeat ? rows.filter(isLate).length / rows.length : null,
    e2eErrorP99ServerOnTime: onTime.length > 0 ? percentiles(onTime)!.p99 : null,
    worst: {
      calls: worst.length,
      ttftErrorMedian: median(worst.map((row) => row.ttftError)),
      gainedInStreamMedian: median(worst.map((row) => row.error - row.ttftError)),
      serverLateShare: heartbeat ? worst.filter(isLate).length / worst.length : null,
      burstMedian: median(worst.map((row) => burst(row.end))),
    },
    burstMedian: median(rows.map((row) => burst(row.end))),
  };
}

/** How many of the sorted `values` lie in (from, to]. */
function countIn(values: Float64Array, from: number, to: number): number {
  return upperBound(values, to) - upperBound(values, from);
}

/** Index of the first value > x in sorted `values`. */
function upperBound(values: Float64Array, x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
