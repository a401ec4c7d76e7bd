/**
 * `token_f1`: SQuAD's token-overlap F1 between the output and the expected answer, for
 * extractive answers: both sides normalised as SQuAD's evaluation does (lower case, no
 * punctuation, no articles, whitespace tokens; see text-tokens.ts), F1 of the shared tokens
 * counted with multiplicity; the best over several references. Two empty answers match (1),
 * one empty answer scores 0. A `threshold` makes it pass/fail.
 */
import type { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { f1, fixed, graded, ThresholdOption } from "./graded.ts";
import { referenceList, whichReference } from "./references.ts";
import { squadTokens } from "./text-tokens.ts";

export const TokenF1Config = scorerSchema("token_f1", { threshold: ThresholdOption });
export type TokenF1Config = z.infer<typeof TokenF1Config>;

export interface Overlap {
  precision: number;
  recall: number;
  f1: number;
}

/** SQuAD's F1 of two token lists. */
export function tokenOverlap(predicted: readonly string[], gold: readonly string[]): Overlap {
  if (predicted.length === 0 || gold.length === 0) {
    const same = predicted.length === gold.length ? 1 : 0;
    return { precision: same, recall: same, f1: same };
  }
  const counts = new Map<string, number>();
  for (const token of gold) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token);
    if (left) {
      common++;
      counts.set(token, left - 1);
    }
  }
  const precision = common / predicted.length;
  const recall = common / gold.length;
  return { precision, recall, f1: f1(precision, recall) };
}

export const tokenF1: ScorerFactory<TokenF1Config> = (config) => ({
  name: scorerName(config),
  score({ output, expected }) {
    if (expected === undefined) return { score: null, reason: NO_EXPECTED };
    const predicted = squadTokens(output);
    const references = referenceList(expected);
    let best: Overlap = { precision: 0, recall: 0, f1: -1 };
    let bestIndex = 0;
    for (const [index, reference] of references.entries()) {
      const overlap = tokenOverlap(predicted, squadTokens(reference));
      if (overlap.f1 > best.f1) [best, bestIndex] = [overlap, index];
    }
    const detail =
      `precision ${fixed(best.precision)}, recall ${fixed(best.recall)}; expected ` +
      `${quote(references[bestIndex]!, 40)}${whichReference(bestIndex, references.length)}`;
    return graded(best.f1, config.threshold, "token F1", detail);
  },
});

export const tokenF1Scorer: ScorerDefinition<TokenF1Config> = {
  schema: TokenF1Config,
  create: tokenF1,
  shorthand: true,
};
