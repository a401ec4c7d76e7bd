/**
 * The runner registry: one factory per `runner:` kind of the suite format. Explicit and typed,
 * so a new kind in the schema without a runner here is a type error.
 */
import type { ModelConfigOf, Runner, RunnerFactory } from "../src/core/runner.ts";
import type { ModelConfig, RunnerKind } from "../src/suite/schema.ts";
import { createEmbeddedRunner } from "./embedded.ts";
import { createLlamaCppRunner } from "./llamacpp.ts";

export const runners = {
  llamacpp: createLlamaCppRunner,
  embedded: createEmbeddedRunner,
} satisfies { [K in RunnerKind]: RunnerFactory<ModelConfigOf<K>> };

/** Builds the runner for a model entry (paths already absolute). */
export function createRunner(config: ModelConfig): Runner {
  switch (config.runner) {
    case "llamacpp":
      return runners.llamacpp(config);
    case "embedded":
      return runners.embedded(config);
  }
}
