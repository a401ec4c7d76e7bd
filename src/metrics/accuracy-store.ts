/** The interface both accuracy stores of a group implement (see case-columns.ts, call-scores.ts). */
import type { AccuracyEstimate } from "../stats/accuracy.ts";

/** Scores of one scorer: add them, count what it could not score. */
export interface ScorerStore {
  /** A call's score; `weight`: how many calls its case stands for (task `weight_field`). */
  add(caseIndex: number, score: number, cluster: string | null, weight?: number): void;
  unscored: number;
  /** Sum of every score added. */
  total(): number;
}

export interface AccuracyStore {
  scorer(name: string): ScorerStore;
  /** A call that failed after every retry (sign 1), or such a failure taken back (−1). */
  failure(caseIndex: number, cluster: string | null, sign: 1 | -1, weight?: number): void;
  /** One estimate per scorer that has a case, in first-seen order. */
  estimates(): { scorer: string; estimate: AccuracyEstimate; unscored: number }[];
  /** Sum of the first scorer's scores over calls (failed calls 0; weighted): "correct answers"; null: no scorer. */
  firstTotal(): number | null;
}
