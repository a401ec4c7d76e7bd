/**
 * `starts_with`: the output begins with a text — one of `values`, else `value`, else the case's
 * expected answer. Leading whitespace of the output is skipped (models often open with a space
 * or a newline) unless `trim: false`; `ignore_case` lower-cases both sides. Unscorable (null)
 * when there is nothing to look for.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

export const StartsWithConfig = scorerSchema("starts_with", {
  value: z.string().min(1).optional().describe("Prefix to expect (default: the expected answer)"),
  values: z.array(z.string().min(1)).min(1).optional().describe("Several prefixes: any one will do"),
  ignore_case: z.boolean().optional(),
  trim: z.boolean().optional().describe("Skip the output's leading whitespace (default true)"),
});
export type StartsWithConfig = z.infer<typeof StartsWithConfig>;

export const startsWith: ScorerFactory<StartsWithConfig> = (config) => {
  if (config.value !== undefined && config.values !== undefined) {
    throw new Error("starts_with scorer: give `value` or `values`, not both");
  }
  const ignoreCase = config.ignore_case === true;
  const trim = config.trim !== false;
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const note = ignoreCase ? " (ignoring case)" : "";
  return {
    name: scorerName(config),
    score({ output, expected }) {
      const prefixes = config.values ?? (config.value !== undefined ? [config.value] : undefined);
      const wanted = prefixes ?? (expected === undefined || expected === "" ? undefined : [expected]);
      if (wanted === undefined) {
        return { score: null, reason: `${NO_EXPECTED} (or an empty one) and no \`value\` configured` };
      }
      // Only the head of the output matters: never fold a 10 MB output for a short prefix.
      const longest = Math.max(...wanted.map((w) => w.length));
      const start = trim ? output.length - output.trimStart().length : 0;
      const head = fold(output.slice(start, start + longest * 2 + 8));
      const hit = wanted.find((prefix) => head.startsWith(fold(prefix)));
      if (hit !== undefined) return { score: 1, reason: `starts with ${quote(hit)}${note}` };
      const shown =
        wanted.length === 1 ? quote(wanted[0]!) : `any of ${wanted.map((w) => quote(w, 30)).join(", ")}`;
      return {
        score: 0,
        reason: `starts with ${quote(output.slice(start, start + 40), 40)}, not ${shown}${note}`,
      };
    },
  };
};

export const startsWithScorer: ScorerDefinition<StartsWithConfig> = {
  schema: StartsWithConfig,
  create: startsWith,
  shorthand: true,
};
