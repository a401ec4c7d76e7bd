/**
 * The scorer registry: every scorer type mapped to its definition (config schema, factory,
 * checks). The built-ins are listed here, typed, so `ScorerConfig` and `ScorerType` derive from
 * them; `registerScorer` adds more at run time, and the suite format includes them (see
 * src/suite/schema.ts). A new scorer is one file in this folder plus one line in `builtinScorers`
 * that imports it: a built-in is imported only when a suite names it (`loadScorers`), and the
 * other functions here read the scorers loaded so far.
 */
import type { z } from "zod";
import { type PluginLoader, PluginRegistry } from "../core/plugin-registry.ts";
import type { Scorer, ScorerConfigBase, ScorerContext, ScorerDefinition } from "../core/scorer.ts";

/** The built-in scorers, by type, in the order the suite format lists them. */
export const builtinScorers = {
  exact: async () => (await import("./exact.ts")).exactScorer,
  normalized_exact: async () => (await import("./normalized-exact.ts")).normalizedExactScorer,
  contains: async () => (await import("./contains.ts")).containsScorer,
  starts_with: async () => (await import("./starts-with.ts")).startsWithScorer,
  regex: async () => (await import("./regex.ts")).regexScorer,
  one_of: async () => (await import("./one-of.ts")).oneOfScorer,
  edit_similarity: async () => (await import("./edit-similarity.ts")).editSimilarityScorer,
  token_f1: async () => (await import("./token-f1.ts")).tokenF1Scorer,
  rouge_l: async () => (await import("./rouge-l.ts")).rougeLScorer,
  numeric: async () => (await import("./numeric.ts")).numericScorer,
  length: async () => (await import("./length.ts")).lengthScorer,
  label_set: async () => (await import("./label-set.ts")).labelSetScorer,
  json_valid: async () => (await import("./json-valid.ts")).jsonValidScorer,
  json_schema: async () => (await import("./json-schema.ts")).jsonSchemaScorer,
  json_fields: async () => (await import("./json-fields.ts")).jsonFieldsScorer,
  spans: async () => (await import("./spans.ts")).spansScorer,
  sql_execution: async () => (await import("./sql-execution.ts")).sqlExecutionScorer,
  judge: async () => (await import("./judge.ts")).judgeScorer,
  judge_pairwise: async () => (await import("./judge-pairwise.ts")).judgePairwiseScorer,
  code_tests: async () => (await import("./code-tests.ts")).codeTestsScorer,
  custom: async () => (await import("./custom.ts")).customScorer,
  weighted: async () => (await import("./weighted.ts")).weightedScorer,
  tool_call: async () => (await import("./tool-call.ts")).toolCallScorer,
};

type Builtin = { [T in keyof typeof builtinScorers]: Awaited<ReturnType<(typeof builtinScorers)[T]>> };
/** A built-in scorer type. */
export type ScorerType = keyof Builtin;
/** The config of a built-in scorer (scorers registered at run time are not in this type). */
export type ScorerConfig = { [T in ScorerType]: z.infer<Builtin[T]["schema"]> }[ScorerType];

/** The registry: built-ins first, then what registerScorer adds. */
const registry = new PluginRegistry<ScorerDefinition>(
  "scorer",
  "type",
  (type) => `scorerSchema("${type}", …), with \`type: "${type}"\``,
  builtinScorers as unknown as Record<string, PluginLoader<ScorerDefinition>>,
);

/**
 * The loaded scorers by type, built-ins first, then in registration order. Read-only. Every
 * registered scorer after {@link loadAllScorers}.
 */
export function scorerDefinitions(): ReadonlyMap<string, ScorerDefinition> {
  return registry.all();
}

/** Every scorer type registered, loaded or not. */
export function scorerTypes(): readonly string[] {
  return registry.names();
}

/** Imports the built-in scorers of these types (a suite's), so the functions here can read them. */
export function loadScorers(types: Iterable<string>): Promise<void> {
  return registry.load(types);
}

/** Imports every built-in scorer (the JSON Schema; folding a log whose suite was not loaded). */
export function loadAllScorers(): Promise<void> {
  return registry.loadAll();
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

/** Every type {@link defaultScorerConfigs} may give a task: loaded for a task without `scorers`. */
export const DEFAULT_SCORER_TYPES: readonly ScorerType[] = ["tool_call", "exact", "json_valid"];

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
