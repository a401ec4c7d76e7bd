/**
 * Which candidate/baseline pairs the summary compares. Explicit `savings:` entries are checked
 * against the models and the tasks' scorers; without any, every local model is compared with the
 * first API model.
 */
import { pricingModelOf, runnerLocality } from "../../runners/index.ts";
import type { ListPriceLookup } from "../cost/list-price.ts";
import { PROJECTED_TOKENS_SOURCE, type ProjectedBaseline } from "../savings/projected.ts";
import { closestMatch, closestMatches, type IssueDraft } from "./errors.ts";
import type { ResolvedSavings } from "./resolved.ts";
import type { ModelConfig, SavingsConfig } from "./schema.ts";

/**
 * Whether a runner kind runs on local hardware (metered) rather than a remote API, as its
 * registered runner says; false for a kind no runner is registered for.
 */
export function isLocalRunner(runner: string): boolean {
  return runnerLocality(runner) === "local";
}

/** Looks up an API model's list price (src/cost/list-price.ts), given by the loader. */
export type ListPriceLookupFn = (model: string, provider?: string) => ListPriceLookup;

export function resolveSavings(
  savings: readonly SavingsConfig[] | undefined,
  models: readonly ModelConfig[],
  lookupPrice?: ListPriceLookupFn,
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
  const resolved = savings.flatMap((entry, index): ResolvedSavings[] => {
    if (!ids.has(entry.candidate)) issues.push(unknownModel(index, "candidate", entry.candidate, ids));
    const common = {
      ...(entry.scorer !== undefined && { scorer: entry.scorer }),
      ...(entry.escalate_on?.scorer_failed !== undefined && {
        validityScorer: entry.escalate_on.scorer_failed,
      }),
      onError: entry.escalate_on?.error ?? true,
      onTruncated: entry.escalate_on?.truncated ?? true,
      auto: false,
    };
    if (typeof entry.baseline === "string") {
      if (!ids.has(entry.baseline)) issues.push(unknownModel(index, "baseline", entry.baseline, ids));
      return [{ candidate: entry.candidate, baseline: entry.baseline, ...common }];
    }
    const { projected: name, provider } = entry.baseline;
    const real = models.find(
      (m) => !isLocalRunner(m.runner) && (m.id === name || pricingModelOf(m) === name),
    );
    if (real) {
      const note = `projected baseline ${name} replaced by model ${real.id}, run in this suite`;
      return [{ candidate: entry.candidate, baseline: real.id, ...common, note }];
    }
    if (!lookupPrice) {
      issues.push({
        path: ["savings", index, "baseline", "projected"],
        at: "value",
        message: `cannot check projected baseline "${name}": no price data was given to the resolver`,
      });
      return [];
    }
    const found = lookupPrice(name, provider);
    if (!found.found) {
      const close = closestMatches(name, found.known);
      issues.push({
        path: ["savings", index, "baseline", found.field === "provider" ? "provider" : "projected"],
        at: "value",
        message:
          `${found.reason}: a projected baseline is priced from its list price` +
          (close.length > 0 ? ` (close names: ${close.join(", ")})` : ""),
        expected: "a model name genai-prices knows (e.g. gpt-4.1, claude-sonnet-4, gemini-2.5-pro)",
      });
      return [];
    }
    const projected: ProjectedBaseline = {
      model: name,
      provider: provider ?? null,
      price: found.price,
      tokens_source: PROJECTED_TOKENS_SOURCE,
    };
    return [{ candidate: entry.candidate, baseline: name, projected, ...common }];
  });
  return { savings: withoutDuplicates(resolved), issues };
}

function unknownModel(index: number, side: string, id: string, ids: ReadonlySet<string>): IssueDraft {
  return {
    path: ["savings", index, side],
    at: "value",
    message: `no model has id "${id}"`,
    expected: `one of ${[...ids].map((known) => `"${known}"`).join(", ")}`,
  };
}

/**
 * A projected baseline replaced by the real model (see {@link resolveSavings}) is dropped when the
 * suite already compares the same pair; the real pair keeps the note.
 */
function withoutDuplicates(pairs: readonly ResolvedSavings[]): ResolvedSavings[] {
  const key = (p: ResolvedSavings) => `${p.candidate}\u0000${p.baseline}\u0000${p.scorer ?? ""}`;
  const written = new Map(pairs.filter((p) => p.note === undefined && !p.projected).map((p) => [key(p), p]));
  const kept: ResolvedSavings[] = [];
  const dropped = new Map<string, string>();
  for (const pair of pairs) {
    if (pair.note !== undefined && written.has(key(pair))) {
      dropped.set(
        key(pair),
        `${pair.note}; the projected entry was dropped (the suite compares the pair already)`,
      );
      continue;
    }
    kept.push(pair);
  }
  return kept.map((p) => (dropped.has(key(p)) ? { ...p, note: dropped.get(key(p))! } : p));
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
