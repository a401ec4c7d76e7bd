/**
 * The `runner: embedded` model entry: its schema, its paths made absolute, and what a `--model`
 * file becomes. Apart from embedded.ts so that embedded-llama.ts can read its types.
 */
import { basename, resolve } from "node:path";
import { z } from "zod";
import { modelFields } from "../src/core/model-config.ts";
import type { ModelFromFlag } from "../src/core/runner.ts";

export const EmbeddedModel = z.strictObject({
  ...modelFields,
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

/** A copy of `config` whose GGUF model and LoRA adapter paths are absolute, relative to `baseDir`. */
export function absoluteEmbeddedPaths(config: EmbeddedModel, baseDir: string): EmbeddedModel {
  const abs = (path: string) => resolve(baseDir, path);
  const copy = structuredClone(config);
  if (copy.model !== undefined) copy.model = abs(copy.model);
  for (const lora of copy.lora ?? []) lora.path = abs(lora.path);
  return copy;
}

/**
 * `--model <file>`: a GGUF file run in-process, relative to the working directory (not the
 * suite), named by its file name. Not a URL (`scheme://…`): those are for runners of servers.
 */
export function embeddedFromModelFlag(value: string): ModelFromFlag<EmbeddedModel> | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  return {
    name: basename(value).replace(/\.gguf$/i, ""),
    label: value,
    config: { runner: "embedded", model: resolve(value) },
  };
}
