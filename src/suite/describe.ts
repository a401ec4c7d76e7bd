/** A JSON summary of a resolved suite for the run log: configuration and counts, no case contents. */
import type { StructuredOutput } from "../core/runner.ts";
import type { ResolvedParams, ResolvedSavings, ResolvedSuite } from "./resolved.ts";
import type { ModelConfig, ScorerConfig } from "./schema.ts";

/** Generation parameters with snake_case names and units, as in the run log. */
export interface ParamsDescription {
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  seed?: number;
  stop?: string[];
  stream?: boolean;
  timeout_ms?: number;
}

export interface SuiteDescription {
  name: string;
  description: string | null;
  /** Present when the expected answers are a logged model's (`reference: recorded`). */
  reference?: "recorded";
  source_path: string;
  hash: string;
  repeats: number;
  warmup: number;
  parallel_models: boolean;
  /** Absent in logs written before it was recorded. */
  max_output_bytes?: number;
  retry: { attempts: number; backoff_ms: number; max_backoff_ms: number };
  savings: ResolvedSavings[];
  /** Gates and their settings; absent in logs written before gates. */
  gates?: string[];
  gate_alpha?: number;
  max_error_rate?: number | null;
  models: {
    id: string;
    label: string;
    runner: string;
    concurrency: number;
    /** Model-level parameters only; the engine merges them over the task's per call. */
    params: ParamsDescription;
    config: ModelConfig;
  }[];
  /** The judges the scorers ask (absent when none, and in logs written before judges). */
  judges?: { id: string; label: string; runner: string; concurrency: number; config: ModelConfig }[];
  tasks: {
    id: string;
    description: string | null;
    cases: number;
    params: ParamsDescription;
    scorers: ScorerConfig[];
    structured: StructuredOutput | null;
  }[];
}

/** The run-log summary of `suite`: everything that shapes the calls, no prompts or answers. */
export function describeSuite(suite: ResolvedSuite): SuiteDescription {
  return {
    name: suite.name,
    description: suite.description ?? null,
    ...(suite.reference && { reference: suite.reference }),
    source_path: suite.sourcePath,
    hash: suite.hash,
    repeats: suite.repeats,
    warmup: suite.warmup,
    parallel_models: suite.parallelModels,
    max_output_bytes: suite.maxOutputBytes,
    savings: suite.savings,
    gates: suite.gates,
    gate_alpha: suite.gateAlpha,
    max_error_rate: suite.maxErrorRate,
    retry: {
      attempts: suite.retry.attempts,
      backoff_ms: suite.retry.backoffMs,
      max_backoff_ms: suite.retry.maxBackoffMs,
    },
    models: suite.models.map((model) => ({
      id: model.id,
      label: model.label,
      runner: model.runner,
      concurrency: model.concurrency,
      params: describeParams(suite.modelParams[model.id] ?? {}),
      config: model.config,
    })),
    ...(suite.judges !== undefined &&
      suite.judges.length > 0 && {
        judges: suite.judges.map(({ id, label, runner, concurrency, config }) => ({
          id,
          label,
          runner,
          concurrency,
          config,
        })),
      }),
    tasks: suite.tasks.map((task) => ({
      id: task.id,
      description: task.description ?? null,
      cases: task.cases.length,
      params: describeParams(task.params),
      scorers: task.scorerConfigs,
      structured: task.structured ?? null,
    })),
  };
}

function describeParams(params: Partial<ResolvedParams>): ParamsDescription {
  const out: ParamsDescription = {};
  if (params.maxTokens !== undefined) out.max_tokens = params.maxTokens;
  if (params.temperature !== undefined) out.temperature = params.temperature;
  if (params.topP !== undefined) out.top_p = params.topP;
  if (params.topK !== undefined) out.top_k = params.topK;
  if (params.seed !== undefined) out.seed = params.seed;
  if (params.stop !== undefined) out.stop = params.stop;
  if (params.stream !== undefined) out.stream = params.stream;
  if (params.timeoutMs !== undefined) out.timeout_ms = params.timeoutMs;
  return out;
}
