/**
 * The `runner: llamacpp` model entry: its schema, its paths made absolute, and what a `--model`
 * URL becomes. Apart from llamacpp.ts so that the spawn and body helpers can read its types.
 */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { Duration } from "../src/core/config-schema.ts";
import { modelFields } from "../src/core/model-config.ts";
import type { ModelFromFlag } from "../src/core/runner.ts";
import { maskUrl } from "../src/core/url.ts";

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
    ...modelFields,
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

/**
 * A copy of `config` whose GGUF model and LoRA adapter paths are absolute, relative to `baseDir`.
 * A `spawn.binary` is a path only when it has a slash; a bare name is looked up on PATH.
 */
export function absoluteLlamaCppPaths(config: LlamaCppModel, baseDir: string): LlamaCppModel {
  const abs = (path: string) => resolve(baseDir, path);
  const copy = structuredClone(config);
  if (copy.spawn) {
    copy.spawn.model = abs(copy.spawn.model);
    if (copy.spawn.lora) copy.spawn.lora = copy.spawn.lora.map(abs);
    const binary = copy.spawn.binary;
    if (binary?.includes("/") && !isAbsolute(binary)) copy.spawn.binary = abs(binary);
  }
  for (const lora of copy.lora ?? []) if (lora.path !== undefined) lora.path = abs(lora.path);
  return copy;
}

/** `--model <http(s) URL>`: attach to the llama-server there, named by its host:port. */
export function llamaCppFromModelFlag(value: string): ModelFromFlag<LlamaCppModel> | undefined {
  if (!/^https?:\/\//.test(value)) return undefined;
  return { name: new URL(value).host, label: maskUrl(value), config: { runner: "llamacpp", url: value } };
}
