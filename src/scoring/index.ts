/**
 * The scorer registry: every built-in scorer type mapped to its factory, checked against the
 * suite schema's `ScorerType` so a type without a factory (or a stray factory) fails to compile.
 */
import type { Scorer, ScorerContext, ScorerFactory } from "../core/scorer.ts";
import type { ScorerConfig, ScorerType } from "../suite/schema.ts";
import { contains } from "./contains.ts";
import { exact } from "./exact.ts";
import { jsonSchema } from "./json-schema.ts";
import { jsonValid } from "./json-valid.ts";
import { normalizedExact } from "./normalized-exact.ts";
import { oneOf } from "./one-of.ts";
import { regex } from "./regex.ts";

export const scorers = {
  exact,
  normalized_exact: normalizedExact,
  contains,
  regex,
  one_of: oneOf,
  json_valid: jsonValid,
  json_schema: jsonSchema,
} satisfies { [T in ScorerType]: ScorerFactory<T> };

/**
 * Builds the scorer a config describes; its name is `config.name ?? config.type`.
 * @throws Error with a message saying what is wrong (bad regex, unreadable labels file, no schema)
 */
export function createScorer(config: ScorerConfig, context: ScorerContext): Scorer {
  // The map is keyed by the config's own discriminant, so the factory matches the config.
  const factory = scorers[config.type] as ScorerFactory;
  return factory(config, context);
}
