/**
 * `contains`: the output contains a literal text — the config's `value`, else the case's
 * expected answer — anywhere, as is (no trimming or Unicode normalisation). `ignore_case`
 * lower-cases both sides first. Unscorable (null) when there is nothing to look for: no `value`
 * and no expected answer, or an empty expected answer.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

export const ContainsConfig = scorerSchema("contains", {
  value: z.string().optional().describe("Text to look for (default: the expected answer)"),
  ignore_case: z.boolean().optional(),
});
export type ContainsConfig = z.infer<typeof ContainsConfig>;

export const contains: ScorerFactory<ContainsConfig> = (config) => {
  if (config.value === "") {
    throw new Error(
      "contains scorer: `value` is empty, so every output would contain it; give a non-empty text",
    );
  }
  const ignoreCase = config.ignore_case === true;
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const caseNote = ignoreCase ? " (ignoring case)" : "";
  return {
    name: scorerName(config),
    score({ output, expected }) {
      const needle = config.value ?? expected;
      if (needle === undefined) return { score: null, reason: `${NO_EXPECTED} and no \`value\` configured` };
      if (needle === "") return { score: null, reason: "expected answer is empty: nothing to look for" };
      return fold(output).includes(fold(needle))
        ? { score: 1, reason: `contains ${quote(needle)}${caseNote}` }
        : { score: 0, reason: `does not contain ${quote(needle)}${caseNote}` };
    },
  };
};

export const containsScorer: ScorerDefinition<ContainsConfig> = {
  schema: ContainsConfig,
  create: contains,
  shorthand: true,
};
