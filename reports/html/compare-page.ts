/**
 * The comparison page: several runs (two quantisations, before and after an adapter) in one
 * self-contained report. Every chart and table of the single-run page shows all runs' models,
 * named "label · model"; a "Between runs" section compares each later run with the first on the
 * cases both ran; the reproducibility record is given per run.
 */
import { EVENTS_FILE } from "../../src/core/run-log.ts";
import { BetweenRunsCollector, renderBetweenRuns, runPairs } from "./between-runs.ts";
import { collectCases } from "./cases.ts";
import { DistributionCollector } from "./distributions.ts";
import { escapeHtml } from "./format.ts";
import { DEMO_MODEL_WARNING, pageShell, type ReportExtras, reportSections, usesDemoModel } from "./page.ts";
import { renderReproducibility, reproducibilityRows } from "./reproducibility.ts";
import { combineSummaries, type LabelledRun, runModelName } from "./run-set.ts";

/** The comparison page of `runs` (the first is the reference), reading each run's log once more. */
export async function writeComparisonReport(
  runs: readonly LabelledRun[],
  options: Pick<ReportExtras, "withLibraries"> = {},
): Promise<string> {
  const pairs = runPairs(runs);
  const between = new BetweenRunsCollector(pairs);
  const distributions = new DistributionCollector();
  const cases = await collectCases(
    runs.map((r) => ({ runDir: r.runDir, modelName: (model: string) => runModelName(r.label, model) })),
    {
      onCall: (record) => {
        distributions.add(record);
        between.add(record);
      },
    },
  );
  return renderComparisonReport(runs, {
    ...options,
    cases,
    distributions: cases && distributions.result(),
    between: renderBetweenRuns(combineSummaries(runs), pairs, cases ? between.rows() : []),
  });
}

/** The page, given what was read from the logs (`between`: the "Between runs" section's body). */
export function renderComparisonReport(
  runs: readonly LabelledRun[],
  options: ReportExtras & { between: string },
): string {
  const summary = combineSummaries(runs);
  const suites = [...new Set(runs.map((r) => r.summary.run.suite.name))];
  const runList = runs
    .map(
      (r, i) =>
        `<li><strong>${escapeHtml(r.label)}</strong>${i === 0 ? " (reference)" : ""}: suite ${escapeHtml(r.summary.run.suite.name)}, run id ${escapeHtml(r.summary.run.run_id)}, started ${escapeHtml(r.summary.run.started_at)}, ${escapeHtml(r.summary.run.status)}; ${r.summary.models.length} model(s)</li>`,
    )
    .join("");
  const record = runs
    .map((r) => `<h3>${escapeHtml(r.label)}</h3>${renderReproducibility(reproducibilityRows(r.summary))}`)
    .join("\n");
  const sameSuite = new Set(runs.map((r) => r.summary.run.suite.hash)).size === 1;
  const { main, specs } = reportSections(summary, options, {
    beforeAccuracy: `<section id="between-runs"><h2>Between runs</h2>${options.between}</section>\n`,
    record,
  });
  return pageShell({
    title: `opbench comparison: ${suites.join(", ")}`,
    header: `<p class="sub">${runs.length} runs; each model is named after its run (“run · model”).</p><ul class="runs">${runList}</ul>
${sameSuite ? "" : `<p class="warn">The runs are of different suites (suite hashes differ): a model is compared only on the cases both runs have.</p>`}
${runs.some((r) => usesDemoModel(r.summary)) ? DEMO_MODEL_WARNING : ""}`,
    main,
    footer: `Written by opbench ${escapeHtml(summary.run.opbench_version)} from ${runs.length} runs' summary.json${options.cases ? ` and ${EVENTS_FILE}` : ""}; one self-contained file, nothing is fetched.`,
    specs,
    withLibraries: options.withLibraries !== false,
  });
}
