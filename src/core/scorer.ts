/** The scorer contract: one file per scorer under src/scoring/, one typed registry. */
import { z } from "zod";
import type { JudgeAsk, JudgeRequest } from "./judge.ts";
import type { LabelOutcome, ScoreRecord } from "./records.ts";
import type { ToolCall, ToolDefinition } from "./runner.ts";

/** A score in [0, 1] with a human-readable reason; `null` score means "could not score". */
export interface ScoreResult {
  score: number | null;
  reason: string;
  /** A multi-label scorer's labels by outcome, kept in the record for the task's micro/macro F1. */
  labels?: LabelOutcome;
}

export interface ScoreInput {
  /** The model's visible output. */
  output: string;
  /** The gold answer, when the case has one. */
  expected: string | undefined;
  /** The case's dataset row (its columns), for scorers that read more than the gold answer. */
  row?: Readonly<Record<string, unknown>>;
  /** The rendered prompt and system prompt the model was given. */
  prompt?: string;
  system?: string;
  /** The tool calls the model made, when the task offered tools. */
  toolCalls?: readonly ToolCall[];
  /** Asks a judge model, recorded against this call (given when some scorer names a `judge`). */
  askJudge?: JudgeAsk;
  /** For a scorer that `combines` others: their records for this output (see scoreAll). */
  scores?: readonly ScoreRecord[];
  /** The functions this case offered when it has its own (a replayed request); else the task's, in ScorerContext. */
  tools?: readonly ToolDefinition[];
}

/**
 * What a `custom` scorer module exports (`file:./my-scorer.ts#name`): called once per output
 * with the input above and the config's `options`. Runs in the sandbox unless the suite trusts
 * the module, so it sees plain data only (no functions, no opbench state).
 */
export type CustomScorerFunction<Options = Record<string, unknown>> = (
  input: ScoreInput,
  options: Options,
) => ScoreResult | Promise<ScoreResult>;

export interface Scorer {
  /** Name in records and summaries (config `name`, else the type). */
  readonly name: string;
  /** Synchronous for text scorers; a promise for those that run something (a query, code, a judge). */
  score(input: ScoreInput): ScoreResult | Promise<ScoreResult>;
  /**
   * Reads `row` (the case's dataset columns): `opbench rescore` then renders the suite's cases to
   * find each recorded call's row.
   */
  readonly readsRow?: boolean;
  /** The judge (a `judges:` or `models:` id) this scorer asks: started for the run, its key checked. */
  readonly judge?: string;
  /**
   * The questions `score` puts to the judge for this input, one judge call each (none when it
   * would not ask): the dry run prices them before any call. Given with `judge`.
   */
  judgeRequests?(input: ScoreInput): JudgeRequest[];
  /**
   * Names of the task's other scorers this one is computed from (`weighted`): it runs after
   * them and reads their records in `ScoreInput.scores`. The suite loader checks the names.
   */
  readonly combines?: readonly string[];
}

/** What a scorer factory may read besides its own config. */
export interface ScorerContext {
  /** Directory of the suite file, for `labels_file` and the like. */
  baseDir: string;
  /** The task's output JSON Schema, if it has one. */
  taskJsonSchema?: Record<string, unknown>;
  /** The functions the task offers the model (their parameter schemas type the arguments). */
  taskTools?: readonly ToolDefinition[];
}

/** What every scorer config has: its `type` and an optional `name`. */
export interface ScorerConfigBase {
  type: string;
  name?: string | undefined;
}

/**
 * A scorer's config schema: `{type: <type>, name?}` and the scorer's own options, strict (unknown
 * keys are errors).
 */
export function scorerSchema<T extends string, Shape extends z.ZodRawShape = Record<never, never>>(
  type: T,
  options: Shape = {} as Shape,
) {
  return z.strictObject({ type: z.literal(type), name: z.string().optional(), ...options });
}

/**
 * Builds a scorer from its config. Throws `Error` with a message saying what is wrong
 * (bad regex, unreadable labels file); the suite loader turns it into a positioned error.
 */
export type ScorerFactory<C extends ScorerConfigBase = ScorerConfigBase> = (
  config: C,
  context: ScorerContext,
) => Scorer;

/** A config problem found when the suite loads, before the scorer is built: positioned at `field`. */
export interface ScorerConfigProblem {
  /** The config field at fault; absent: the scorer entry as a whole. */
  field?: string;
  message: string;
  /** What would be accepted, e.g. "a JavaScript regular expression". */
  expected: string;
}

/**
 * One scorer type: its config, how to build it, and what the suite loader and the summary must
 * know about it. A scorer file exports one; `src/scoring/index.ts` lists it under its type.
 */
export interface ScorerDefinition<C extends ScorerConfigBase = ScorerConfigBase> {
  /** The config schema, made with {@link scorerSchema}. */
  schema: z.ZodType<C>;
  create: ScorerFactory<C>;
  /** A bare type name in a task's `scorers` list stands for `{type}` (no option is needed). */
  shorthand?: boolean;
  /** Checks validity without a gold answer (a cascade can escalate when it scores 0). */
  validity?: boolean;
  /** Problems worth a precise position (a field), found before `create` runs. */
  check?(config: C, context: ScorerContext): ScorerConfigProblem[];
}
