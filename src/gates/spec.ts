/** A parsed gate (the verdicts it yields are typed in src/metrics/gate-report.ts, with the summary). */

export type Comparator = ">=" | "<=" | ">" | "<";

/** Which rows a gate checks; an absent key (or `*`) means every one. */
export interface Selector {
  model?: string;
  /** A task id, `*`, or `all`: the model's figure over all its tasks (not for accuracy). */
  task?: string;
  /** Accuracy's scorer (default: each task's first). */
  scorer?: string;
  /** Savings pairs. */
  candidate?: string;
  baseline?: string;
  /** Load sweeps: a step index (0-based). */
  step?: string;
}

export interface GateSpec {
  /** `absolute`: a threshold on this run's figure; `delta`: a change against a baseline run. */
  kind: "absolute" | "delta";
  /** A name in FIGURES (`accuracy`, `latency`, `cost_per_1k_usd`, …). */
  figure: string;
  /** Latency figures: the statistic (p50, p95, mean …) and the latency field (e2e_ms, ttft_ms, tpot_ms). */
  stat?: string;
  latency?: string;
  op: Comparator;
  /**
   * Absolute: the threshold in the figure's units. Delta: the largest change allowed, as a
   * fraction (accuracy drop in points ÷ 100, a rise in % ÷ 100).
   */
  value: number;
  direction?: "drop" | "rise";
  selector?: Selector;
  /** The expression as written (trimmed). */
  expression?: string;
}
