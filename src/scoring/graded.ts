/**
 * What the graded scorers (similarities, F1s, field fractions) share: an optional pass
 * `threshold` that turns the graded value into 1 or 0, and how the value is shown in reasons.
 * Without a threshold the score is the value itself, so a task's accuracy is its mean.
 */
import { z } from "zod";
import type { ScoreResult } from "../core/scorer.ts";

export const ThresholdOption = z
  .number()
  .min(0)
  .max(1)
  .optional()
  .describe("Pass mark in [0, 1]: the score is 1 when the value reaches it, else 0 (default: the value)");

/** A value in [0, 1] shown with three decimals (`0.833`). */
export function fixed(value: number): string {
  return value.toFixed(3);
}

/**
 * The score of a graded `value` in [0, 1]: the value, or 1/0 against `threshold`. `what` names
 * the value in the reason ("similarity"), `detail` follows it.
 */
export function graded(value: number, threshold: number | undefined, what: string, detail = ""): ScoreResult {
  const tail = detail === "" ? "" : `; ${detail}`;
  if (threshold === undefined) return { score: value, reason: `${what} ${fixed(value)}${tail}` };
  const pass = value >= threshold;
  const sign = pass ? "≥" : "<";
  return { score: pass ? 1 : 0, reason: `${what} ${fixed(value)} ${sign} threshold ${threshold}${tail}` };
}

/** F1 of precision and recall (0 when both are 0). */
export function f1(precision: number, recall: number): number {
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}
