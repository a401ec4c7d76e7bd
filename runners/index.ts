/**
 * The runner registry: every `runner:` kind of the suite format mapped to its definition (config
 * schema, factory, locality, paths, pricing name, `--model` values). The built-ins are listed
 * here, typed, so `ModelConfig` and `RunnerKind` derive from them; `registerRunner` adds more at
 * run time, and the suite format includes them (see src/suite/schema.ts). A new runner is one
 * file in this folder exporting a `RunnerDefinition`, plus one line in `builtinRunners` that
 * imports it: a built-in is imported only when a suite names it (`loadRunners`), and the other
 * functions here read the runners loaded so far.
 */
import type { z } from "zod";
import type { ModelConfigBase } from "../src/core/model-config.ts";
import { type PluginLoader, PluginRegistry } from "../src/core/plugin-registry.ts";
import type { ModelFromFlag, Runner, RunnerDefinition } from "../src/core/runner.ts";

/**
 * The built-in runners, by kind, in the order the suite format lists them. A `--model` value goes
 * to the first that takes it (llamacpp takes URLs, embedded files).
 */
export const builtinRunners = {
  llamacpp: async () => (await import("./llamacpp.ts")).llamacppRunner,
  embedded: async () => (await import("./embedded.ts")).embeddedRunner,
  openai: async () => (await import("./openai.ts")).openaiRunner,
  "openai-compatible": async () => (await import("./openai.ts")).openaiCompatibleRunner,
  anthropic: async () => (await import("./anthropic.ts")).anthropicRunner,
  gemini: async () => (await import("./gemini.ts")).geminiRunner,
  recorded: async () => (await import("./recorded.ts")).recordedRunner,
};

type Builtin = { [K in keyof typeof builtinRunners]: Awaited<ReturnType<(typeof builtinRunners)[K]>> };
/** A built-in runner kind. */
export type RunnerKind = keyof Builtin;
/** A model entry of a built-in runner (runners registered at run time are not in this type). */
export type ModelConfig = { [K in RunnerKind]: z.infer<Builtin[K]["schema"]> }[RunnerKind];

/** The registry: built-ins first, then what registerRunner adds. */
const registry = new PluginRegistry<RunnerDefinition>(
  "runner",
  "runner",
  (kind) => `a zod object with \`runner: z.literal("${kind}")\``,
  builtinRunners as unknown as Record<string, PluginLoader<RunnerDefinition>>,
);

/**
 * The loaded runners by kind, built-ins first, then in registration order. Read-only. Every
 * registered runner after {@link loadAllRunners}.
 */
export function runnerDefinitions(): ReadonlyMap<string, RunnerDefinition> {
  return registry.all();
}

/** Every runner kind registered, loaded or not. */
export function runnerKinds(): readonly string[] {
  return registry.names();
}

/** Imports the built-in runners of these kinds (a suite's), so the functions here can read them. */
export function loadRunners(kinds: Iterable<string>): Promise<void> {
  return registry.load(kinds);
}

/** Imports every built-in runner (the JSON Schema, a `--model` value, `init --from`). */
export function loadAllRunners(): Promise<void> {
  return registry.loadAll();
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
 * undefined when none does. Reads the loaded runners: {@link loadAllRunners} first.
 */
export function modelFromFlagValue(value: string): ModelFromFlag | undefined {
  for (const definition of registry.all().values()) {
    const model = definition.fromModelFlag?.(value);
    if (model) return model;
  }
  return undefined;
}
