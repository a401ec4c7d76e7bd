/**
 * The suite format, v1, with zod: assembled here from the runner registry (each runner owns its
 * model entry's schema) and the scorer registry (each scorer owns its options), plus the
 * suite's own sections. `opbench schema` exports it as JSON Schema for editor completion;
 * `loadSuite()` validates YAML against it with positions. It is rebuilt when a registry changes,
 * so runners and scorers registered (or loaded) at run time are part of it.
 */
import { z } from "zod";
import { type ModelConfig, runnerDefinitions } from "../../runners/index.ts";
import { Duration, JsonSchemaObject } from "../core/config-schema.ts";
import { GenerationParams } from "../core/model-config.ts";
import type { RunnerDefinition } from "../core/runner.ts";
import type { ScorerDefinition } from "../core/scorer.ts";
import { type ScorerConfig, scorerDefinitions } from "../scoring/index.ts";
import { LoadConfig } from "./load-schema.ts";
import { toolTaskFields } from "./tools-config.ts";

// A process validates a suite once: zod's JIT would compile a parser per object schema (with
// `new Function`) for that one parse, which costs about twice the parse it speeds up.
z.config({ jitless: true });

export type { ModelConfig, RunnerKind } from "../../runners/index.ts";
export type { ScorerConfig, ScorerType } from "../scoring/index.ts";

export const DatasetConfig = z.union([
  z.string().describe("Path to a .jsonl, .json or .csv file, relative to the suite file"),
  z.array(z.record(z.string(), z.unknown())).describe("Inline rows"),
  z.strictObject({
    path: z.string(),
    format: z.enum(["jsonl", "json", "csv"]).optional(),
    limit: z.number().int().positive().optional().describe("Use only the first N rows"),
  }),
]);
export type DatasetConfig = z.infer<typeof DatasetConfig>;

export const RetryConfig = z.strictObject({
  attempts: z.number().int().min(1).optional().describe("Attempts per call, first included (default 3)"),
  backoff: Duration.optional().describe("First backoff (default 500ms), doubled each retry, with jitter"),
  max_backoff: Duration.optional().describe("Longest backoff (default 30s)"),
});

export const SavingsConfig = z.strictObject({
  candidate: z.string().describe("Model id of the candidate (usually the small local model)"),
  baseline: z
    .union([
      z.string().describe("Model id of the baseline (usually the frontier API)"),
      z
        .strictObject({
          projected: z
            .string()
            .describe(
              "API model name in the genai-prices data (e.g. gpt-4.1): priced from the candidate's tokens, not run",
            ),
          provider: z
            .string()
            .optional()
            .describe("genai-prices provider id (default: guessed from the name)"),
        })
        .describe("A projected baseline: not run; its cost and energy projected from the candidate's calls"),
    ])
    .describe("Model id of the baseline (usually the frontier API), or {projected: <API model name>}"),
  scorer: z.string().optional().describe("Scorer whose score is accuracy (default: each task's first)"),
  escalate_on: z
    .strictObject({
      scorer_failed: z.string().optional().describe("Escalate when this (validity) scorer scores 0"),
      error: z.boolean().optional().describe("Escalate when the candidate's call failed (default true)"),
      truncated: z.boolean().optional().describe("Escalate when the output hit max_tokens (default true)"),
    })
    .optional()
    .describe("Cascade what-if: the candidate first, the baseline when a rule fires"),
});
export type SavingsConfig = z.infer<typeof SavingsConfig>;

/**
 * A task and the suite, given the registries' model and scorer schemas. Typed with the built-in
 * configs; at run time the unions hold every registered runner and scorer.
 */
