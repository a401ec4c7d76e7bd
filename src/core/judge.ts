/**
 * The judge seam: a scorer that asks a judge model (an LLM-as-judge) gets, at score time, an
 * `ask` bound to the call it scores; the engine (or `opbench rescore`) owns the judge's runner,
 * and records each judge call as its own `judge_call` event: evaluation overhead, never part of
 * the model under test's cost, latency or energy.
 */
import type { LOG_VERSION } from "./records.ts";
import type { BackendInfo } from "./runner.ts";

/** One question to a judge. Judge calls are deterministic: temperature 0, seed 0 where supported. */
export interface JudgeRequest {
  system?: string;
  prompt: string;
  /** Constrain the verdict to this JSON Schema (the judge's runner applies it, or the call fails). */
  schema?: Record<string, unknown>;
  maxTokens: number;
  /** A short label of this question among the scorer's (e.g. pairwise "AB" / "BA"), recorded. */
  label?: string;
}

/**
 * Asks the judge `judge` (a judge or model id) one question and returns the text it answered.
 * Rejects when the call failed (after the suite's retries): the scorer's score is then a scoring
 * error. The call is recorded whatever happens.
 */
export type JudgeAsk = (judge: string, request: JudgeRequest) => Promise<string>;

/** The call a judge call was made for: the scored call record's identity. */
export interface JudgedCall {
  /** The scored call's work item key (`model|task|repeat|case`). */
  item: string;
  attempt: number;
  model: string;
  task: string;
  scorer: string;
}

/** One judge call (each attempt of it): what it cost, how long it took, whether it answered. */
export interface JudgeCallEvent {
  v: typeof LOG_VERSION;
  type: "judge_call";
  /** The judge's id (in `judges:` or `models:`). */
  judge: string;
  /** The scored call's item key, attempt, model under test, task, and the scorer that asked. */
  item: string;
  attempt: number;
  model: string;
  task: string;
  scorer: string;
  /** The question's label among the scorer's (pairwise: "AB", "BA"); absent for a single question. */
  label?: string;
  /** This judge call's attempt (retries of a failed judge call). */
  judge_attempt: number;
  started_at: string;
  ok: boolean;
  e2e_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  error: { class: string; message: string; status: number | null } | null;
}

/** A judge's start (or why it did not start: `error`, "skipped: …" for --skip-missing-keys). */
export interface JudgeStartEvent {
  v: typeof LOG_VERSION;
  type: "judge_start";
  judge: string;
  runner: string;
  at: string;
  backend: BackendInfo | null;
  error?: string;
}

/** Every event the judge seam writes to the log. */
export type JudgeEvent = JudgeCallEvent | JudgeStartEvent;
