/** Model entries resolved: labels, concurrency, and every file path made absolute. */
import { isAbsolute, resolve } from "node:path";
import { BUILTIN_DEFAULTS } from "./defaults.ts";
import type { IssueDraft } from "./errors.ts";
import type { ResolvedModel } from "./resolved.ts";
import type { ModelConfig, SuiteConfig } from "./schema.ts";

/** Resolves the models of `suite`; duplicate ids come back as issues at the later `id`. */
export function resolveModels(
  suite: SuiteConfig,
  baseDir: string,
): { models: ResolvedModel[]; issues: IssueDraft[] } {
  const issues: IssueDraft[] = [];
  const firstIndex = new Map<string, number>();
  const models = suite.models.map((model, index): ResolvedModel => {
    const first = firstIndex.get(model.id);
    if (first !== undefined) {
      issues.push({
        path: ["models", index, "id"],
        at: "value",
        message: `duplicate model id "${model.id}" (also models[${first}])`,
        expected: "a model id used once",
      });
    } else {
      firstIndex.set(model.id, index);
    }
    return {
      id: model.id,
      label: model.label ?? model.id,
      runner: model.runner,
      config: absoluteModelPaths(model, baseDir),
      concurrency: model.concurrency ?? suite.concurrency ?? BUILTIN_DEFAULTS.concurrency,
    };
  });
  return { models, issues };
}

/**
 * A copy of `model` whose file paths are absolute, relative to `baseDir`: GGUF models and LoRA
 * adapters. A `spawn.binary` is a path only when it has a slash; a bare name is looked up on PATH.
 */
export function absoluteModelPaths(model: ModelConfig, baseDir: string): ModelConfig {
  const abs = (path: string) => resolve(baseDir, path);
  const copy = structuredClone(model);
  if (copy.runner === "llamacpp") {
    if (copy.spawn) {
      copy.spawn.model = abs(copy.spawn.model);
      if (copy.spawn.lora) copy.spawn.lora = copy.spawn.lora.map(abs);
      const binary = copy.spawn.binary;
      if (binary?.includes("/") && !isAbsolute(binary)) copy.spawn.binary = abs(binary);
    }
    for (const lora of copy.lora ?? []) if (lora.path !== undefined) lora.path = abs(lora.path);
  } else if (copy.runner === "embedded") {
    if (copy.model !== undefined) copy.model = abs(copy.model);
    for (const lora of copy.lora ?? []) lora.path = abs(lora.path);
  }
  return copy;
}
