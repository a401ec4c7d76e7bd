/**
 * The `gates` section of summary.json: each gate's verdicts on this run (src/gates evaluates them;
 * the type sits here, with the summary that holds it, so outputs read it without the gates layer).
 */

/** pass; fail; inconclusive (beyond the margin but not significant: not a failure); unknown (figure missing: a failure). */
export type GateStatus = "pass" | "fail" | "inconclusive" | "unknown";

/** One gate checked on one row (model × task, a model, a savings pair × task, a load step). */
export interface GateVerdict {
  gate: string;
  kind: "absolute" | "delta";
  /** The model (or `candidate vs baseline`), and the task or step; null where the row has none. */
  model: string;
  task: string | null;
  scorer?: string;
  status: GateStatus;
  /** The measured figure (delta gates: this run's), in the figure's units; null when unknown. */
  value: number | null;
  /** The threshold (absolute) or the baseline's figure (delta). */
  threshold: number | null;
  baseline_value?: number | null;
  /** Delta gates: the change (accuracy: points as a fraction; rises: a fraction of the baseline) and its interval. */
  delta?: number | null;
  delta_interval?: [number, number] | null;
  p_value?: number | null;
  /**
   * Accuracy of a weighted task (`weight_field`): the figures count each case as the logged calls
   * it stands for; `cases` compared, `calls` they stand for.
   */
  weighted?: { cases: number; calls: number };
  /** The statistical test used, in words ("McNemar exact, paired on 412 shared cases"). */
  test: string;
  /** Cases (or calls) more that would likely decide an inconclusive verdict, from `opbench plan`'s arithmetic. */
  more_cases_needed?: number | null;
  /** One line with the numbers, as printed. */
  message: string;
  /** Caveats: unpaired comparison, suite changed since the baseline, … */
  warnings: string[];
}

/** The gates section of summary.json. */
export interface GateReport {
  /** pass: every verdict passed or was inconclusive; fail: some verdict failed or was unknown. */
  status: "pass" | "fail";
  /** Two-sided significance level of delta tests. */
  alpha: number;
  baseline: { source: string; suite: string; suite_hash: string; run_id: string | null } | null;
  max_error_rate: number | null;
  /** Failed calls ÷ calls over the whole run, and whether it passed `max_error_rate`. */
  error_rate: { failed: number; calls: number; rate: number | null; exceeded: boolean } | null;
  verdicts: GateVerdict[];
  warnings: string[];
}
