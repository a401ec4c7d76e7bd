/**
 * The run log: `events.jsonl` in the run directory, one typed event per line, append-only.
 * Everything else (summary, reports, gates, re-scoring) is a pure function of it. Field names
 * follow the README's Metrics section (snake_case with units); `null` means "not measured", never 0.
 */

import type { ErrorClass } from "./errors.ts";
import type { JudgeEvent } from "./judge.ts";
import type { LoadEvent } from "./load-records.ts";
import type { BackendInfo } from "./runner.ts";

/** Version of the log format; bumped only on breaking changes. */
export const LOG_VERSION = 1 as const;
/** Version of the metric definitions (the README's Metrics section). */
export const METRICS_VERSION = "1" as const;

export interface HostInfo {
  os: string;
  arch: string;
  cpu: string;
  cores: number;
  memory_gb: number;
  gpus: string[];
  hostname_hash: string;
}

export interface RunStartEvent {
  v: typeof LOG_VERSION;
  type: "run_start";
  run_id: string;
  started_at: string;
  /** True when this segment continues an earlier, unfinished run (`--resume`). */
  resumed: boolean;
  opbench_version: string;
  metrics_version: typeof METRICS_VERSION;
  node_version: string;
  suite: {
    name: string;
    path: string;
    hash: string;
    /** The suite as resolved (models, tasks without their cases, counts, params). */
    resolved: unknown;
    /** Command-line overrides in force (`--model`, `--limit` …); `--resume` re-applies them. */
    overrides: Record<string, unknown>;
  };
  git: { commit: string | null; dirty: boolean | null };
  host: HostInfo;
  /** The pricing dataset API costs come from (package and version). */
  prices: { package: string; version: string | null; data: string; source: string } | null;
  argv: string[];
  /**
   * `--max-cost` in force for this segment, USD; null: no limit. A plain `--resume` keeps the
   * latest one. Absent in load runs and in logs written before it was recorded.
   */
  max_cost_usd?: number | null;
  /**
   * `--shard i/n`: this run made only the measured items of shard `index` (counted from 1) of
   * `count`, chosen by a hash of each item's key; every segment of a resumed shard records it.
   */
  shard?: { index: number; count: number };
  /** Written by `opbench merge`: the shard runs this run was merged from, by shard. */
  merged_from?: MergedShard[];
  /**
   * Set when this directory was written by `opbench rescore`: the run whose recorded outputs
   * were graded again, and the suite whose scorers graded them. No model was called.
   */
  rescored_from?: RescoredFrom;
}

/** One shard run of a merged run (`run_start.merged_from`). */
export interface MergedShard {
  shard: number;
  run_id: string;
  started_at: string;
  /** Segments the shard's log holds (more than one: it was resumed). */
  segments: number;
  status: RunEndEvent["status"];
  host: HostInfo;
}

/** Where a re-scored run's outputs came from (`opbench rescore`). */
export interface RescoredFrom {
  run_id: string;
  run_dir: string;
  suite_path: string;
  suite_hash: string;
  at: string;
}

export interface ModelStartEvent {
  v: typeof LOG_VERSION;
  type: "model_start";
  model: string;
  runner: string;
  at: string;
  backend: BackendInfo | null;
  /**
   * A local model's energy meter: the method chosen, the power-table row and the utilisation
   * source of a modelled method. Absent for API models and in logs written before it.
   */
  energy?: ModelEnergyPlan;
  /** Set when the model could not start (server unreachable, model file missing): its calls were not made. */
  error?: string;
}

/** How a local model's energy is obtained (see `model_start.energy`). */
export interface ModelEnergyPlan {
  /** "rapl", "nvml-counter", "modelled", …; null when energy can't even be modelled. */
  method: string | null;
  description: string;
  /** A modelled method's table row (or configured power), in words; null for a measurement. */
  table_row: string | null;
  /** Where a modelled method's utilisation comes from; null for a measurement. */
  utilisation_source: string | null;
  notes: string[];
}

export interface ScoreRecord {
  scorer: string;
  score: number | null;
  reason: string;
  /** Multi-label scorers (`label_set`): the call's labels by outcome, for the task's micro/macro F1. */
  labels?: LabelOutcome;
}

/** A multi-label answer's labels: right (tp), predicted but wrong (fp), expected but missed (fn). */
export interface LabelOutcome {
  tp: string[];
  fp: string[];
  fn: string[];
}

/** One tool call in a call record: `arguments` is the JSON text the model sent, as is. */
export interface ToolCallRecord {
  id?: string;
  name: string;
  arguments: string;
}

/** One call attempt. A retried call has several records with the same `item` and rising `attempt`. */
export interface CallRecord {
  v: typeof LOG_VERSION;
  type: "call";
  /** Work item key: `model|task|case|repeat` (warm-up items: `model|warmup|n`). */
  item: string;
  attempt: number;
  model: string;
  task: string;
  case_id: string;
  /** 0-based position of the case in its task (compact key for per-case statistics). */
  case_index: number;
  /** Cluster key of the case (task `cluster` template), for clustered standard errors. */
  cluster: string | null;
  /** How many calls the case stands for (task `weight_field`); absent: 1. */
  case_weight?: number;
  /** 0-based repeat number. */
  repeat: number;
  warmup: boolean;
  started_at: string;
  ok: boolean;

