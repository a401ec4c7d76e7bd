/**
 * Synthetic run directories for gate tests and benchmarks: an events.jsonl as `opbench run`
 * writes it (run_start with the suite description, model_start, one final `call` per case,
 * run_end), with seeded correctness and latencies, so a known accuracy drop or latency rise can
 * be planted and sampling noise reproduced exactly.
 */
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { CallRecord, LogEvent, RunStartEvent } from "../../src/core/records.ts";
import { hashSeed, mulberry32 } from "../../src/stats/prng.ts";
import type { SuiteDescription } from "../../src/suite/describe.ts";

export interface SyntheticRunOptions {
  suite?: string;
  hash?: string;
  /** Suite file path recorded in run_start (named baselines are looked for beside it). */
  suitePath?: string;
  models?: readonly string[];
  tasks?: readonly string[];
  cases: number;
  /** Seeds this run's own noise (latencies, and correctness drawn per run). */
  seed: number;
  /**
   * Whether a case is answered right. `caseU` is a uniform draw fixed per case (the same in
   * every run: the case's difficulty), `runU` one drawn per run and call (sampling noise),
   * `index` the case's position.
   */
  correct: (caseU: number, runU: number, index: number) => boolean;
  /** Median end-to-end latency, ms (log-normal, σ = 0.35); TTFT is a fifth of it. */
  e2eMedianMs?: number;
  /** Cost of each call, USD (null: unknown). */
  costUsd?: number | null;
  /** Calls that fail after every retry, by case index. */
  failed?: (caseIndex: number) => boolean;
  gates?: string[];
  maxErrorRate?: number | null;
}

function description(
  o: SyntheticRunOptions,
  models: readonly string[],
  tasks: readonly string[],
): SuiteDescription {
  return {
    name: o.suite ?? "gated",
    description: null,
    source_path: o.suitePath ?? "/nonexistent/gated.yaml",
    hash: o.hash ?? "a".repeat(64),
    repeats: 1,
    warmup: 0,
    parallel_models: false,
    retry: { attempts: 3, backoff_ms: 500, max_backoff_ms: 30000 },
    savings: [],
    gates: o.gates ?? [],
    gate_alpha: 0.05,
    max_error_rate: o.maxErrorRate ?? null,
    models: models.map((id) => ({
      id,
      label: id,
      runner: "openai",
      concurrency: 1,
      params: {},
      config: { id, runner: "openai", model: "gpt-4o" },
    })),
    tasks: tasks.map((id) => ({
      id,
      description: null,
      cases: o.cases,
      params: {},
      scorers: [{ type: "exact" }],
      structured: null,
    })),
  };
}

/** A standard normal draw from two uniforms (Box–Muller). */
function normal(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** Writes `<dir>/events.jsonl` and returns `dir`. */
export function writeSyntheticRun(dir: string, o: SyntheticRunOptions): string {
  mkdirSync(dir, { recursive: true });
  const models = o.models ?? ["m"];
  const tasks = o.tasks ?? ["t"];
  const d = description(o, models, tasks);
  const start: RunStartEvent = {
    v: 1,
    type: "run_start",
    run_id: `run-${o.seed}`,
    started_at: "2026-12-01T10:00:00.000Z",
    resumed: false,
    opbench_version: "0.1.0",
    metrics_version: "1",
    node_version: "v24",
    suite: { name: d.name, path: d.source_path, hash: d.hash, resolved: d, overrides: {} },
    git: { commit: null, dirty: null },
    host: { os: "linux", arch: "x64", cpu: "cpu", cores: 2, memory_gb: 8, gpus: [], hostname_hash: "x" },
    prices: null,
    argv: [],
  };
  const fd = openSync(join(dir, "events.jsonl"), "w");
  let buffer = "";
  const emit = (event: LogEvent) => {
    buffer += `${JSON.stringify(event)}\n`;
    if (buffer.length > 1 << 20) {
      writeSync(fd, buffer);
      buffer = "";
    }
  };
  emit(start);
  const run = mulberry32(o.seed);
  const t0 = Date.parse(start.started_at);
  const median = o.e2eMedianMs ?? 400;
  for (const model of models) {
    emit({ v: 1, type: "model_start", model, runner: "openai", at: start.started_at, backend: null });
    for (const task of tasks) {
      for (let i = 0; i < o.cases; i++) {
        const caseU = mulberry32(hashSeed(7, `${task}|${i}`))();
        const failed = o.failed?.(i) ?? false;
        const e2e = median * Math.exp(0.35 * normal(run));
        const right = o.correct(caseU, run(), i);
        const record: CallRecord = {
          v: 1,
          type: "call",
          item: `${model}|${task}|${i}|0`,
          attempt: 1,
          model,
          task,
          case_id: `c${i}`,
          case_index: i,
          cluster: null,
          repeat: 0,
          warmup: false,
          started_at: new Date(t0 + i * 10).toISOString(),
          ok: !failed,
          ttft_ms: failed ? null : e2e / 5,
          ttft_reasoning_ms: null,
          e2e_ms: e2e,
          chunk_gaps_ms: [],
          tpot_ms: failed ? null : e2e / 50,
          output_tps: null,
          queue_ms: null,
          input_tokens: failed ? null : 120,
          cached_input_tokens: null,
          cache_write_input_tokens: null,
          output_tokens: failed ? null : 8,
          reasoning_tokens: null,
          tokens_source: failed ? null : "server",
          server: null,
          output: failed ? null : right ? "yes" : "no",
          reasoning: null,
          finish_reason: failed ? null : "stop",
          response_id: null,
          model_snapshot: null,
          expected: "yes",
          scores: failed ? [] : [{ scorer: "exact", score: right ? 1 : 0, reason: "" }],
          cost_usd: failed ? null : o.costUsd === undefined ? 0.0002 : o.costUsd,
          energy_j: null,
          energy_source: null,
          error: failed ? { class: "http_5xx", message: "server error", status: 500 } : null,
          backoff_ms: null,
          rate_wait_ms: null,
          will_retry: false,
        };
        emit(record);
      }
    }
  }
  emit({ v: 1, type: "run_end", at: new Date(t0 + o.cases * 10 + 1000).toISOString(), status: "completed" });
  writeSync(fd, buffer);
  closeSync(fd);
  return dir;
}
