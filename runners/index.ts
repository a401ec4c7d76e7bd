/**
 * The runner registry: every `runner:` kind of the suite format mapped to its definition (config
 * schema, factory, locality, paths, pricing name, `--model` values). The built-ins are listed
 * here, typed, so `ModelConfig` and `RunnerKind` derive from them; `registerRunner` adds more at
 * run time, and the suite format includes them (see src/suite/schema.ts). A new runner is one
 * file in this folder exporting a `RunnerDefinition`, plus one line in `builtinRunners`.
 */
import type { z } from "zod";
import type { ModelConfigBase } from "../src/core/model-config.ts";
import { PluginRegistry } from "../src/core/plugin-registry.ts";
import type { ModelFromFlag, Runner, RunnerDefinition } from "../src/core/runner.ts";
import { anthropicRunner } from "./anthropic.ts";
import { embeddedRunner } from "./embedded.ts";
import { geminiRunner } from "./gemini.ts";
import { llamacppRunner } from "./llamacpp.ts";
import { openaiCompatibleRunner, openaiRunner } from "./openai.ts";
import { recordedRunner } from "./recorded.ts";

/**
 * The built-in runners, by kind, in the order the suite format lists them. A `--model` value goes
 * to the first that takes it (llamacpp takes URLs, embedded files).
 */
export const builtinRunners = {
  llamacpp: llamacppRunner,
  embedded: embeddedRunner,
  openai: openaiRunner,
  "openai-compatible": openaiCompatibleRunner,
  anthropic: anthropicRunner,
  gemini: geminiRunner,
  recorded: recordedRunner,
};

type Builtin = typeof builtinRunners;
/** A built-in runner kind. */
export type RunnerKind = keyof Builtin;
/** A model entry of a built-in runner (runners registered at run time are not in this type). */
export type ModelConfig = { [K in RunnerKind]: z.infer<Builtin[K]["schema"]> }[RunnerKind];

/** The registry: built-ins first, then what registerRunner adds. */
const registry = new PluginRegistry<RunnerDefinition>(
  "runner",
  "runner",
  (kind) => `a zod object with \`runner: z.literal("${kind}")\``,
  builtinRunners as unknown as Record<string, RunnerDefinition>,
);

/** Every registered runner by kind, built-ins first, then in registration order. Read-only. */
export function runnerDefinitions(): ReadonlyMap<string, RunnerDefinition> {
  return registry.all();
}

/**
 * Adds a runner kind (a plug-in outside this folder, a test). Suites loaded afterwards may use it.
 * @throws Error when the kind is taken or the schema's `runner` is not `kind`
 */
export function registerRunner<C extends ModelConfigBase>(
  kind: string,
  definition: RunnerDefinition<C>,
): void {
  registry.register(kind, definition as unknown as RunnerDefinition);
}

/**
 * Removes a runner kind added by {@link registerRunner}.
 * @throws Error for a built-in kind
 */
export function unregisterRunner(kind: string): void {
  registry.unregister(kind);
}

/**
 * The definition of a model entry's runner kind.
 * @throws Error when no runner of that kind is registered (the suite was validated under another registry)
 */
export function runnerDefinition<C extends ModelConfigBase>(config: C): RunnerDefinition<C> {
  const definition = registry.get(config.runner);
  if (!definition) throw new Error(`model ${config.id}: no runner of kind "${config.runner}" is registered`);
  return definition as unknown as RunnerDefinition<C>;
}

/** Where a runner kind's calls run; undefined for a kind no runner is registered for. */
export function runnerLocality(kind: string): RunnerDefinition["locality"] | undefined {
  return registry.get(kind)?.locality;
}

/** Whether runner `kind` applies a task's GBNF grammar (see RunnerDefinition.appliesGrammar). */
export function runnerAppliesGrammar(kind: string): boolean {
  return registry.get(kind)?.appliesGrammar === true;
}

/** Whether runner `kind` can offer a task's tools (see RunnerDefinition.offersTools). */
export function runnerOffersTools(kind: string): boolean {
  return registry.get(kind)?.offersTools !== false;
}

/** Builds the runner for a model entry (paths already absolute). */
export function createRunner(config: ModelConfigBase): Runner {
  return runnerDefinition(config).create(config);
}

/** Environment variables a model entry needs (API keys), for the check before any call. */
export function secretEnvOf(config: ModelConfigBase): string[] {
  return runnerDefinition(config).secretEnv?.(config) ?? [];
}

/** A copy of a model entry with its file paths absolute, relative to `baseDir` (the suite's directory). */
export function absoluteModelPaths<C extends ModelConfigBase>(config: C, baseDir: string): C {
  const definition = runnerDefinition(config);
  return definition.absolutePaths ? definition.absolutePaths(config, baseDir) : structuredClone(config);
}

/** The model name API cost and published energy estimates are looked up by (default: the model id). */
export function pricingModelOf(config: ModelConfigBase): string {
  return runnerDefinition(config).pricingModel?.(config) ?? config.id;
}

/**
 * What a `--model` flag value stands for, as the first registered runner that takes it makes it;
 * undefined when none does.
 */
export function modelFromFlagValue(value: string): ModelFromFlag | undefined {
  for (const definition of registry.all().values()) {
    const model = definition.fromModelFlag?.(value);
    if (model) return model;
  }
  return undefined;
}