  ttft_ms: number | null;
  ttft_reasoning_ms: number | null;
  e2e_ms: number | null;
  chunk_gaps_ms: number[];
  tpot_ms: number | null;
  output_tps: number | null;
  /** ttft_ms − server prompt_ms (llama.cpp): time spent waiting for a slot and in transport. */
  queue_ms: number | null;

  input_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_input_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
  tokens_source: "server" | "estimated" | null;
  server: Record<string, unknown> | null;

  /** The output text; only its first `max_output_bytes` when `output_truncated`. */
  output: string | null;
  /** Set when `output` was cut to the suite's `max_output_bytes` (scorers saw all of it). */
  output_truncated?: true;
  /** UTF-8 length of the whole output, when it was cut. */
  output_bytes?: number;
  /** sha256 (hex) of the whole output, when it was cut. */
  output_sha256?: string;
  reasoning: string | null;
  /** As `output_truncated`, `output_bytes` and `output_sha256`, for the reasoning text. */
  reasoning_truncated?: true;
  reasoning_bytes?: number;
  reasoning_sha256?: string;
  /**
   * The tool calls the model made, in order: the function's name and its arguments as the JSON
   * text it sent; null when it made none (absent in logs written before tools existed). The
   * output text may then be empty: the call is still a success.
   */
  tool_calls?: ToolCallRecord[] | null;
  /** Set when a call's `arguments` were cut to `max_output_bytes` (scorers saw all of them). */
  tool_calls_truncated?: true;
  finish_reason: string | null;
  response_id: string | null;
  model_snapshot: string | null;

  expected: string | null;
  scores: ScoreRecord[];

  cost_usd: number | null;
  energy_j: number | null;
  energy_source: "measured-gpu" | "measured-cpu" | "modelled" | "published-estimate" | null;
  /** The band of an API call's published estimate, J (absent: none, or a local call: see its window). */
  energy_low_j?: number | null;
  energy_high_j?: number | null;

  error: { class: ErrorClass; message: string; status: number | null } | null;
  /** Time spent waiting before this attempt because of an earlier attempt's failure. */
  backoff_ms: number | null;
  /** Time this attempt waited for the model's rpm/tpm rate limit before it was sent. */
  rate_wait_ms: number | null;
  /** Whether the engine will make another attempt after this one. */
  will_retry: boolean;
}

/**
 * Whether a call was cut off at `--max-cost` (error class `budget_stopped`): its cost counts, but
 * it is no outcome of its item (neither success nor failure, not scored); `--resume` redoes it.
 */
export function isBudgetStopped(record: Pick<CallRecord, "error">): boolean {
  return record.error?.class === "budget_stopped";
}

/**
 * How a `model_start` error begins when the model was skipped on purpose (`--skip-missing-keys`):
 * its calls were not made, and it did not fail.
 */
export const MODEL_SKIPPED = "skipped: ";

/**
 * Energy of a local model's measured window (written when its calls are done), shared among the
 * call attempts in it by their token rate: records are append-only, so this is joined later.
 */
export interface ModelEnergyEvent {
  v: typeof LOG_VERSION;
  type: "model_energy";
  model: string;
  at: string;
  method: string | null;
  energy_source: CallRecord["energy_source"];
  description: string;
  duration_ms: number;
  /** Union of the calls' intervals: time the hardware was busy with this model, ms. */
  busy_ms: number;
  gross_j: number | null;
  net_j: number | null;
  idle_w: number | null;
  low_j: number | null;
  high_j: number | null;
  /** Energy between calls (no call in flight), J. */
  unattributed_j: number | null;
  /**
   * Compute: CPU core-seconds the serving process used in the window (its CPU time), and
   * GPU-seconds (busy time on a GPU device); null when not measured or not used. Absent in logs
   * written before they were recorded.
   */
  cpu_s?: number | null;
  gpu_s?: number | null;
  /** Modelled energy: the utilisation used and where it came from. */
  utilisation?: number | null;
  utilisation_source?: string | null;
  notes: string[];
  /**
   * Per attempt: `item`, `attempt`, gross and net joules. A window of more than
   * {@link ENERGY_CALLS_PER_EVENT} attempts lists them in the `model_energy_calls` events that
   * follow instead (this list is then empty), so no log line grows with the number of calls.
   */
  calls: ModelEnergyCall[];
}

export interface ModelEnergyCall {
  item: string;
  attempt: number;
  energy_j: number;
  net_energy_j: number | null;
  /** The attempt's share of the window's CPU core-seconds / GPU-seconds (by its time in flight). */
  cpu_s?: number | null;
  gpu_s?: number | null;
}

/** Most attempts listed by one energy event. */
export const ENERGY_CALLS_PER_EVENT = 5000;

/** More of the preceding `model_energy` window's per-attempt shares (a large window). */
export interface ModelEnergyCallsEvent {
  v: typeof LOG_VERSION;
  type: "model_energy_calls";
  model: string;
  calls: ModelEnergyCall[];
}

export interface RunEndEvent {
  v: typeof LOG_VERSION;
  type: "run_end";
  at: string;
  status: "completed" | "interrupted" | "failed" | "budget_reached";
  message?: string;
}

export type LogEvent =
  | RunStartEvent
  | ModelStartEvent
  | CallRecord
  | ModelEnergyEvent
  | ModelEnergyCallsEvent
  | RunEndEvent
  | JudgeEvent
  /** Load mode (`opbench load`): steps and their calls (load-records.ts). */
  | LoadEvent;

export * from "./load-records.ts";
