/**
 * `exact`: the output must equal the expected answer character for character (no trimming,
 * no case or Unicode folding; use `normalized_exact` for that). Unscorable (null) when the case
 * has no expected answer.
 */
import type { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

export const ExactConfig = scorerSchema("exact");
export type ExactConfig = z.infer<typeof ExactConfig>;

export const exact: ScorerFactory<ExactConfig> = (config) => ({
  name: scorerName(config),
  score({ output, expected }) {
    if (expected === undefined) return { score: null, reason: NO_EXPECTED };
    if (output === expected) return { score: 1, reason: "exact match" };
    if (output.trim() === expected.trim()) {
      return { score: 0, reason: "differs only in surrounding whitespace" };
    }
    return { score: 0, reason: `expected ${quote(expected)}, got ${quote(output)}` };
  },
});

export const exactScorer: ScorerDefinition<ExactConfig> = {
  schema: ExactConfig,
  create: exact,
  shorthand: true,
};
