/**
 * The runner kinds and scorer types a suite names, read from its parsed YAML before it is
 * validated: the plug-ins to load and validate it with.
 */
import { runnerKinds } from "../../runners/index.ts";
import { isObject } from "../core/json-object.ts";
import { DEFAULT_SCORER_TYPES, scorerTypes } from "../scoring/index.ts";

export interface PluginsNamed {
  kinds: string[];
  types: string[];
}

/**
 * The kinds of `models:` and `judges:` and the types in each task's `scorers:` (a task without
 * them: every type a task may get by default); undefined when a name is missing, not a string,
 * or registered under no plug-in (the suite is then validated against them all).
 */
export function pluginsNamed(data: unknown): PluginsNamed | undefined {
  if (!isObject(data)) return undefined;
  const kinds = new Set<string>();
  for (const section of [data.models, data.judges ?? []]) {
    if (!Array.isArray(section)) return undefined;
    for (const model of section) {
      if (!isObject(model) || typeof model.runner !== "string") return undefined;
      kinds.add(model.runner);
    }
  }
  if (!Array.isArray(data.tasks)) return undefined;
  const types = new Set<string>();
  for (const task of data.tasks) {
    if (!isObject(task)) return undefined;
    if (task.scorers === undefined) {
      for (const type of DEFAULT_SCORER_TYPES) types.add(type);
      continue;
    }
    if (!Array.isArray(task.scorers)) return undefined;
    for (const scorer of task.scorers) {
      const type = isObject(scorer) ? scorer.type : scorer;
      if (typeof type !== "string") return undefined;
      types.add(type);
    }
  }
  const knownKinds = new Set(runnerKinds());
  const knownTypes = new Set(scorerTypes());
  if (![...kinds].every((kind) => knownKinds.has(kind))) return undefined;
  if (![...types].every((type) => knownTypes.has(type))) return undefined;
  return { kinds: [...kinds], types: [...types] };
}
