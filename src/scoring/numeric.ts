/**
 * `numeric`: the number in the output equals the expected number within a tolerance:
 * |got − want| ≤ max(`abs_tol`, `rel_tol` × |want|) (as Python's math.isclose). The number is
 * found in chatty output ("The total is $1,234.50."): signs (`-`, `+`, `−`), thousands
 * separators (`1,234,567`; also thin and narrow no-break spaces), decimals, exponents and a
 * trailing `%` (kept as written: "50%" is 50). `pick` says which number counts when there are
 * several: `last` (default: reasoning comes before the answer), `first`, or `only` (several
 * distinct numbers score 0). The expected value is `value`, else the expected answer's number.
 */
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

export const NumericConfig = scorerSchema("numeric", {
  value: z.number().optional().describe("Expected number (default: the number in the expected answer)"),
  abs_tol: z.number().min(0).optional().describe("Absolute tolerance (default 0)"),
  rel_tol: z
    .number()
    .min(0)
    .optional()
    .describe("Relative tolerance, a fraction of |expected| (default 1e-9)"),
  pick: z
    .enum(["last", "first", "only"])
    .optional()
    .describe("Which number of the output counts (default last)"),
});
export type NumericConfig = z.infer<typeof NumericConfig>;

// A sign, then digits grouped by thousands (comma or thin spaces), or plain digits, or a
// leading decimal point; then decimals and an exponent. Not right after a letter, digit or
// point, so "v2", "A4" and "GPT-4o"'s "-" do not read as numbers or signs.
const NUMBER =
  /(?<![\p{L}\d.])([-+\u2212]?)((?:\d{1,3}(?:[,\u2009\u202f]\d{3})+|\d+)(?:\.\d+)?|\.\d+)(?:[eE]([-+]?\d+))?/gu;

function numberOf(match: RegExpMatchArray): number {
  const sign = match[1] === "-" || match[1] === "\u2212" ? "-" : "";
  const digits = match[2]!.replace(/[,\u2009\u202f]/g, "");
  const exponent = match[3] === undefined ? "" : `e${match[3]}`;
  return Number(`${sign}${digits}${exponent}`);
}

/** The numbers written in `text`, in order, at most `limit` (as JavaScript numbers). */
export function numbersIn(text: string, limit = Number.POSITIVE_INFINITY): number[] {
  const found: number[] = [];
  for (const match of text.matchAll(NUMBER)) {
    const value = numberOf(match);
    if (Number.isFinite(value)) found.push(value);
    if (found.length >= limit) break;
  }
  return found;
}

/** The last number of `text` without collecting every one (a 10 MB output of digits). */
function lastNumber(text: string): number | undefined {
  let last: number | undefined;
  for (const match of text.matchAll(NUMBER)) {
    const value = numberOf(match);
    if (Number.isFinite(value)) last = value;
  }
  return last;
}

export const numeric: ScorerFactory<NumericConfig> = (config) => {
  const absTol = config.abs_tol ?? 0;
  const relTol = config.rel_tol ?? 1e-9;
  const pick = config.pick ?? "last";
  return {
    name: scorerName(config),
    score({ output, expected }) {
      let want = config.value;
      if (want === undefined) {
        if (expected === undefined)
          return { score: null, reason: `${NO_EXPECTED} and no \`value\` configured` };
        want = numbersIn(expected, 1)[0];
        if (want === undefined)
          return { score: null, reason: `no number in the expected answer ${quote(expected)}` };
      }
      let got: number | undefined;
      if (pick === "first") got = numbersIn(output, 1)[0];
      else if (pick === "last") got = lastNumber(output);
      else {
        const distinct = [...new Set(numbersIn(output, 50))];
        if (distinct.length > 1) {
          return {
            score: 0,
            reason: `several numbers in the output (${distinct.slice(0, 5).join(", ")}…); pick: only wants one`,
          };
        }
        got = distinct[0];
      }
      if (got === undefined) return { score: 0, reason: `no number in the output; expected ${want}` };
      const tolerance = Math.max(absTol, relTol * Math.abs(want));
      const difference = Math.abs(got - want);
      const within = difference <= tolerance;
      const tol =
        difference === 0 || tolerance === 0 ? "exactly" : `within ${Number(tolerance.toPrecision(6))}`;
      return within
        ? { score: 1, reason: `${pick} number ${got} equals ${want} ${tol}` }
        : {
            score: 0,
            reason: `${pick} number ${got}, expected ${want} ${tol} (off by ${Number(difference.toPrecision(6))})`,
          };
    },
  };
};

function checkNumeric(config: NumericConfig): ScorerConfigProblem[] {
  if (config.value === undefined || Number.isFinite(config.value)) return [];
  return [{ field: "value", message: "not a finite number", expected: "a finite number" }];
}

export const numericScorer: ScorerDefinition<NumericConfig> = {
  schema: NumericConfig,
  create: numeric,
  check: checkNumeric,
  shorthand: true,
};
