/**
 * Measurement error against the server's truth: each client call is joined to the server's
 * record of the same request (by response id, or by case), and the error of each duration is
 * client − server. Durations only: the two processes' clocks are never compared.
 */
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { TruthRecord } from "../../../fixtures/scripted-server/server.ts";
import { type Percentiles, percentiles } from "./stats.ts";

/** One call as a client measured it, ms; null where it measured nothing. */
export interface ClientCall {
  /** Response id (or case id, when `by: "case"`). */
  key: string;
  e2eMs: number | null;
  ttftMs: number | null;
}

export interface AccuracyReport {
  calls: number;
  /** Calls joined to a server record. */
  matched: number;
  /** client e2e − server e2e (request arrival → last byte written), ms. */
  e2eErrorMs: Percentiles | null;
  /** client TTFT − server TTFT (request arrival → first content chunk written), ms. */
  ttftErrorMs: Percentiles | null;
  /** client e2e − the script's nominal e2e, ms (includes the server's own timer jitter). */
  e2eVsScriptMs: Percentiles | null;
  /** The server's own jitter: its e2e − the script's, ms. */
  serverJitterMs: Percentiles | null;
  /** Server e2e as it measured it, ms. */
  serverE2eMs: Percentiles | null;
}

/** Joins `calls` to `truth` by response id (`by: "id"`) or by the prompt's case marker. */
export function measureAccuracy(
  calls: readonly ClientCall[],
  truth: readonly TruthRecord[],
  by: "id" | "case" = "id",
): AccuracyReport {
  const index = new Map<string, TruthRecord>();
  for (const record of truth) {
    const key = by === "id" ? record.id : record.case;
    if (key !== null && !record.aborted) index.set(key, record);
  }
  const e2eError: number[] = [];
  const ttftError: number[] = [];
  const e2eVsScript: number[] = [];
  const jitter: number[] = [];
  const serverE2e: number[] = [];
  let matched = 0;
  for (const call of calls) {
    const server = index.get(call.key);
    if (!server || server.e2eMs === null) continue;
    matched++;
    serverE2e.push(server.e2eMs);
    jitter.push(server.e2eMs - server.scriptedE2eMs);
    if (call.e2eMs !== null) {
      e2eError.push(call.e2eMs - server.e2eMs);
      e2eVsScript.push(call.e2eMs - server.scriptedE2eMs);
    }
    if (call.ttftMs !== null && server.ttftMs !== null) ttftError.push(call.ttftMs - server.ttftMs);
  }
  return {
    calls: calls.length,
    matched,
    e2eErrorMs: percentiles(e2eError),
    ttftErrorMs: percentiles(ttftError),
    e2eVsScriptMs: percentiles(e2eVsScript),
    serverJitterMs: percentiles(jitter),
    serverE2eMs: percentiles(serverE2e),
  };
}

/** What the benchmarks read back from an opbench run directory. */
export interface OpbenchLog {
  /** Measured (non-warm-up), successful calls keyed by response_id. */
  calls: ClientCall[];
  failed: number;
  /** run_start → run_end of the last segment, ms (ISO timestamps: ms resolution). */
  runMs: number | null;
}

/** Streams `<runDir>/events.jsonl` (a 10,000-call log does not need to fit a string). */
export async function readOpbenchLog(runDir: string): Promise<OpbenchLog> {
  const calls: ClientCall[] = [];
  let failed = 0;
  let start: number | undefined;
  let end: number | undefined;
  const lines = createInterface({
    input: createReadStream(join(runDir, "events.jsonl")),
    crlfDelay: Infinity,
  });
  for await (const line of lines) {
    if (!line) continue;
    const event = JSON.parse(line) as {
      type: string;
      started_at?: string;
      at?: string;
      warmup?: boolean;
      ok?: boolean;
      response_id?: string | null;
      e2e_ms?: number | null;
      ttft_ms?: number | null;
    };
    if (event.type === "run_start") start = Date.parse(event.started_at!);
    else if (event.type === "run_end") end = Date.parse(event.at!);
    else if (event.type === "call" && !event.warmup) {
      if (!event.ok || !event.response_id) failed++;
      else calls.push({ key: event.response_id, e2eMs: event.e2e_ms ?? null, ttftMs: event.ttft_ms ?? null });
    }
  }
  return { calls, failed, runMs: start !== undefined && end !== undefined ? end - start : null };
}
