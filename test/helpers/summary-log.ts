/**
 * A run log in miniature for summary tests: a suite with a local candidate and an API baseline
 * on one task "t" (scorers "exact" and "valid"), its run_start, call records and the summary.
 */
import type { CallRecord, LogEvent, ModelEnergyEvent, RunStartEvent } from "../../src/core/records.ts";
import { SummaryBuilder } from "../../src/metrics/summary.ts";
import type { SuiteDescription } from "../../src/suite/describe.ts";

export const description: SuiteDescription = {
  name: "s",
  description: null,
  source_path: "/s.yaml",
  hash: "h",
  repeats: 1,
  warmup: 0,
  parallel_models: false,
  retry: { attempts: 3, backoff_ms: 500, max_backoff_ms: 30000 },
  savings: [{ candidate: "local", baseline: "api", onError: true, onTruncated: true, auto: true }],
  models: [
    {
      id: "local",
      label: "local",
      runner: "llamacpp",
      concurrency: 1,
      params: {},
      config: {
        id: "local",
        runner: "llamacpp",
        url: "http://x",
        hardware: { usd_per_kwh: 0.2, usd_per_hour: 3.6 },
      },
    },
    {
      id: "api",
      label: "api",
      runner: "openai",
      concurrency: 1,
      params: {},
      config: { id: "api", runner: "openai", model: "gpt-4o" },
    },
  ],
  tasks: [
    {
      id: "t",
      description: null,
      cases: 4,
      params: {},
      scorers: [{ type: "exact" }, { type: "one_of", name: "valid", labels: ["a", "b"] }],
      structured: null,
    },
  ],
};

export const start: RunStartEvent = {
  v: 1,
  type: "run_start",
  run_id: "r",
  started_at: "2026-11-23T10:00:00.000Z",
  resumed: false,
  opbench_version: "0.1.0",
  metrics_version: "1",
  node_version: "v24",
  suite: { name: "s", path: "/s.yaml", hash: "h", resolved: description, overrides: {} },
  git: { commit: null, dirty: null },
  host: { os: "linux", arch: "x64", cpu: "cpu", cores: 2, memory_gb: 24, gpus: [], hostname_hash: "x" },
  prices: { package: "@pydantic/genai-prices", version: "0.1.8", data: "bundled", source: "s" },
  argv: [],
};

/** A final, successful call of case `caseIndex` of task "t" (score 1 unless `partial` says). */
export function call(model: string, caseIndex: number, partial: Partial<CallRecord> = {}): CallRecord {
  const correct = partial.scores?.[0]?.score ?? 1;
  return {
    v: 1,
    type: "call",
    item: `${model}|t|0|${caseIndex + 1}`,
    attempt: 1,
    model,
    task: "t",
    case_id: String(caseIndex + 1),
    case_index: caseIndex,
    cluster: null,
    repeat: 0,
    warmup: false,
    started_at: `2026-11-23T10:00:0${caseIndex}.000Z`,
    ok: true,
    ttft_ms: 10,
    ttft_reasoning_ms: null,
    e2e_ms: 500,
    chunk_gaps_ms: [],
    tpot_ms: 5,
    output_tps: 200,
    queue_ms: null,
    input_tokens: 100,
    cached_input_tokens: null,
    cache_write_input_tokens: null,
    output_tokens: 10,
    reasoning_tokens: null,
    tokens_source: "server",
    server: null,
    output: "a",
    reasoning: null,
    finish_reason: "stop",
    response_id: null,
    model_snapshot: null,
    expected: "a",
    scores: [
      { scorer: "exact", score: correct, reason: "" },
      { scorer: "valid", score: 1, reason: "" },
    ],
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    error: null,
    backoff_ms: null,
    rate_wait_ms: null,
    will_retry: false,
    ...partial,
  };
}

/** The summary of `events`, fed in order. */
export function build(events: LogEvent[]) {
  const builder = new SummaryBuilder();
  for (const e of events) builder.add(e);
  return builder.result();
}

/** A call of case `caseIndex` that failed after every retry (no answer, so no scores). */
export function failedCall(model: string, caseIndex: number, partial: Partial<CallRecord> = {}): CallRecord {
  return call(model, caseIndex, {
    ok: false,
    ttft_ms: null,
    e2e_ms: 30_000,
    tpot_ms: null,
    output_tps: null,
    input_tokens: null,
    output_tokens: null,
    tokens_source: null,
    output: null,
    finish_reason: null,
    scores: [],
    error: { class: "timeout", message: "no response in 30000 ms", status: null },
    ...partial,
  });
}

/** A measured energy window of `local`'s four calls of case 0 (RAPL, 300 J net, 75 J each). */
export const localEnergy: ModelEnergyEvent = {
  v: 1,
  type: "model_energy",
  model: "local",
  at: "2026-11-23T10:00:10.000Z",
  method: "rapl",
  energy_source: "measured-cpu",
  description: "RAPL",
  duration_ms: 4000,
  busy_ms: 2000,
  gross_j: 420,
  net_j: 300,
  idle_w: 30,
  low_j: null,
  high_j: null,
  unattributed_j: 20,
  notes: [],
  calls: [0, 1, 2, 3].map((i) => ({
    item: `local|t|0|${i + 1}`,
    attempt: 1,
    energy_j: 100,
    net_energy_j: 75,
  })),
};
