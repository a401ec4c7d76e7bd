/**
 * `normalized_exact`: output and expected answer are equal after {@link normalizeAnswer}.
 * Unscorable (null) when the case has no expected answer.
 */
import type { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

const PUNCTUATION_AND_FORMAT = /[\p{P}\p{Cf}]/gu;
const WHITESPACE_RUN = /\s+/gu;

/**
 * Normalises an answer for comparison, in this order:
 * 1. Unicode NFKC (full-width letters and digits, ligatures, `ﬁ`, `²`, non-breaking spaces
 *    become their plain forms);
 * 2. lower case (`toLowerCase`, the locale-independent Unicode mapping; no full case folding,
 *    so `ß` stays `ß`);
 * 3. removes every punctuation character — Unicode category P, which includes
 *    `. , ; : ! ? ' " ( ) [ ] { } - _ / \ … « » % # & * @` — and invisible format characters
 *    (category Cf: zero-width space, BOM, soft hyphen). Symbols (category S: `$ + = < > ^ | ~`,
 *    currency signs, emoji) and digits are kept. So `U.S.A.` = `usa`, `1,000` = `1000` and
 *    `50%` = `50`, but `$5` ≠ `5`;
 * 4. collapses each whitespace run to one space and trims both ends.
 * Articles and word order are left alone.
 */
export function normalizeAnswer(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(PUNCTUATION_AND_FORMAT, "")
    .replace(WHITESPACE_RUN, " ")
    .trim();
}

export const NormalizedExactConfig = scorerSchema("normalized_exact");
export type NormalizedExactConfig = z.infer<typeof NormalizedExactConfig>;

export const normalizedExact: ScorerFactory<NormalizedExactConfig> = (config) => ({
  name: scorerName(config),
  score({ output, expected }) {
    if (expected === undefined) return { score: null, reason: NO_EXPECTED };
    const got = normalizeAnswer(output);
    const want = normalizeAnswer(expected);
    if (got === want) {
      return {
        score: 1,
        reason: output === expected ? "exact match" : `match after normalisation: ${quote(got)}`,
      };
    }
    return { score: 0, reason: `normalised: expected ${quote(want)}, got ${quote(got)}` };
  },
});

export const normalizedExactScorer: ScorerDefinition<NormalizedExactConfig> = {
  schema: NormalizedExactConfig,
  create: normalizedExact,
  shorthand: true,
};
