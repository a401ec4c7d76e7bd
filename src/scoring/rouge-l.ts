/**
 * `rouge_l`: ROUGE-L F-measure (Lin 2004) of the output against the expected answer — the
 * longest common subsequence of their tokens, precision LCS ÷ output tokens, recall LCS ÷
 * reference tokens, F = 2PR ÷ (P + R) — the best over several references (as rouge-score's
 * `score_multi`). Tokens: lower-cased runs of letters and digits (`tokenizer: ascii` is
 * rouge-score's exactly; the default `unicode` equals it on ASCII text and keeps other
 * scripts). No stemming. A `threshold` makes it pass/fail.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { f1, fixed, graded, ThresholdOption } from "./graded.ts";
import { referenceList, whichReference } from "./references.ts";
import { rougeTokens } from "./text-tokens.ts";

export const RougeLConfig = scorerSchema("rouge_l", {
  threshold: ThresholdOption,
  tokenizer: z
    .enum(["unicode", "ascii"])
    .optional()
    .describe("unicode (default): letters and digits of any script; ascii: rouge-score's [a-z0-9]+"),
});
export type RougeLConfig = z.infer<typeof RougeLConfig>;

/** Length of the longest common subsequence of two id sequences (one table row at a time). */
export function lcsLength(a: Int32Array, b: Int32Array): number {
  const [long, short] = a.length >= b.length ? [a, b] : [b, a];
  if (short.length === 0) return 0;
  const row = new Int32Array(short.length + 1);
  for (let i = 0; i < long.length; i++) {
    const token = long[i];
    // row[j - 1] of the previous row, kept before it is overwritten.
    let diagonal = 0;
    for (let j = 1; j <= short.length; j++) {
      const above = row[j]!;
      row[j] = token === short[j - 1] ? diagonal + 1 : Math.max(above, row[j - 1]!);
      diagonal = above;
    }
  }
  return row[short.length]!;
}

export interface RougeL {
  precision: number;
  recall: number;
  fmeasure: number;
}

/** ROUGE-L of `candidate` tokens against `reference` tokens. */
export function rougeL(candidate: readonly string[], reference: readonly string[]): RougeL {
  if (candidate.length === 0 || reference.length === 0) return { precision: 0, recall: 0, fmeasure: 0 };
  const ids = new Map<string, number>();
  const ref = new Int32Array(reference.length);
  for (let i = 0; i < reference.length; i++) {
    const token = reference[i]!;
    let id = ids.get(token);
    if (id === undefined) {
      id = ids.size;
      ids.set(token, id);
    }
    ref[i] = id;
  }
  // Candidate tokens absent from the reference never join a common subsequence: leaving them
  // out keeps the LCS (and a 10 MB output of anything else cheap).
  const kept = new Int32Array(candidate.length);
  let n = 0;
  for (const token of candidate) {
    const id = ids.get(token);
    if (id !== undefined) kept[n++] = id;
  }
  const cand = kept.subarray(0, n);
  const lcs = lcsLength(cand, ref);
  const precision = lcs / candidate.length;
  const recall = lcs / reference.length;
  return { precision, recall, fmeasure: f1(precision, recall) };
}

export const rougeLFactory: ScorerFactory<RougeLConfig> = (config) => {
  const tokenizer = config.tokenizer ?? "unicode";
  return {
    name: scorerName(config),
    score({ output, expected }) {
      if (expected === undefined) return { score: null, reason: NO_EXPECTED };
      const candidate = rougeTokens(output, tokenizer);
      const references = referenceList(expected);
      let best: RougeL = { precision: 0, recall: 0, fmeasure: -1 };
      let bestIndex = 0;
      for (const [index, reference] of references.entries()) {
        const result = rougeL(candidate, rougeTokens(reference, tokenizer));
        if (result.fmeasure > best.fmeasure) [best, bestIndex] = [result, index];
      }
      const detail =
        `precision ${fixed(best.precision)}, recall ${fixed(best.recall)}; reference ` +
        `${quote(references[bestIndex]!, 40)}${whichReference(bestIndex, references.length)}`;
      return graded(best.fmeasure, config.threshold, "ROUGE-L F", detail);
    },
  };
};

export const rougeLScorer: ScorerDefinition<RougeLConfig> = {
  schema: RougeLConfig,
  create: rougeLFactory,
  shorthand: true,
};
