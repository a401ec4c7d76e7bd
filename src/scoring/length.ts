/**
 * `length`: the output (trimmed) is within length limits: `min_words` / `max_words` (runs of
 * non-whitespace) and `min_chars` / `max_chars` (Unicode code points, so an emoji or a CJK
 * character counts once). Any combination; at least one limit. Ignores the expected answer.
 */
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { scorerName } from "./common.ts";

const Count = z.number().int().min(0).optional();

export const LengthConfig = scorerSchema("length", {
  min_words: Count,
  max_words: Count,
  min_chars: Count.describe("Unicode code points"),
  max_chars: Count.describe("Unicode code points"),
});
export type LengthConfig = z.infer<typeof LengthConfig>;

/** Code points in `text` (UTF-16 length less its surrogate pairs). */
export function countCodePoints(text: string): number {
  let pairs = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const before = text.charCodeAt(i - 1);
      if (before >= 0xd800 && before <= 0xdbff) pairs++;
    }
  }
  return text.length - pairs;
}

/** Runs of non-whitespace in `text`. */
export function countWords(text: string): number {
  let words = 0;
  for (const _ of text.matchAll(/\S+/gu)) words++;
  return words;
}

export const length: ScorerFactory<LengthConfig> = (config) => {
  const limits = checkLength(config);
  if (limits.length > 0) throw new Error(`length scorer: ${limits[0]!.message}`);
  const wantsWords = config.min_words !== undefined || config.max_words !== undefined;
  const wantsChars = config.min_chars !== undefined || config.max_chars !== undefined;
  return {
    name: scorerName(config),
    score({ output }) {
      const text = output.trim();
      const problems: string[] = [];
      const measured: string[] = [];
      const check = (count: number, unit: string, min: number | undefined, max: number | undefined) => {
        measured.push(`${count} ${unit}`);
        if (min !== undefined && count < min) problems.push(`${count} ${unit} < min ${min}`);
        if (max !== undefined && count > max) problems.push(`${count} ${unit} > max ${max}`);
      };
      if (wantsWords) check(countWords(text), "words", config.min_words, config.max_words);
      if (wantsChars) check(countCodePoints(text), "characters", config.min_chars, config.max_chars);
      return problems.length === 0
        ? { score: 1, reason: `within limits: ${measured.join(", ")}` }
        : { score: 0, reason: `outside limits: ${problems.join("; ")}` };
    },
  };
};

function checkLength(config: LengthConfig): ScorerConfigProblem[] {
  const { min_words, max_words, min_chars, max_chars } = config;
  if ([min_words, max_words, min_chars, max_chars].every((limit) => limit === undefined)) {
    return [
      {
        message: "the length scorer needs a limit",
        expected: "min_words, max_words, min_chars or max_chars",
      },
    ];
  }
  const problems: ScorerConfigProblem[] = [];
  if (min_words !== undefined && max_words !== undefined && min_words > max_words)
    problems.push({
      field: "min_words",
      message: `min_words ${min_words} > max_words ${max_words}`,
      expected: "min_words ≤ max_words",
    });
  if (min_chars !== undefined && max_chars !== undefined && min_chars > max_chars)
    problems.push({
      field: "min_chars",
      message: `min_chars ${min_chars} > max_chars ${max_chars}`,
      expected: "min_chars ≤ max_chars",
    });
  return problems;
}

export const lengthScorer: ScorerDefinition<LengthConfig> = {
  schema: LengthConfig,
  create: length,
  check: checkLength,
};
