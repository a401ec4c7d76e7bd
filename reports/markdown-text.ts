/**
 * A run's results as GitHub-flavoured Markdown, fit for a PR comment or a job summary: the
 * headline savings sentences (the terminal's, src/terminal/savings-lines.ts), the table per
 * model × task and the savings table. Pure functions of the summary; `report.md`
 * (reports/markdown.ts), `github-summary` and `opbench report`'s comparison of several runs use them.
 */
import { MODEL_SKIPPED } from "../src/core/records.ts";
import type { GroupSummary } from "../src/metrics/group.ts";
import type { Summary } from "../src/metrics/summary.ts";
import { energySourceLabel, formatCompute, formatWh } from "../src/terminal/energy-labels.ts";
import { judgeOverheadLine } from "../src/terminal/judge-lines.ts";
import { savingsLine } from "../src/terminal/savings-lines.ts";
import { formatAccuracy, formatMs, formatUsd } from "../src/terminal/summary-table.ts";
import { gatesMarkdown } from "./gates-markdown.ts";

/**
 * `text` with the characters Markdown could read as syntax inside a line backslash-escaped (`|`
 * included, so it stays in its table cell; `<` and `&`, so no HTML) and line breaks made spaces:
 * a model id or label shows as written. Text put here never starts a line (it follows `| `, `- `
 * or `> `), so `-`, `+` and `1.` need no escape.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|~&]/g, "\\$&").replace(/\r?\n|\r/g, " ");
}

/** One table row; cells are escaped by the caller. */
const tableRow = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;

/** A GFM table: `head` (escaped here), a separator, `rows` (already escaped). */
function table(head: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    tableRow(head.map(escapeMarkdown)),
    tableRow(head.map(() => "---")),
    ...rows.map((cells) => tableRow(cells)),
  ];
}

/** "0.120 Wh" per call, "unknown" when not measured. */
/** "0.0278 Wh", with a modelled figure's label and band ("0.0278 Wh (modelled ±50%)"). */
function formatEnergy(energy: GroupSummary["energy"]): string {
  const wh = formatWh(energy.per_call_j);
  return energy.per_call_j !== null && energy.source === "modelled"
    ? `${wh} (${energySourceLabel(energy)})`
    : wh;
}

/** The energy ratio with its band when the sides have one: "10× [3.3–40×]". */
function formatEnergyRatio(c: Summary["savings"][number]["comparison"]): string {
  const ratio = formatRatio(c.energy_ratio);
  const low = c.energy_ratio_low;
  const high = c.energy_ratio_high;
  if (ratio === "–" || low == null || high == null) return ratio;
  const f = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(2));
  return `${ratio} [${f(low)}–${f(high)}×]`;
}

/** "1.23×" (baseline ÷ candidate), "–" when unknown. */
function formatRatio(ratio: number | null): string {
  return ratio === null || !Number.isFinite(ratio)
    ? "–"
    : `${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(2)}×`;
}

const RESULT_HEAD = [
  "model",
  "task",
  "ok/calls",
  "accuracy [95% CI]",
  "TTFT p50",
  "e2e p50 / p95",
  "errors",
  "cost / 1k calls",
  "energy / call",
  "compute / call",
] as const;

/** The cells of one model × task row, escaped. */
function resultCells(r: GroupSummary): string[] {
  const accuracy =
    r.accuracy.length === 0 ? "–" : r.accuracy.map((a) => `${formatAccuracy(a)} ${a.scorer}`).join("; ");
  const errors =
    r.failed === 0
      ? "0"
      : `${r.failed} (${Object.entries(r.errors_by_class)
          .map(([c, n]) => `${c} ${n}`)
          .join(", ")})`;
  return [
    r.model,
    r.task ?? "",
    `${r.succeeded}/${r.calls}`,
    accuracy,
    formatMs(r.latency.ttft_ms?.p50),
    `${formatMs(r.latency.e2e_ms?.p50)} / ${formatMs(r.latency.e2e_ms?.p95)}`,
    errors,
    formatUsd(r.cost.per_1k_calls_usd),
    formatEnergy(r.energy),
    formatCompute(r.compute),
  ].map(escapeMarkdown);
}

