/** The scorer contract: one file per scorer under src/scoring/, one typed registry. */
import type { ScorerConfig, ScorerType } from "../suite/schema.ts";

/** A score in [0, 1] with a human-readable reason; `null` score means "could not score". */
export interface ScoreResult {
  score: number | null;
  reason: string;
}

export interface ScoreInput {
  /** The model's visible output. */
  output: string;
  /** The gold answer, when the case has one. */
  expected: string | undefined;
}

export interface Scorer {
  /** Name in records and summaries (config `name`, else the type). */
  readonly name: string;
  score(input: ScoreInput): ScoreResult;
}

/** What a scorer factory may read besides its own config. */
export interface ScorerContext {
  /** Directory of the suite file, for `labels_file` and the like. */
  baseDir: string;
  /** The task's output JSON Schema, if it has one. */
  taskJsonSchema?: Record<string, unknown>;
}

/**
 * Builds a scorer from its config. Throws `Error` with a message saying what is wrong
 * (bad regex, unreadable labels file); the suite loader turns it into a positioned error.
 */
export type ScorerFactory<T extends ScorerType = ScorerType> = (
  config: Extract<ScorerConfig, { type: T }>,
  context: ScorerContext,
) => Scorer;