function taskAndSuite(
  model: z.ZodType<ModelConfig>,
  scorer: z.ZodType<ScorerConfig>,
  scorerShorthand: z.ZodType<string>,
) {
  const task = z
    .strictObject({
      id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
      description: z.string().optional(),
      system: z.string().optional().describe("System prompt (a template)"),
      prompt: z
        .string()
        .optional()
        .describe(
          "User prompt template; {{var}} is filled from the dataset row (not needed with `messages_field`)",
        ),
      messages_field: z
        .string()
        .optional()
        .describe(
          "Dataset column holding each case's conversation ([{role, content, toolCalls?, toolCallId?}]), sent verbatim in place of system + prompt",
        ),
      tools_field: z
        .string()
        .optional()
        .describe(
          "Dataset column holding each case's tools ([{name, description?, parameters?}]) offered to the model",
        ),
      params_field: z
        .string()
        .optional()
        .describe(
          "Dataset column holding each case's logged request parameters (max_tokens, temperature, top_p, top_k, seed, stop, tool_choice in the API's names): over the task's, under a model's params",
        ),
      dataset: DatasetConfig,
      expected: z.string().optional().describe("Template of the gold answer (default: the row's `expected`)"),
      case_id: z.string().optional().describe("Template of a stable case id (default: row number)"),
      cluster: z.string().optional().describe("Template of a cluster key for clustered standard errors"),
      weight_field: z
        .string()
        .optional()
        .describe(
          "Dataset column holding each case's weight (a whole number ≥ 1: how many calls it stands for, e.g. a replayed request's exact duplicates): accuracy, its interval and agreement count a case of weight w as w calls",
        ),
      // A bare string is shorthand for `{type: <string>}`.
      scorers: z.array(z.union([scorerShorthand, scorer])).optional(),
      json_schema: JsonSchemaObject.optional().describe("Constrain the output to this JSON Schema"),
      grammar: z.string().optional().describe("Constrain the output with a GBNF grammar (llama.cpp)"),
      ...toolTaskFields,
      ...GenerationParams.shape,
    })
    .refine((t) => !(t.json_schema && t.grammar), {
      message: "a task takes `json_schema` or `grammar`, not both",
    })
    .refine((t) => t.prompt !== undefined || t.messages_field !== undefined, {
      path: ["prompt"],
      message: "missing required key `prompt` (a template; or `messages_field`, a column of conversations)",
    });
  const suite = z.strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).optional().describe("Suite format version"),
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    description: z.string().optional(),
    reference: z
      .enum(["gold", "recorded"])
      .optional()
      .describe(
        "What `expected` is: gold answers (default), or `recorded`: a logged model's answers, so accuracy is agreement with that model, not correctness",
      ),
    defaults: GenerationParams.optional().describe("Generation parameters for every call"),
    models: z.array(model).min(1),
    judges: z
      .array(model)
      .optional()
      .describe(
        "Judge models for the judge scorers (`judge: <id>`): entries like `models:`, started for the run " +
          "but not benchmarked; their calls are evaluation overhead",
      ),
    tasks: z.array(task).min(1),
    repeats: z.number().int().positive().optional().describe("Calls per case and model (default 1)"),
    concurrency: z.number().int().positive().optional().describe("Default calls in flight per model (1)"),
    warmup: z.number().int().nonnegative().optional().describe("Unmeasured calls per model first (0)"),
    timeout: Duration.optional().describe("Per-call timeout (default 60s)"),
    retry: RetryConfig.optional(),
    parallel_models: z.boolean().optional().describe("Run models at the same time (default false)"),
    workers: z
      .number()
      .int()
      .min(1)
      .max(64)
      .optional()
      .describe("Threads making the calls, each with its own connection pool (default 1: the main thread)"),
    max_output_bytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "Output bytes kept per call record (default 1 MiB); a longer output is cut there, with its length " +
          "and sha256 (scorers still see all of it)",
      ),
    load: LoadConfig.optional().describe("Defaults of `opbench load` (serving-capacity sweeps)"),
    savings: z
      .array(SavingsConfig)
      .optional()
      .describe("Candidate vs baseline comparisons (default: every local model vs the first API model)"),
    gates: z
      .array(z.string())
      .optional()
      .describe(
        'CI gates, one expression each (README "Gates"): "accuracy >= 0.9", "p95 e2e_ms <= 800", ' +
          '"accuracy[model=m,task=t] drop <= 2 points", "p95 e2e_ms rise <= 10%"; a failed gate is exit code 3',
      ),
    gate_alpha: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe("Two-sided significance level of gates against a baseline (default 0.05)"),
    max_error_rate: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe("Largest share of calls that may fail after every retry; more is exit code 4"),
  });
  return { task, suite };
}

type SuiteSchemas = ReturnType<typeof taskAndSuite>;
export type TaskConfig = z.infer<SuiteSchemas["task"]>;
export type SuiteConfig = z.infer<SuiteSchemas["suite"]>;

/**
 * The union of registered schemas, told apart by their `key` literal (each registry checks its
 * schemas have one); typed as the built-in configs.
 */
function unionOf<T>(key: string, schemas: readonly z.ZodType[]): z.ZodType<T> {
  type Options = Parameters<typeof z.discriminatedUnion>[1];
  return z.discriminatedUnion(key, schemas as unknown as Options) as unknown as z.ZodType<T>;
}

/** The schemas of one state of the registries (each registration or load replaces its registry). */
let memo:
  | {
      runners: ReturnType<typeof runnerDefinitions>;
      scorers: ReturnType<typeof scorerDefinitions>;
      schemas: SuiteSchemas;
    }
  | undefined;

/** The suite's schemas over these runner and scorer definitions. */
function schemasOf(
  runners: ReadonlyMap<string, RunnerDefinition>,
  scorers: ReadonlyMap<string, ScorerDefinition>,
): SuiteSchemas {
  const modelSchemas = [...runners.values()].map((definition) => definition.schema);
  const scorerSchemas = [...scorers.values()].map((definition) => definition.schema);
  const shorthand = [...scorers].filter(([, definition]) => definition.shorthand).map(([type]) => type);
  return taskAndSuite(
    unionOf<ModelConfig>("runner", modelSchemas),
    unionOf<ScorerConfig>("type", scorerSchemas),
    shorthand.length > 0 ? z.enum(shorthand as [string, ...string[]]) : z.never(),
  );
}

function assemble(): SuiteSchemas {
  const runners = runnerDefinitions();
  const scorers = scorerDefinitions();
  if (memo?.runners === runners && memo.scorers === scorers) return memo.schemas;
  memo = { runners, scorers, schemas: schemasOf(runners, scorers) };
  return memo.schemas;
}

/**
 * The suite schema over every loaded runner and scorer: every registered one after
 * `loadAllRunners()` and `loadAllScorers()` (the JSON Schema, and the errors of a suite that
 * does not validate, which list what each field could have been).
 */
export function suiteConfigSchema(): SuiteSchemas["suite"] {
  return assemble().suite;
}

/**
 * The suite schema over only these runner kinds and scorer types (loaded): what a suite that
 * names only them validates against, without building every other plug-in's schema. A suite it
 * accepts parses as under {@link suiteConfigSchema}; one it rejects is checked again under that.
 */
export function suiteSchemaFor(kinds: readonly string[], types: readonly string[]): SuiteSchemas["suite"] {
  const pick = <D>(all: ReadonlyMap<string, D>, names: readonly string[]) =>
    new Map([...all].filter(([name]) => names.includes(name)));
  return schemasOf(pick(runnerDefinitions(), kinds), pick(scorerDefinitions(), types)).suite;
}
