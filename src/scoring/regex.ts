/**
 * `regex`: the output matches a JavaScript regular expression (anywhere, unless the pattern
 * anchors itself with `^`/`$`). Compiled once when the suite loads; an invalid pattern or flag
 * fails there. The `g` and `y` flags are allowed; the search always starts at the beginning of
 * the output (so `y` means "match at the start").
 */
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { quote, scorerName } from "./common.ts";

export const RegexConfig = scorerSchema("regex", {
  pattern: z.string().describe("JavaScript regular expression the output must match"),
  flags: z.string().optional(),
});
export type RegexConfig = z.infer<typeof RegexConfig>;

export const regex: ScorerFactory<RegexConfig> = (config) => {
  const flags = config.flags ?? "";
  let pattern: RegExp;
  try {
    pattern = new RegExp(config.pattern, flags);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`regex scorer: invalid regular expression /${config.pattern}/${flags}: ${detail}`);
  }
  const shown = `/${config.pattern}/${flags}`;
  return {
    name: scorerName(config),
    score({ output }) {
      // `g` and `y` make exec() start at lastIndex: reset so every output is searched from 0.
      pattern.lastIndex = 0;
      const match = pattern.exec(output);
      if (match === null) return { score: 0, reason: `no match for ${shown}` };
      return { score: 1, reason: `matched ${quote(match[0])} at index ${match.index}` };
    },
  };
};

function regexProblem(pattern: string, flags: string | undefined): string | undefined {
  try {
    new RegExp(pattern, flags);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Bad flags, else a bad pattern, positioned at the field. */
function checkRegex(config: RegexConfig): ScorerConfigProblem[] {
  const flagsProblem = regexProblem("", config.flags);
  if (flagsProblem) return [{ field: "flags", message: flagsProblem, expected: "RegExp flags" }];
  const problem = regexProblem(config.pattern, config.flags);
  if (!problem) return [];
  return [{ field: "pattern", message: problem, expected: "a JavaScript regular expression" }];
}

export const regexScorer: ScorerDefinition<RegexConfig> = {
  schema: RegexConfig,
  create: regex,
  check: checkRegex,
};
