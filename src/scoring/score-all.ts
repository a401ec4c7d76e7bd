/**
 * Running a task's scorers on one output, for the engine and for `opbench rescore`: a scorer
 * that throws (or rejects), or returns a score outside [0, 1], becomes a recorded scoring error
 * for that call (score null, the reason says what went wrong) and never stops the run.
 */
import type { JudgeAsk } from "../core/judge.ts";
import type { ScoreRecord } from "../core/records.ts";
import type { ScoreInput, ScoreResult, Scorer } from "../core/scorer.ts";

/** What scoring one call needs of the run's judges (see src/engine/judges.ts). */
export interface CallJudging {
  /** The task's scorers less those whose judge was skipped (--skip-missing-keys). */
  scorers(all: readonly Scorer[]): Scorer[];
  /** The `askJudge` of one scorer, its calls recorded against the scored call. */
  askFor(scorer: Scorer): JudgeAsk;
}

/** Prefix of the reason of a scorer that failed (threw or broke its contract). */
export const SCORER_FAILED = "scorer failed";

/**
 * Every scorer's record, in the task's order; scorers that return promises run concurrently,
 * and those that combine others (`combines`) run after them, given their records.
 */
export async function scoreAll(
  scorers: readonly Scorer[],
  input: ScoreInput,
  judging?: CallJudging,
): Promise<ScoreRecord[]> {
  const used = judging ? judging.scorers(scorers) : scorers;
  const inputFor = (scorer: Scorer): ScoreInput =>
    judging && scorer.judge !== undefined ? { ...input, askJudge: judging.askFor(scorer) } : input;
  const records = await Promise.all(
    used.map((scorer) => (scorer.combines ? undefined : scoreOne(scorer, inputFor(scorer)))),
  );
  if (!used.some((scorer) => scorer.combines)) return records as ScoreRecord[];
  const plain = records.filter((record) => record !== undefined);
  for (const [index, scorer] of used.entries()) {
    if (scorer.combines) records[index] = await scoreOne(scorer, { ...inputFor(scorer), scores: plain });
  }
  return records as ScoreRecord[];
}

async function scoreOne(scorer: Scorer, input: ScoreInput): Promise<ScoreRecord> {
  let result: ScoreResult;
  try {
    result = await scorer.score(input);
  } catch (thrown) {
    const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    return { scorer: scorer.name, score: null, reason: `${SCORER_FAILED}: ${message}` };
  }
  return checked(scorer.name, result);
}

function checked(name: string, result: ScoreResult): ScoreRecord {
  const { score, reason, labels } = result ?? ({} as ScoreResult);
  if (score !== null && !(typeof score === "number" && score >= 0 && score <= 1)) {
    return {
      scorer: name,
      score: null,
      reason: `${SCORER_FAILED}: score ${String(score)} is not in [0, 1] (${reason})`,
    };
  }
  const text = typeof reason === "string" ? reason : String(reason);
  return labels === undefined || score === null
    ? { scorer: name, score, reason: text }
    : { scorer: name, score, reason: text, labels };
}
