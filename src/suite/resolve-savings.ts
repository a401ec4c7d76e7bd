/**
 * Which candidate/baseline pairs the summary compares. Explicit `savings:` entries are checked
 * against the models and the tasks' scorers; without any, every local model is compared with the
 * first API model.
 */
import { runnerLocality } from "../../runners/index.ts";
import { closestMatch, type IssueDraft } from "./errors.ts";
import type { ResolvedSavings } from "./resolved.ts";
import type { ModelConfig, SavingsConfig } from "./schema.ts";

/**
 * Whether a runner kind runs on local hardware (metered) rather than a remote API, as its
 * registered runner says; false for a kind no runner is registered for.
 */
export function isLocalRunner(runner: string): boolean {
  return runnerLocality(runner) === "local";
}

export function resolveSavings(
  savings: readonly SavingsConfig[] | undefined,
  models: readonly ModelConfig[],
): { savings: ResolvedSavings[]; issues: IssueDraft[] } {
  const ids = new Set(models.map((m) => m.id));
  if (savings === undefined) {
    const baseline = models.find((m) => !isLocalRunner(m.runner));
    if (!baseline) return { savings: [], issues: [] };
    return {
      savings: models
        .filter((m) => isLocalRunner(m.runner))
        .map((m) => ({
          candidate: m.id,
          baseline: baseline.id,
          onError: true,
          onTruncated: true,
          auto: true,
        })),
      issues: [],
    };
  }
  const issues: IssueDraft[] = [];
  savings.forEach((entry, index) => {
    for (const side of ["candidate", "baseline"] as const) {
      if (!ids.has(entry[side])) {
        issues.push({
          path: ["savings", index, side],
          at: "value",
          message: `no model has id "${entry[side]}"`,
          expected: `one of ${[...ids].map((id) => `"${id}"`).join(", ")}`,
        });
      }
    }
  });
  return {
    savings: savings.map((entry) => ({
      candidate: entry.candidate,
      baseline: entry.baseline,
      ...(entry.scorer !== undefined && { scorer: entry.scorer }),
      ...(entry.escalate_on?.scorer_failed !== undefined && {
        validityScorer: entry.escalate_on.scorer_failed,
      }),
      onError: entry.escalate_on?.error ?? true,
      onTruncated: entry.escalate_on?.truncated ?? true,
      auto: false,
    })),
    issues,
  };
}

/** A task's scorer names (`name`, else the type); `undefined` when they cannot be known yet. */
export interface TaskScorerNames {
  id: string;
  names: readonly string[] | undefined;
}

/**
 * The scorers explicit pairs name (`scorer`, `escalate_on.scorer_failed`) must be a scorer of some
 * task: a pair covers every task, and a task without that scorer has no score from it, but a name
 * no task has is a typo that would leave every comparison without accuracy, or the cascade
 * without its rule.
 * While a task's names are unknown (default scorers of a dataset that did not load, reported
 * already) no name is called missing.
 */
export function savingsScorerIssues(
  savings: readonly SavingsConfig[] | undefined,
  tasks: readonly TaskScorerNames[],
): IssueDraft[] {
  if (savings === undefined || tasks.some((task) => task.names === undefined)) return [];
  const all = [...new Set(tasks.flatMap((task) => task.names ?? []))];
  const byTask = tasks.map((task) => `${task.id}: ${task.names?.join(", ") || "(no scorer)"}`).join("; ");
  const issues: IssueDraft[] = [];
  savings.forEach((entry, index) => {
    const named = [
      { path: ["savings", index, "scorer"], name: entry.scorer },
      { path: ["savings", index, "escalate_on", "scorer_failed"], name: entry.escalate_on?.scorer_failed },
    ];
    for (const { path, name } of named) {
      if (name === undefined || all.includes(name)) continue;
      const guess = closestMatch(name, all);
      const hint = guess ? ` (did you mean "${guess}"?)` : "";
      issues.push({
        path,
        at: "value",
        message: `no task has a scorer named "${name}"${hint}; the tasks' scorers are ${byTask}`,
        expected:
          all.length > 0
            ? `one of ${all.map((n) => `"${n}"`).join(", ")}`
            : "no scorer named: no task has one",
      });
    }
  });
  return issues;
}
