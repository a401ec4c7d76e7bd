/**
 * Running a task's scorers on one output, for the engine and for `opbench rescore`: a scorer
 * that throws, or returns a score outside [0, 1], becomes a recorded scoring error for that call
 * (score null, the reason says what went wrong) and never stops the run.
 */
import type { ScoreRecord } from "../core/records.ts";
import type { ScoreInput, Scorer } from "../core/scorer.ts";

/** Prefix of the reason of a scorer that failed (threw or broke its contract). */
export const SCORER_FAILED = "scorer failed";

export function scoreAll(scorers: readonly Scorer[], input: ScoreInput): ScoreRecord[] {
  return scorers.map((scorer) => {
    try {
      const { score, reason, labels } = scorer.score(input);
      if (score !== null && !(typeof score === "number" && score >= 0 && score <= 1)) {
        return {
          scorer: scorer.name,
          score: null,
          reason: `${SCORER_FAILED}: score ${String(score)} is not in [0, 1] (${reason})`,
        };
      }
      const text = typeof reason === "string" ? reason : String(reason);
      return labels === undefined || score === null
        ? { scorer: scorer.name, score, reason: text }
        : { scorer: scorer.name, score, reason: text, labels };
    } catch (thrown) {
      const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
      return { scorer: scorer.name, score: null, reason: `${SCORER_FAILED}: ${message}` };
    }
  });
}
