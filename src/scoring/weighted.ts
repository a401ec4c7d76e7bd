/**
 * `weighted`: combines the task's other scorers into one score, their weighted mean (weights are
 * normalised to sum 1), with an optional pass `threshold` like the graded scorers. Every
 * combined scorer keeps its own record; this one adds a record of its own, so placed first in
 * the task's `scorers` it is the task's accuracy. A combined scorer that could not score (null)
 * makes the combination null: a missing part is not a zero.
 */
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { scorerName } from "./common.ts";
import { fixed, graded, ThresholdOption } from "./graded.ts";

export const WeightedConfig = scorerSchema("weighted", {
  weights: z
    .record(z.string(), z.number().min(0))
    .describe("Weight of each combined scorer, by its name in this task (normalised to sum 1)"),
  threshold: ThresholdOption,
});
export type WeightedConfig = z.infer<typeof WeightedConfig>;

export const weighted: ScorerFactory<WeightedConfig> = (config) => {
  const parts = Object.entries(config.weights);
  const total = parts.reduce((sum, [, weight]) => sum + weight, 0);
  return {
    name: scorerName(config),
    combines: parts.map(([name]) => name),
    score({ scores = [] }) {
      let value = 0;
      const terms: string[] = [];
      for (const [name, weight] of parts) {
        const record = scores.find((candidate) => candidate.scorer === name);
        if (record === undefined) return { score: null, reason: `no score from "${name}"` };
        if (record.score === null)
          return { score: null, reason: `"${name}" could not score: ${record.reason}` };
        value += (weight / total) * record.score;
        terms.push(`${name} ${fixed(record.score)}×${fixed(weight / total)}`);
      }
      return graded(Math.min(1, value), config.threshold, "weighted score", terms.join(" + "));
    },
  };
};

function checkWeighted(config: WeightedConfig): ScorerConfigProblem[] {
  const expected = "weights (≥ 0, at least one above 0) by the names of the task's other scorers";
  if (Object.values(config.weights).some((weight) => weight > 0)) return [];
  return [{ field: "weights", message: "no weight above 0", expected }];
}

export const weightedScorer: ScorerDefinition<WeightedConfig> = {
  schema: WeightedConfig,
  create: weighted,
  check: checkWeighted,
};
