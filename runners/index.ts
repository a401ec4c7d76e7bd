/**
 * The runner registry: one definition per `runner:` kind of the suite format. Explicit and typed,
 * so a new kind in the schema without a runner here is a type error.
 */
import type { ModelConfigOf, Runner, RunnerDefinition } from "../src/core/runner.ts";
import type { ModelConfig, RunnerKind } from "../src/suite/schema.ts";
import { anthropicRunner } from "./anthropic.ts";
import { createEmbeddedRunner } from "./embedded.ts";
import { geminiRunner } from "./gemini.ts";
import { createLlamaCppRunner } from "./llamacpp.ts";
import { openaiCompatibleRunner, openaiRunner } from "./openai.ts";

export const runners = {
  llamacpp: { create: createLlamaCppRunner, locality: "local" },
  embedded: { create: createEmbeddedRunner, locality: "local" },
  openai: openaiRunner,
  "openai-compatible": openaiCompatibleRunner,
  anthropic: anthropicRunner,
  gemini: geminiRunner,
} satisfies { [K in RunnerKind]: RunnerDefinition<ModelConfigOf<K>> };

/** The definition of a model entry's runner kind. */
export function runnerDefinition<K extends RunnerKind>(
  config: ModelConfigOf<K>,
): RunnerDefinition<ModelConfigOf<K>> {
  return runners[config.runner as K] as unknown as RunnerDefinition<ModelConfigOf<K>>;
}

/** Builds the runner for a model entry (paths already absolute). */
export function createRunner(config: ModelConfig): Runner {
  return runnerDefinition(config).create(config);
}

/** Environment variables a model entry needs (API keys), for the check before any call. */
export function secretEnvOf(config: ModelConfig): string[] {
  return runnerDefinition(config).secretEnv?.(config) ?? [];
}
