/**
 * `edit_similarity`: 1 − Levenshtein distance ÷ the longer length, in Unicode code points,
 * between the output and the expected answer (the best of several references, see
 * references.ts). `normalize: true` compares the forms of {@link normalizeAnswer} instead;
 * surrounding whitespace is always trimmed. A `threshold` makes it pass/fail.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { graded, ThresholdOption } from "./graded.ts";
import { normalizeAnswer } from "./normalized-exact.ts";
import { referenceList, whichReference } from "./references.ts";

export const EditSimilarityConfig = scorerSchema("edit_similarity", {
  threshold: ThresholdOption,
  normalize: z
    .boolean()
    .optional()
    .describe("Compare after normalized_exact's normalisation (default false)"),
});
export type EditSimilarityConfig = z.infer<typeof EditSimilarityConfig>;

const SURROGATE = /[\uD800-\uDFFF]/;

/** `text` as numbers, one per code point (so astral characters count once). */
function codePoints(text: string): Int32Array {
  const out = new Int32Array(text.length);
  if (!SURROGATE.test(text)) {
    for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  let n = 0;
  for (const char of text) out[n++] = char.codePointAt(0)!;
  return out.subarray(0, n);
}

/**
 * Levenshtein distance of `a` and `b` (unit costs), one row of the table at a time over the
 * shorter one, after the common prefix and suffix (which cost nothing) are set aside. Stops
 * early, returning `limit + 1`, once every cell of a row exceeds `limit`.
 */
export function levenshtein(a: Int32Array, b: Int32Array, limit = Number.POSITIVE_INFINITY): number {
  let [long, short] = a.length >= b.length ? [a, b] : [b, a];
  let start = 0;
  while (start < short.length && long[start] === short[start]) start++;
  let endLong = long.length;
  let endShort = short.length;
  while (endShort > start && long[endLong - 1] === short[endShort - 1]) {
    endLong--;
    endShort--;
  }
  long = long.subarray(start, endLong);
  short = short.subarray(start, endShort);
  if (short.length === 0) return long.length;
  const row = new Int32Array(short.length + 1);
  for (let j = 0; j <= short.length; j++) row[j] = j;
  for (let i = 1; i <= long.length; i++) {
    // row[j - 1] of the previous row, kept before it is overwritten.
    let diagonal = row[0]!;
    row[0] = i;
    let best = i;
    const ci = long[i - 1];
    for (let j = 1; j <= short.length; j++) {
      const above = row[j]!;
      let value = diagonal + (ci === short[j - 1] ? 0 : 1);
      if (above + 1 < value) value = above + 1;
      if (row[j - 1]! + 1 < value) value = row[j - 1]! + 1;
      row[j] = value;
      diagonal = above;
      if (value < best) best = value;
    }
    if (best > limit) return limit + 1;
  }
  return row[short.length]!;
}

/**
 * Similarity in [0, 1] of two strings; two empty strings are identical (1). With a `threshold`,
 * a pair that cannot reach it is given up early: `upperBound` says the value is only a bound.
 */
export function editSimilarity(
  a: string,
  b: string,
  threshold?: number,
): { value: number; upperBound: boolean } {
  if (a === b) return { value: 1, upperBound: false };
  const x = codePoints(a);
  const y = codePoints(b);
  const longest = Math.max(x.length, y.length);
  // A distance past (1 − threshold) × longest fails anyway: stop there (a 10 MB output vs a word).
  // (1e-9: 1 − 0.8 is 0.19999… in binary, and 0.2 × 5 edits must still allow 1.)
  const limit =
    threshold === undefined ? Number.POSITIVE_INFINITY : Math.floor((1 - threshold) * longest + 1e-9);
  const gap = Math.abs(x.length - y.length);
  if (gap > limit) return { value: 1 - gap / longest, upperBound: true };
  const distance = Math.min(levenshtein(x, y, limit), longest);
  return { value: 1 - distance / longest, upperBound: distance > limit };
}

export const editSimilarityFactory: ScorerFactory<EditSimilarityConfig> = (config) => {
  const prepare = config.normalize === true ? normalizeAnswer : (text: string) => text.trim();
  return {
    name: scorerName(config),
    score({ output, expected }) {
      if (expected === undefined) return { score: null, reason: NO_EXPECTED };
      const references = referenceList(expected);
      const got = prepare(output);
      let best = { value: -1, upperBound: false };
      let bestIndex = 0;
      for (const [index, reference] of references.entries()) {
        const result = editSimilarity(got, prepare(reference), config.threshold);
        if (result.value > best.value) [best, bestIndex] = [result, index];
      }
      const detail = `expected ${quote(references[bestIndex]!, 40)}, got ${quote(got, 40)}${whichReference(bestIndex, references.length)}`;
      const what = best.upperBound ? "edit similarity at most" : "edit similarity";
      return graded(best.value, config.threshold, what, detail);
    },
  };
};

export const editSimilarityScorer: ScorerDefinition<EditSimilarityConfig> = {
  schema: EditSimilarityConfig,
  create: editSimilarityFactory,
  shorthand: true,
};
