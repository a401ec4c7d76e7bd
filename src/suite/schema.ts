/**
 * The suite format, v1: defined once here with zod. `opbench schema` exports it as JSON Schema
 * for editor completion; `loadSuite()` validates YAML against it with positions; runners and
 * scorers import their config types from here (the core owns the format, plug-ins read it).
 */
import { z } from "zod";
import { LoadConfig } from "../load/schema.ts";
import { Duration } from "./duration-schema.ts";

export { Duration };

/** A JSON Schema object (kept opaque: ajv checks it when the suite is resolved). */
export const JsonSchemaObject = z.record(z.string(), z.unknown()).describe("A JSON Schema object");

/** Generation parameters shared by `defaults`, models and tasks (later levels override earlier). */
export const GenerationParams = z.strictObject({
  max_tokens: z.number().int().positive().optional().describe("Maximum output tokens per call"),
  temperature: z.number().min(0).max(2).optional().describe("Sampling temperature"),
  top_p: z.number().gt(0).max(1).optional(),
  top_k: z.number().int().nonnegative().optional(),
  seed: z.number().int().optional().describe("Sampling seed, where the backend supports one"),
  stop: z.array(z.string()).optional().describe("Stop sequences"),
  stream: z.boolean().optional().describe("Stream the response (default true; TTFT needs it)"),
  timeout: Duration.optional().describe("Per-call timeout (default 60s)"),
});
export type GenerationParams = z.infer<typeof GenerationParams>;

const Price = z
  .strictObject({
    input_per_mtok: z.number().nonnegative().optional().describe("USD per million input tokens"),
    cached_input_per_mtok: z.number().nonnegative().optional(),
    cache_write_per_mtok: z.number().nonnegative().optional(),
    output_per_mtok: z.number().nonnegative().optional().describe("USD per million output tokens"),
    reasoning_per_mtok: z.number().nonnegative().optional(),
  })
  .describe("Price override in USD per million tokens");

const Hardware = z
  .strictObject({
    name: z.string().optional(),
    power_w: z.number().positive().optional().describe("Device power in watts, for modelled energy"),
    usd_per_hour: z.number().nonnegative().optional().describe("Amortised hardware or cloud $/hour"),
    usd_per_kwh: z.number().nonnegative().optional().describe("Electricity price"),
    pue: z.number().min(1).optional(),
  })
  .describe("Hardware and electricity figures for local cost and energy");

const Energy = z
  .strictObject({
    method: z
      .enum(["auto", "modelled", "none"])
      .optional()
      .describe(
        "auto (default): local models use the best meter the host offers (DCGM URL, NVML, nvidia-smi, RAPL, " +
          "else modelled from hardware.power_w); API models use published estimates. modelled: power × busy time. none: off",
      ),
    dcgm_url: z
      .url()
      .optional()
      .describe("DCGM exporter /metrics URL (how a remote server's GPU is measured)"),
    gpus: z.array(z.number().int().nonnegative()).optional().describe("GPU indices to measure (default all)"),
    idle: Duration.optional().describe(
      "Idle-power measurement before the model's calls (default 3s; 0: skip)",
    ),
    utilisation: z.number().gt(0).max(1).optional().describe("Utilisation for modelled energy (default 1)"),
    wh_per_query: z.number().positive().optional().describe("API models: your own per-query estimate, Wh"),
    wh_per_output_token: z
      .number()
      .positive()
      .optional()
      .describe("API models: your own per-token estimate, Wh"),
  })
  .describe("How energy is measured or estimated for this model");

/** Fields every model entry has, whatever its runner. */
const ModelCommon = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/)
    .describe("Unique name of this model in the suite (letters, digits, . _ : @ / -)"),
  label: z.string().optional().describe("Display name in reports"),
  concurrency: z.number().int().positive().optional().describe("Calls in flight at once for this model"),
  params: GenerationParams.optional().describe("Generation parameters for this model"),
  extra_body: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Extra fields merged into every request body as is"),
  price: Price.optional(),
  hardware: Hardware.optional(),
  energy: Energy.optional(),
  rpm: z.number().positive().optional().describe("Requests per minute this model may be sent (rate limit)"),
  tpm: z
    .number()
    .positive()
    .optional()
    .describe("Tokens per minute (input + max output) this model may be sent"),
};

