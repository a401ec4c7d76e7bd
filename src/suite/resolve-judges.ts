/**
 * The suite's judges: `judges:` entries resolved like models (paths absolute), and every
 * scorer's `judge: <id>` checked to name one of them or a model of `models:`. The result lists
 * the judges some scorer asks, each once, in the order first asked.
 */
import { absoluteModelPaths } from "../../runners/index.ts";
import { BUILTIN_DEFAULTS } from "./defaults.ts";
import type { IssueDraft } from "./errors.ts";
import type { ResolvedModel } from "./resolved.ts";
import type { ScorerConfig, SuiteConfig } from "./schema.ts";

export function resolveJudges(
  config: SuiteConfig,
  models: readonly ResolvedModel[],
  scorerConfigs: readonly (readonly ScorerConfig[])[],
  baseDir: string,
): { judges: ResolvedModel[]; issues: IssueDraft[] } {
  const issues: IssueDraft[] = [];
  const declared = new Map<string, ResolvedModel>();
  for (const [index, judge] of (config.judges ?? []).entries()) {
    const clash = declared.has(judge.id)
      ? `duplicate judge id "${judge.id}"`
      : models.some((m) => m.id === judge.id)
        ? `judge id "${judge.id}" is also a model id: name the judge apart (a scorer may name the model itself)`
        : undefined;
    if (clash) {
      issues.push({
        path: ["judges", index, "id"],
        at: "value",
        message: clash,
        expected: "a judge id used once",
      });
      continue;
    }
    declared.set(judge.id, {
      id: judge.id,
      label: judge.label ?? judge.id,
      runner: judge.runner,
      config: absoluteModelPaths(judge, baseDir),
      concurrency: judge.concurrency ?? config.concurrency ?? BUILTIN_DEFAULTS.concurrency,
    });
  }
  const asked = new Map<string, ResolvedModel>();
  for (const [taskIndex, configs] of scorerConfigs.entries()) {
    for (const [index, scorer] of configs.entries()) {
      const id = (scorer as { judge?: unknown }).judge;
      if (typeof id !== "string") continue;
      const judge = declared.get(id) ?? models.find((m) => m.id === id);
      if (judge) {
        if (!asked.has(id)) asked.set(id, judge);
        continue;
      }
      const known = [...declared.keys(), ...models.map((m) => m.id)];
      issues.push({
        path: ["tasks", taskIndex, "scorers", index, "judge"],
        at: "value",
        message: `no judge or model "${id}"`,
        expected: `the id of an entry of \`judges:\` or \`models:\` (${known.join(", ")})`,
      });
    }
  }
  return { judges: [...asked.values()], issues };
}
