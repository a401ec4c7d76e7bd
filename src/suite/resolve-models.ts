/** Model entries resolved: labels, concurrency, and every file path made absolute. */
import { absoluteModelPaths } from "../../runners/index.ts";
import { BUILTIN_DEFAULTS } from "./defaults.ts";
import type { IssueDraft } from "./errors.ts";
import type { ResolvedModel } from "./resolved.ts";
import type { SuiteConfig } from "./schema.ts";

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