/** Fields of every closed-API model entry. */
const ApiCommon = {
  ...ModelCommon,
  model: z.string().min(1).describe("Model name as the API knows it, e.g. gpt-4.1-mini"),
  base_url: z.url().optional().describe("API base URL (default: the provider's)"),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe("Environment variable holding the API key"),
  headers: z
    .record(
      z.string(),
      z.union([
        z.string(),
        z
          .strictObject({ value: z.string(), public: z.boolean() })
          .describe("public: true records the value as is; false masks it whatever the name"),
      ]),
    )
    .optional()
    .describe(
      "Extra HTTP headers. Values of headers named like a secret (authorization, *key*, *token*, " +
        "*secret*, cookie …) are masked in every record unless given as {value, public: true}",
    ),
};

/** A LoRA adapter applied per request: by its path as given to `spawn.lora`, or its server id. */
export const LoraRef = z.strictObject({
  path: z.string().optional().describe("Adapter path, as listed in spawn.lora"),
  id: z.number().int().nonnegative().optional().describe("Adapter index on the server"),
  scale: z.number().default(1),
});
export type LoraRef = z.infer<typeof LoraRef>;

export const SpawnConfig = z.strictObject({
  binary: z
    .string()
    .optional()
    .describe("llama-server executable (default: $LLAMA_SERVER, else llama-server on PATH)"),
  model: z.string().describe("GGUF model path, relative to the suite file"),
  args: z.array(z.string()).optional().describe("Extra command-line arguments, as is"),
  ctx_size: z.number().int().positive().optional(),
  parallel: z.number().int().positive().optional().describe("Server slots (-np); default: concurrency"),
  threads: z.number().int().positive().optional(),
  gpu_layers: z.union([z.number().int().nonnegative(), z.literal("all")]).optional(),
  lora: z.array(z.string()).optional().describe("LoRA adapters loaded at start (applied per request)"),
  startup_timeout: Duration.optional().describe("How long to wait for /health (default 120s)"),
});
export type SpawnConfig = z.infer<typeof SpawnConfig>;

export const LlamaCppModel = z
  .strictObject({
    ...ModelCommon,
    runner: z.literal("llamacpp"),
    url: z.url().optional().describe("Base URL of a running llama-server (attach mode)"),
    spawn: SpawnConfig.optional().describe("Start llama-server for this run (managed mode)"),
    endpoint: z
      .enum(["completion", "chat"])
      .optional()
      .describe("native /completion or OpenAI-compatible /v1/chat/completions (default chat)"),
    lora: z.array(LoraRef).optional().describe("Per-request LoRA adapters"),
    cache_prompt: z.boolean().optional().describe("llama.cpp prompt cache reuse (default false)"),
  })
  .refine((m) => (m.url === undefined) !== (m.spawn === undefined), {
    message: "a llamacpp model needs exactly one of `url` (attach) or `spawn` (managed)",
  });
export type LlamaCppModel = z.infer<typeof LlamaCppModel>;

export const EmbeddedModel = z.strictObject({
  ...ModelCommon,
  runner: z.literal("embedded"),
  model: z
    .string()
    .optional()
    .describe("GGUF path, relative to the suite file. Absent: opbench's built-in demo model"),
  threads: z.number().int().positive().optional().describe("CPU threads (default: see README)"),
  gpu: z.union([z.enum(["auto", "cuda", "vulkan", "metal"]), z.literal(false)]).optional(),
  gpu_layers: z.union([z.number().int().nonnegative(), z.literal("all")]).optional(),
  ctx_size: z.number().int().positive().optional(),
  lora: z.array(z.strictObject({ path: z.string(), scale: z.number().default(1) })).optional(),
});
export type EmbeddedModel = z.infer<typeof EmbeddedModel>;

export const OpenAIModel = z.strictObject({
  ...ApiCommon,
  runner: z.literal("openai"),
  api: z.enum(["chat", "responses"]).optional().describe("Chat Completions (default) or the Responses API"),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]).optional(),
});
export type OpenAIModel = z.infer<typeof OpenAIModel>;

export const OpenAICompatibleModel = z.strictObject({
  ...ApiCommon,
  runner: z.literal("openai-compatible"),
  base_url: z.url().describe("Base URL including the version path, e.g. https://openrouter.ai/api/v1"),
  api: z.enum(["chat", "responses"]).optional(),
  provider: z
    .string()
    .optional()
    .describe("Pricing provider id in genai-prices (e.g. groq, together, fireworks, openrouter)"),
  reasoning_effort: z.enum(["minimal", "low", "medium", "high"]).optional(),
});
export type OpenAICompatibleModel = z.infer<typeof OpenAICompatibleModel>;

