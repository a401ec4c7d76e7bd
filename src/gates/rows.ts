/**
 * The rows a gate checks and the figure it reads on each: model × task results (or a model's
 * roll-up with `task=all`), savings pairs × task, load steps.
 */
import type { LoadSummary } from "../load/summary.ts";
import type { GroupSummary, ScorerAccuracy } from "../metrics/group.ts";
import type { Summary } from "../metrics/summary.ts";
import type { GateSpec, Selector } from "./spec.ts";

export interface GateRow {
  model: string;
  task: string | null;
  /** The results row (model × task, or the model's roll-up), when the gate reads one. */
  result?: GroupSummary;
  value: number | null;
  /** Accuracy only: the scorer read, and its estimate (interval, n). */
  scorer?: string;
  accuracy?: ScorerAccuracy;
  /**
   * Present when the figure counts each case as the logged calls it stands for (`weight_field`):
   * a weighted accuracy, or any figure of a weighted savings comparison.
   */
  weighted?: { cases: number; calls: number };
}

const matches = (wanted: string | undefined, actual: string | null) =>
  wanted === undefined || wanted === "*" || wanted === actual;

/** The accuracy estimate of `scorer` (default: the task's first). */
export function scorerAccuracy(row: GroupSummary, scorer: string | undefined): ScorerAccuracy | undefined {
  return scorer === undefined ? row.accuracy[0] : row.accuracy.find((a) => a.scorer === scorer);
}

/** The figure a results gate reads on a row; null when unknown. */
export function resultFigure(spec: GateSpec, row: GroupSummary): number | null {
  switch (spec.figure) {
    case "accuracy":
      return scorerAccuracy(row, spec.selector?.scorer)?.mean ?? null;
    case "latency": {
      const latency = row.latency[spec.latency as keyof GroupSummary["latency"]];
      return (latency?.[spec.stat as "p50"] as number | undefined) ?? null;
    }
    case "error_rate":
      return row.calls > 0 ? row.failed / row.calls : null;
    case "cost_per_1k_usd":
      return row.cost.per_1k_calls_usd;
    case "cost_per_call_usd":
      return row.cost.per_call_usd;
    case "cost_per_correct_usd":
      return row.cost.per_correct_usd;
    case "energy_per_call_j":
      return row.energy.per_call_j;
    case "output_tokens_per_s":
      return row.throughput.output_tokens_per_s;
    case "requests_per_s":
      return row.throughput.requests_per_s;
    default:
      return null;
  }
}

/** Results rows a gate selects: model × task rows, or the models' roll-ups for `task=all`. */
export function selectResults(summary: Summary, selector: Selector = {}): GroupSummary[] {
  const rows = selector.task === "all" ? summary.by_model : summary.results;
  return rows.filter(
    (row) =>
      matches(selector.model, row.model) && (selector.task === "all" || matches(selector.task, row.task)),
  );
}

/** The rows a gate checks on this run, with its figure on each. */
export function gateRows(spec: GateSpec, summary: Summary | null, load: LoadSummary | null): GateRow[] {
  const selector = spec.selector ?? {};
  if (spec.figure === "goodput") {
    if (!load || !matches(selector.model, load.model)) return [];
    return load.steps
      .filter((step) => matches(selector.step, String(step.step)))
      .map((step) => ({
        model: load.model,
        task: `step ${step.step} (${step.concurrency !== null ? `concurrency ${step.concurrency}` : `${step.rate_per_s} req/s`})`,
        value: step.goodput.fraction,
      }));
  }
  if (!summary) return [];
  if (["accuracy_retained", "cost_ratio", "e2e_ratio", "ttft_ratio", "energy_ratio"].includes(spec.figure)) {
    return summary.savings
      .filter(
        (pair) =>
          matches(selector.candidate, pair.candidate) &&
          matches(selector.baseline, pair.baseline) &&
          matches(selector.task, pair.task),
      )
      .map((pair) => {
        const c = pair.comparison;
        const value = {
          accuracy_retained: c.accuracy_retained,
          cost_ratio: c.cost_ratio,
          e2e_ratio: c.e2e_p50_ratio,
          ttft_ratio: c.ttft_p50_ratio,
          energy_ratio: c.energy_ratio,
        }[spec.figure as "cost_ratio"];
        return {
          model: `${pair.candidate} vs ${pair.baseline}`,
          task: pair.task,
          value,
          scorer: pair.scorer,
          ...(c.weighted && { weighted: c.weighted }),
        };
      });
  }
  return selectResults(summary, selector).map((row) => {
    const gateRow: GateRow = {
      model: row.model,
      task: row.task,
      result: row,
      value: resultFigure(spec, row),
    };
    if (spec.figure === "accuracy") {
      const accuracy = scorerAccuracy(row, selector.scorer);
      gateRow.scorer = accuracy?.scorer ?? selector.scorer ?? "(no scorer)";
      if (accuracy) gateRow.accuracy = accuracy;
      if (accuracy?.calls !== undefined) gateRow.weighted = { cases: accuracy.n, calls: accuracy.calls };
    }
    return gateRow;
  });
}
