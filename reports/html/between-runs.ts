/**
 * What changed between runs: each later run's model × task against the first run's (the
 * reference) — the paired accuracy difference on the cases both ran, with McNemar's exact p, read
 * from the logs, and the change in p50 latency, cost per 1,000 calls and energy per call, from the
 * summaries. A model is paired with the same model id in the reference; when each run has only one
 * model (two quantisations named apart, say), those two are paired.
 */
import type { CallRecord } from "../../src/core/records.ts";
import type { GroupSummary } from "../../src/metrics/group.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { compareModels } from "../../src/savings/compare.ts";
import { type CaseOutcomeBuilder, OutcomeBuilders, weighOutcomes } from "../../src/savings/outcomes.ts";
import { type ComparisonRow, comparisonRow, renderComparisonTable } from "./accuracy-table.ts";
import { modelColor } from "./colors.ts";
import { escapeHtml, joules, ms, usd } from "./format.ts";
import { type LabelledRun, runModelName } from "./run-set.ts";

/** A later run's model on a task, and the reference run's model it is compared with. */
export interface RunPair {
  task: string;
  scorer: string;
  /** Combined names ("label · model"). */
  candidate: string;
  reference: string;
  candidateGroup: GroupSummary;
  referenceGroup: GroupSummary;
}

const tasksOf = (summary: Summary) => summary.results.filter((g) => g.task !== null);
const modelsOf = (summary: Summary) => [...new Set(summary.results.map((g) => g.model))];

/** The pairs to compare, run by run after the first, in each run's result order. */
export function runPairs(runs: readonly LabelledRun[]): RunPair[] {
  const [reference, ...later] = runs;
  if (!reference) return [];
  const referenceGroups = tasksOf(reference.summary);
  const referenceModels = modelsOf(reference.summary);
  return later.flatMap((run) => {
    const onlyModels = referenceModels.length === 1 && modelsOf(run.summary).length === 1;
    return tasksOf(run.summary).flatMap((group) => {
      const partner =
        referenceGroups.find((g) => g.model === group.model && g.task === group.task) ??
        (onlyModels ? referenceGroups.find((g) => g.task === group.task) : undefined);
      const scorer = group.accuracy[0]?.scorer;
      if (!partner || scorer === undefined || !partner.accuracy.some((a) => a.scorer === scorer)) return [];
      return [
        {
          task: group.task as string,
          scorer,
          candidate: runModelName(run.label, group.model),
          reference: runModelName(reference.label, partner.model),
          candidateGroup: group,
          referenceGroup: partner,
        },
      ];
    });
  });
}

/**
 * Per-case outcomes of the paired models, fed with the combined logs' call records (models named
 * "label · model") one at a time: only the pairs' models, tasks and scorers are kept.
 */
export class BetweenRunsCollector {
  private readonly pairs: readonly RunPair[];
  private readonly builders = new OutcomeBuilders();
  /** Scorers wanted per "model\0task". */
  private readonly wanted = new Map<string, Set<string>>();

  constructor(pairs: readonly RunPair[]) {
    this.pairs = pairs;
    for (const p of pairs) {
      for (const model of [p.candidate, p.reference]) {
        const key = `${model}\u0000${p.task}`;
        const set = this.wanted.get(key) ?? new Set<string>();
        set.add(p.scorer);
        this.wanted.set(key, set);
      }
    }
  }

  private builder(model: string, task: string, scorer: string): CaseOutcomeBuilder {
    return this.builders.get(model, task, scorer);
  }

  add(record: CallRecord): void {
    const scorers = this.wanted.get(`${record.model}\u0000${record.task}`);
    if (scorers) for (const scorer of scorers) this.builder(record.model, record.task, scorer).add(record);
  }

  /**
   * One paired accuracy comparison per pair, later run as candidate, reference as baseline; cases
   * that carry weights count as the calls they stand for, as the summary's accuracy does.
   */
  rows(): ComparisonRow[] {
    return this.pairs.map((p) => {
      const candidate = this.builder(p.candidate, p.task, p.scorer).outcomes();
      const reference = this.builder(p.reference, p.task, p.scorer).outcomes();
      const weighed = weighOutcomes(candidate, reference);
      const comparison = weighed
        ? compareModels(weighed.candidate, weighed.baseline, {
            weighted: { cases: weighed.cases, calls: weighed.calls },
          })
        : compareModels(candidate, reference);
      return comparisonRow(p.candidate, p.reference, p.task, p.scorer, comparison);
    });
  }
}

/** "812 ms → 640 ms (−21%)"; "—" where either side is unknown. */
function change(before: number | null, after: number | null, unit: (v: number) => string): string {
  if (before === null || after === null) return "—";
  if (before === 0) return `${unit(before)} → ${unit(after)}`;
  const pct = Math.round(((after - before) / before) * 100);
  const sign = pct > 0 ? "+" : pct < 0 ? "−" : "±";
  return `${unit(before)} → ${unit(after)} (${sign}${Math.abs(pct)}%)`;
}

/** The speed, cost and energy changes of each pair, from the summaries, as an HTML table. */
export function renderRunChanges(summary: Summary, pairs: readonly RunPair[]): string {
  if (pairs.length === 0) return "";
  const swatch = (model: string) =>
    `<span class="swatch" style="background:${modelColor(summary, model)}"></span>`;
  const body = pairs
    .map((p) => {
      const a = p.referenceGroup;
      const b = p.candidateGroup;
      const cells = [
        change(a.latency.e2e_ms?.p50 ?? null, b.latency.e2e_ms?.p50 ?? null, ms),
        change(a.latency.ttft_ms?.p50 ?? null, b.latency.ttft_ms?.p50 ?? null, ms),
        change(a.cost.per_1k_calls_usd, b.cost.per_1k_calls_usd, usd),
        change(a.energy.per_call_j, b.energy.per_call_j, joules),
        change(
          a.failed / Math.max(1, a.calls),
          b.failed / Math.max(1, b.calls),
          (v) => `${(v * 100).toFixed(1)}%`,
        ),
      ];
      return `<tr><td>${swatch(p.candidate)}${escapeHtml(p.candidate)}</td><td>${swatch(p.reference)}${escapeHtml(p.reference)}</td><td>${escapeHtml(p.task)}</td>${cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`).join("")}</tr>`;
    })
    .join("\n");
  return `<table class="accuracy changes"><caption>Speed, cost and energy of each run against the first (reference → this run, and the relative change), from each run's summary.</caption><thead><tr><th scope="col">Run · model</th><th scope="col">Reference</th><th scope="col">Task</th><th scope="col" class="num">p50 end-to-end</th><th scope="col" class="num">p50 TTFT</th><th scope="col" class="num">Cost per 1,000 calls</th><th scope="col" class="num">Energy per call</th><th scope="col" class="num">Failed calls</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The whole "between runs" section body: the paired accuracy table and the changes table. */
export function renderBetweenRuns(
  summary: Summary,
  pairs: readonly RunPair[],
  rows: readonly ComparisonRow[],
): string {
  if (pairs.length === 0) {
    return `<p class="note">No model and task of a later run matches one of the first run's (same model id, or the only model of each run), so nothing is compared run against run; each run's figures are in the sections below.</p>`;
  }
  return `${renderComparisonTable(summary, rows, {
    what: "Each later run against the first run (the reference)",
    candidate: "Run · model",
    baseline: "Reference",
  })}${renderRunChanges(summary, pairs)}`;
}
