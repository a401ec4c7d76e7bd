/**
 * The scorer registry: every scorer type mapped to its definition (config schema, factory,
 * checks). The built-ins are listed here, typed, so `ScorerConfig` and `ScorerType` derive from
 * them; `registerScorer` adds more at run time, and the suite format includes them (see
 * src/suite/schema.ts). A new scorer is one file in this folder plus one line in `builtinScorers`.
 */
import type { z } from "zod";
import { PluginRegistry } from "../core/plugin-registry.ts";
import type { Scorer, ScorerConfigBase, ScorerContext, ScorerDefinition } from "../core/scorer.ts";
import { codeTestsScorer } from "./code-tests.ts";
import { containsScorer } from "./contains.ts";
import { customScorer } from "./custom.ts";
import { editSimilarityScorer } from "./edit-similarity.ts";
import { exactScorer } from "./exact.ts";
import { jsonFieldsScorer } from "./json-fields.ts";
import { jsonSchemaScorer } from "./json-schema.ts";
import { jsonValidScorer } from "./json-valid.ts";
import { judgeScorer } from "./judge.ts";
import { judgePairwiseScorer } from "./judge-pairwise.ts";
import { labelSetScorer } from "./label-set.ts";
import { lengthScorer } from "./length.ts";
import { normalizedExactScorer } from "./normalized-exact.ts";
import { numericScorer } from "./numeric.ts";
import { oneOfScorer } from "./one-of.ts";
import { regexScorer } from "./regex.ts";
import { rougeLScorer } from "./rouge-l.ts";
import { spansScorer } from "./spans.ts";
import { sqlExecutionScorer } from "./sql-execution.ts";
import { startsWithScorer } from "./starts-with.ts";
import { tokenF1Scorer } from "./token-f1.ts";
import { toolCallScorer } from "./tool-call.ts";
import { weightedScorer } from "./weighted.ts";

/** The built-in scorers, by type, in the order the suite format lists them. */
export const builtinScorers = {
  exact: exactScorer,
  normalized_exact: normalizedExactScorer,
  contains: containsScorer,
  starts_with: startsWithScorer,
  regex: regexScorer,
  one_of: oneOfScorer,
  edit_similarity: editSimilarityScorer,
  token_f1: tokenF1Scorer,
  rouge_l: rougeLScorer,
  numeric: numericScorer,
  length: lengthScorer,
  label_set: labelSetScorer,
  json_valid: jsonValidScorer,
  json_schema: jsonSchemaScorer,
  json_fields: jsonFieldsScorer,
  spans: spansScorer,
  sql_execution: sqlExecutionScorer,
  judge: judgeScorer,
  judge_pairwise: judgePairwiseScorer,
  code_tests: codeTestsScorer,
  custom: customScorer,
  weighted: weightedScorer,
  tool_call: toolCallScorer,
};

type Builtin = typeof builtinScorers;
/** A built-in scorer type. */
export type ScorerType = keyof Builtin;
/** The config of a built-in scorer (scorers registered at run time are not in this type). */
export type ScorerConfig = { [T in ScorerType]: z.infer<Builtin[T]["schema"]> }[ScorerType];

/** The registry: built-ins first, then what registerScorer adds. */
const registry = new PluginRegistry<ScorerDefinition>(
  "scorer",
  "type",
  (type) => `scorerSchema("${type}", …), with \`type: "${type}"\``,
  builtinScorers as unknown as Record<string, ScorerDefinition>,
);

/** Every registered scorer by type, built-ins first, then in registration order. Read-only. */
export function scorerDefinitions(): ReadonlyMap<string, ScorerDefinition> {
  return registry.all();
}

/**
 * Adds a scorer type (a plug-in outside this folder, a test). Suites loaded afterwards may use it.
 * @throws Error when the type is taken or the schema's `type` is not `type`
 */
export function registerScorer<C extends ScorerConfigBase>(
  type: string,
  definition: ScorerDefinition<C>,
): void {
  registry.register(type, definition as unknown as ScorerDefinition);
}

/**
 * Removes a scorer type added by {@link registerScorer}.
 * @throws Error for a built-in type
 */
export function unregisterScorer(type: string): void {
  registry.unregister(type);
}

/** The definition of a scorer type, or undefined when none is registered. */
export function scorerDefinition(type: string): ScorerDefinition | undefined {
  return registry.get(type);
}

/**
 * Builds the scorer a config describes; its name is `config.name ?? config.type`.
 * @throws Error with a message saying what is wrong (bad regex, unreadable labels file, no schema)
 */
export function createScorer(config: ScorerConfig | ScorerConfigBase, context: ScorerContext): Scorer {
  const definition = registry.get(config.type);
  if (!definition) throw new Error(`no scorer of type "${config.type}" is registered`);
  return definition.create(config, context);
}

/**
 * The scorers a task gets without a `scorers` list: `tool_call` when it offers tools and its cases
 * have expected answers, else `exact` when they have, else `json_valid` when it has a
 * `json_schema`, else none.
 */
export function defaultScorerConfigs(task: {
  hasExpected: boolean;
  hasJsonSchema: boolean;
  hasTools?: boolean;
}): ScorerConfig[] {
  if (task.hasExpected && task.hasTools) return [{ type: "tool_call" }];
  if (task.hasExpected) return [{ type: "exact" }];
  if (task.hasJsonSchema) return [{ type: "json_valid" }];
  return [];
}