/** The table of savings: one row per candidate × baseline × task. */
function savingsTable(summary: Summary): string[] {
  const pct = (x: number | null) => (x === null ? null : `${(x * 100).toFixed(1)}%`);
  const rows = summary.savings.map((s) => {
    const c = s.comparison;
    const lower = pct(c.accuracy_retained_lower);
    const upper = pct(c.accuracy_retained_upper);
    const retained = pct(c.accuracy_retained);
    const interval = lower !== null && upper !== null ? ` [${lower}–${upper}]` : "";
    return [
      s.candidate,
      s.baseline,
      s.task,
      retained === null ? "unknown" : `${retained}${interval} (${s.scorer})`,
      formatRatio(c.cost_ratio),
      formatRatio(c.e2e_p50_ratio),
      formatEnergyRatio(c),
    ].map(escapeMarkdown);
  });
  return table(
    [
      "candidate",
      "baseline",
      "task",
      "accuracy retained [95% CI]",
      "cheaper (cost ratio)",
      "faster (e2e p50 ratio)",
      "less energy (ratio)",
    ],
    rows,
  );
}

/** What the reader should know before trusting the numbers: status, failed starts, demo model. */
function notes(summary: Summary): string[] {
  const lines: string[] = [];
  const from = summary.run.rescored_from;
  if (from) {
    lines.push(
      `Re-scored from run ${from.run_id} (${from.run_dir}) with the scorers of ${from.suite_path}: the outputs are that run's, no model was called.`,
    );
  }
  if (summary.run.status !== "completed") {
    lines.push(`Run status: ${summary.run.status}; the results cover the calls recorded so far.`);
  }
  for (const m of summary.models) {
    if (m.error?.startsWith(MODEL_SKIPPED)) lines.push(`${m.model} ${m.error}`);
    else if (m.error) lines.push(`${m.model} did not start: ${m.error}`);
    if (m.backend?.demo_model) {
      lines.push(`${m.model} is opbench's built-in demo model (random weights): its accuracy means nothing.`);
    }
  }
  // Evaluation overhead: the LLM judges' calls, apart from every model's figures.
  for (const judge of summary.judges ?? []) {
    lines.push(`Evaluation overhead (not in the models' figures): ${judgeOverheadLine(judge)}`);
  }
  return lines.map((line) => `> ${escapeMarkdown(line)}`);
}

/** The one-line description of the run under the heading. */
function runLine(summary: Summary): string {
  const run = summary.run;
  const git = run.git.commit ? `, git ${run.git.commit.slice(0, 12)}${run.git.dirty ? " (dirty)" : ""}` : "";
  return escapeMarkdown(
    `Run ${run.run_id}, ${run.status}, started ${run.started_at}, opbench ${run.opbench_version}${git}`,
  );
}

/**
 * The Markdown report of one run: heading, savings sentences, the results table, the savings
 * table, notes. A run without calls says so in place of the tables. Ends with a newline.
 */
export function renderRunMarkdown(summary: Summary): string {
  const lines = [`## opbench: ${escapeMarkdown(summary.run.suite.name)}`, "", runLine(summary), ""];
  if (summary.results.length === 0) {
    lines.push("**No calls were recorded in this run**: there are no results to report.", "");
  } else {
    for (const s of summary.savings) lines.push(`- **${escapeMarkdown(savingsLine(s))}**`);
    if (summary.savings.length > 0) lines.push("");
    lines.push(...table(RESULT_HEAD, summary.results.map(resultCells)), "");
    if (summary.savings.length > 0) lines.push("### Savings", "", ...savingsTable(summary), "");
  }
  const warnings = notes(summary);
  if (warnings.length > 0) lines.push(...warnings.flatMap((line) => [line, ">"]).slice(0, -1), "");
  if (summary.gates) lines.push(...gatesMarkdown(summary.gates, escapeMarkdown), "");
  return `${lines.join("\n").trimEnd()}\n`;
}

/** One run of a comparison: how it is named in the table, and its summary. */
export interface NamedSummary {
  /** The run directory as given on the command line (or its name). */
  name: string;
  summary: Summary;
}

/**
 * Several runs in one table: a row per run × model × task, the savings sentences of each run
 * under it. Ends with a newline.
 */
export function renderComparisonMarkdown(runs: readonly NamedSummary[]): string {
  const rows = runs.flatMap(({ name, summary }) =>
    summary.results.length === 0
      ? [[escapeMarkdown(name), ...RESULT_HEAD.map((_, i) => (i === 0 ? "no calls recorded" : ""))]]
      : summary.results.map((r) => [escapeMarkdown(name), ...resultCells(r)]),
  );
  const lines = ["## opbench: comparison of runs", "", ...table(["run", ...RESULT_HEAD], rows), ""];
  for (const { name, summary } of runs) {
    for (const s of summary.savings) lines.push(`- ${escapeMarkdown(`${name}: ${savingsLine(s)}`)}`);
    if (summary.run.status !== "completed") {
      lines.push(`- ${escapeMarkdown(`${name}: run status ${summary.run.status}`)}`);
    }
  }
  return `${lines.join("\n").trimEnd()}\n`;
}
