/**
 * Which candidate/baseline pairs the summary compares. Explicit `savings:` entries are checked
 * against the models; without any, every local model is compared with the first API model.
 */
import type { IssueDraft } from "./errors.ts";
import type { ResolvedSavings } from "./resolved.ts";
import type { ModelConfig, SavingsConfig } from "./schema.ts";

const LOCAL_RUNNERS: ReadonlySet<ModelConfig["runner"]> = new Set(["llamacpp", "embedded"]);

/** Whether a model entry runs on local hardware (metered) rather than a remote API. */
export function isLocalRunner(runner: ModelConfig["runner"]): boolean {
  return LOCAL_RUNNERS.has(runner);
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
