/** Text scorers answer at once: tests read their results without awaiting. */
import type { ScoreResult } from "../../src/core/scorer.ts";

/** A scorer's result that must have come synchronously (a promise is a test failure). */
export function sync(result: ScoreResult | Promise<ScoreResult>): ScoreResult {
  if (result instanceof Promise) throw new Error("the scorer answered with a promise");
  return result;
}
