/**
 * Synthetic run logs for the memory benchmark: a run directory whose events.jsonl holds N call
 * records shaped like the ones opbench writes (same fields, realistic values, 1% failures and
 * retries), written in batches so generating a million records takes seconds and little memory.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  type CallRecord,
  LOG_VERSION,
  type LogEvent,
  METRICS_VERSION,
  type RunStartEvent,
} from "../../../src/core/records.ts";
import type { SuiteDescription } from "../../../src/suite/describe.ts";

export interface SyntheticLogSpec {
  records: number;
  /** Distinct cases; records cycle through them as repeats (records ÷ cases repeats each). */
  cases: number;
}

const BATCH = 5_000;

/** Writes `<dir>/events.jsonl` for `spec`; returns its size in bytes. */
export function writeSyntheticLog(dir: string, spec: SyntheticLogSpec): number {
  mkdirSync(dir, { recursive: true });
  const fd = openSync(join(dir, "events.jsonl"), "w");
  let bytes = 0;
  const write = (events: LogEvent[]) => {
    const text = `${events.map((e) => JSON.stringify(e)).join("\n")}\n`;
    bytes += writeSync(fd, text);
  };
  try {
    write([runStart(spec), modelStart()]);
    let batch: LogEvent[] = [];
    for (let i = 0; i < spec.records; i++) {
      batch.push(...callRecords(i, spec.cases));
      if (batch.length >= BATCH) {
        write(batch);
        batch = [];
      }
    }
    batch.push({
      v: LOG_VERSION,
      type: "run_end",
      at: new Date(1_800_000_000_000).toISOString(),
      status: "completed",
    });
    write(batch);
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** The suite as `opbench run` describes it in run_start: one model, one task, repeats from the spec. */
function suiteDescription(spec: SyntheticLogSpec): SuiteDescription {
  return {
    name: "synthetic",
    description: null,
    source_path: "synthetic.yaml",
    hash: "0".repeat(64),
    repeats: Math.ceil(spec.records / spec.cases),
    warmup: 0,
    parallel_models: false,
    retry: { attempts: 3, backoff_ms: 500, max_backoff_ms: 30_000 },
    savings: [],
    models: [
      {
        id: "scripted",
        label: "scripted",
        runner: "llamacpp",
        concurrency: 32,
        params: {},
        config: { id: "scripted", runner: "llamacpp", url: "http://127.0.0.1:1" },
      },
    ],
    tasks: [
      {
        id: "classify",
        description: null,
        cases: spec.cases,
        params: { max_tokens: 16 },
        scorers: [{ type: "exact" }, { type: "one_of", name: "valid_label", labels_file: "labels.json" }],
        structured: null,
      },
    ],
  };
}

export function runStart(spec: SyntheticLogSpec): RunStartEvent {
  return {
    v: LOG_VERSION,
    type: "run_start",
    run_id: "synthetic",
    started_at: new Date(1_700_000_000_000).toISOString(),
    resumed: false,
    opbench_version: "0.0.0-synthetic",
    metrics_version: METRICS_VERSION,
    node_version: process.version,
    suite: {
      name: "synthetic",
      path: "synthetic.yaml",
      hash: "0".repeat(64),
      resolved: suiteDescription(spec),
      overrides: {},
    },
    git: { commit: null, dirty: null },
    host: {
      os: "linux",
      arch: "x64",
      cpu: "synthetic",
      cores: 2,
      memory_gb: 24,
      gpus: [],
      hostname_hash: "0",
    },
    prices: null,
    argv: [],
  };
}

export function modelStart(): LogEvent {
  return {
    v: LOG_VERSION,
    type: "model_start",
    model: "scripted",
    runner: "llamacpp",
    at: new Date(1_700_000_000_000).toISOString(),
    backend: { device: "cpu" },
  };
}

/** The record(s) of call `i`: every 100th call fails once and is retried (two records). */
export function callRecords(i: number, cases: number): CallRecord[] {
  const caseIndex = i % cases;
  const repeat = Math.floor(i / cases);
  const e2e = 5 + ((i * 7919) % 1000) / 250;
  const base = callRecord(i, caseIndex, repeat, e2e);
  if (i % 100 !== 0) return [base];
  const failed: CallRecord = {
    ...base,
    ok: false,
    attempt: 1,
    ttft_ms: null,
    e2e_ms: null,
    chunk_gaps_ms: [],
    tpot_ms: null,
    output_tps: null,
    output: null,
    scores: [],
    error: { class: "http_5xx", message: "HTTP 503: server busy", status: 503 },
    will_retry: true,
  };
  return [failed, { ...base, attempt: 2, backoff_ms: 500 }];
}

function callRecord(i: number, caseIndex: number, repeat: number, e2e: number): CallRecord {
  const ttft = e2e / 5;
  const right = i % 3 !== 0;
  return {
    v: LOG_VERSION,
    type: "call",
    item: `scripted|classify|${repeat}|c${caseIndex}`,
    attempt: 1,
    model: "scripted",
    task: "classify",
    case_id: `c${caseIndex}`,
    case_index: caseIndex,
    cluster: null,
    repeat,
    warmup: false,
    started_at: new Date(1_700_000_000_000 + i * 2).toISOString(),
    ok: true,
    ttft_ms: Math.round(ttft * 1000) / 1000,
    ttft_reasoning_ms: null,
    e2e_ms: Math.round(e2e * 1000) / 1000,
    chunk_gaps_ms: [1.012, 1.003, 0.998, 1.021],
    tpot_ms: Math.round(((e2e - ttft) / 4) * 1000) / 1000,
    output_tps: 1000,
    queue_ms: null,
    input_tokens: 21,
    cached_input_tokens: null,
    cache_write_input_tokens: null,
    output_tokens: 5,
    reasoning_tokens: null,
    tokens_source: "server",
    server: null,
    output: right ? "card_arrival" : "card_linking",
    reasoning: null,
    finish_reason: "stop",
    response_id: `chatcmpl-scripted-${i}`,
    model_snapshot: "scripted",
    expected: "card_arrival",
    scores: [
      { scorer: "exact", score: right ? 1 : 0, reason: right ? "matches" : 'expected "card_arrival"' },
      { scorer: "valid_label", score: 1, reason: '"card_arrival" is one of the 77 labels' },
    ],
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    error: null,
    backoff_ms: null,
    rate_wait_ms: null,
    will_retry: false,
  };
}