export const AnthropicModel = z.strictObject({
  ...ApiCommon,
  runner: z.literal("anthropic"),
  thinking_budget: z.number().int().min(1024).optional().describe("Extended thinking budget in tokens"),
});
export type AnthropicModel = z.infer<typeof AnthropicModel>;

export const GeminiModel = z.strictObject({
  ...ApiCommon,
  runner: z.literal("gemini"),
  thinking_budget: z.number().int().min(0).optional().describe("Thinking budget in tokens (0: off)"),
});
export type GeminiModel = z.infer<typeof GeminiModel>;

export const ModelConfig = z.discriminatedUnion("runner", [
  LlamaCppModel,
  EmbeddedModel,
  OpenAIModel,
  OpenAICompatibleModel,
  AnthropicModel,
  GeminiModel,
]);
export type ModelConfig = z.infer<typeof ModelConfig>;
export type RunnerKind = ModelConfig["runner"];

/** Scorer configs. A bare string is shorthand for `{type: <string>}`. */
export const ScorerConfig = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("exact"), name: z.string().optional() }),
  z.strictObject({ type: z.literal("normalized_exact"), name: z.string().optional() }),
  z.strictObject({
    type: z.literal("contains"),
    name: z.string().optional(),
    value: z.string().optional().describe("Text to look for (default: the expected answer)"),
    ignore_case: z.boolean().optional(),
  }),
  z.strictObject({
    type: z.literal("regex"),
    name: z.string().optional(),
    pattern: z.string().describe("JavaScript regular expression the output must match"),
    flags: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal("one_of"),
    name: z.string().optional(),
    labels: z.array(z.string()).optional(),
    labels_file: z.string().optional().describe("JSON array or one label per line"),
  }),
  z.strictObject({ type: z.literal("json_valid"), name: z.string().optional() }),
  z.strictObject({
    type: z.literal("json_schema"),
    name: z.string().optional(),
    schema: JsonSchemaObject.optional().describe("Default: the task's json_schema"),
  }),
]);
export type ScorerConfig = z.infer<typeof ScorerConfig>;
export type ScorerType = ScorerConfig["type"];
const ScorerShorthand = z.enum(["exact", "normalized_exact", "contains", "json_valid", "json_schema"]);

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

export const TaskConfig = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
    description: z.string().optional(),
    system: z.string().optional().describe("System prompt (a template)"),
    prompt: z.string().describe("User prompt template; {{var}} is filled from the dataset row"),
    dataset: DatasetConfig,
    expected: z.string().optional().describe("Template of the gold answer (default: the row's `expected`)"),
    case_id: z.string().optional().describe("Template of a stable case id (default: row number)"),
    cluster: z.string().optional().describe("Template of a cluster key for clustered standard errors"),
    scorers: z.array(z.union([ScorerShorthand, ScorerConfig])).optional(),
    json_schema: JsonSchemaObject.optional().describe("Constrain the output to this JSON Schema"),
    grammar: z.string().optional().describe("Constrain the output with a GBNF grammar (llama.cpp)"),
    ...GenerationParams.shape,
  })
  .refine((t) => !(t.json_schema && t.grammar), {
    message: "a task takes `json_schema` or `grammar`, not both",
  });
export type TaskConfig = z.infer<typeof TaskConfig>;

export const RetryConfig = z.strictObject({
  attempts: z.number().int().min(1).optional().describe("Attempts per call, first included (default 3)"),
  backoff: Duration.optional().describe("First backoff (default 500ms), doubled each retry, with jitter"),
  max_backoff: Duration.optional().describe("Longest backoff (default 30s)"),
});

export const SavingsConfig = z.strictObject({
  candidate: z.string().describe("Model id of the candidate (usually the small local model)"),
  baseline: z.string().describe("Model id of the baseline (usually the frontier API)"),
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

export const SuiteConfig = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(1).optional().describe("Suite format version"),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  description: z.string().optional(),
  defaults: GenerationParams.optional().describe("Generation parameters for every call"),
  models: z.array(ModelConfig).min(1),
  tasks: z.array(TaskConfig).min(1),
  repeats: z.number().int().positive().optional().describe("Calls per case and model (default 1)"),
  concurrency: z.number().int().positive().optional().describe("Default calls in flight per model (1)"),
  warmup: z.number().int().nonnegative().optional().describe("Unmeasured calls per model first (0)"),
  timeout: Duration.optional().describe("Per-call timeout (default 60s)"),
  retry: RetryConfig.optional(),
  parallel_models: z.boolean().optional().describe("Run models at the same time (default false)"),
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
});
export type SuiteConfig = z.infer<typeof SuiteConfig>;
