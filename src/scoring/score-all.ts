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
 * and those that combine others (`combines`) run after them, given their records. When every
 * scorer answers at once (the text scorers) the records come back without a promise: this runs
 * once per call, and a promise per scorer was a visible share of a run's CPU.
 */
export function scoreAll(
  scorers: readonly Scorer[],
  input: ScoreInput,
  judging?: CallJudging,
): ScoreRecord[] | Promise<ScoreRecord[]> {
  const used = judging ? judging.scorers(scorers) : scorers;
  const inputFor = (scorer: Scorer): ScoreInput =>
    judging && scorer.judge !== undefined ? { ...input, askJudge: judging.askFor(scorer) } : input;
  const records: (ScoreRecord | Promise<ScoreRecord> | undefined)[] = [];
  let pending = false;
  let combining = false;
  for (const scorer of used) {
    if (scorer.combines) {
      combining = true;
      records.push(undefined);
      continue;
    }
    const record = scoreOne(scorer, inputFor(scorer));
    if (record instanceof Promise) pending = true;
    records.push(record);
  }
  if (!pending && !combining) return records as ScoreRecord[];
  return combined(used, records, inputFor);
}

/** The records once every promise settled, then the combining scorers' records. */
async function combined(
  used: readonly Scorer[],
  pending: readonly (ScoreRecord | Promise<ScoreRecord> | undefined)[],
  inputFor: (scorer: Scorer) => ScoreInput,
): Promise<ScoreRecord[]> {
  const records = await Promise.all(pending);
  if (!used.some((scorer) => scorer.combines)) return records as ScoreRecord[];
  const plain = records.filter((record) => record !== undefined);
  for (const [index, scorer] of used.entries()) {
    if (scorer.combines) records[index] = await scoreOne(scorer, { ...inputFor(scorer), scores: plain });
  }
  return records as ScoreRecord[];
}

/** One scorer's record: at once for a scorer that answers at once, else when its promise settles. */
function scoreOne(scorer: Scorer, input: ScoreInput): ScoreRecord | Promise<ScoreRecord> {
  let result: ScoreResult | Promise<ScoreResult>;
  try {
    result = scorer.score(input);
  } catch (thrown) {
    return failed(scorer, thrown);
  }
  if (isThenable(result))
    return Promise.resolve(result).then(
      (value) => checked(scorer.name, value),
      (thrown: unknown) => failed(scorer, thrown),
    );
  return checked(scorer.name, result);
}

function isThenable(value: unknown): value is PromiseLike<ScoreResult> {
  return (
    typeof value === "object" && value !== null && typeof (value as { then?: unknown }).then === "function"
  );
}

function failed(scorer: Scorer, thrown: unknown): ScoreRecord {
  const message = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  return { scorer: scorer.name, score: null, reason: `${SCORER_FAILED}: ${message}` };
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
