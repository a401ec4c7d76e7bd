/**
 * `opbench report <run-dir…>`: produce report outputs for existing run directories from their
 * logs alone (no model is called) — `opbench summary` with report-oriented defaults (the
 * registry's REPORT_OUTPUTS: report.md and report.html). Each directory gets its own files; with
 * several, the runs are also compared: one HTML page (reports/html/compare-page.ts) when `html` is
 * chosen, and one Markdown table (a row per run × model × task) when `markdown` is. `--out-file`
 * (or an `-o` value naming a file) says where: a `.html` path takes the HTML page (a copy of
 * report.html for one directory), any other the Markdown; without one, the comparison page is
 * `comparison.html` in the current directory and the Markdown is printed.
 */
import { copyFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { writeComparisonReport } from "../../reports/html/compare-page.ts";
import { runLabels } from "../../reports/html/run-set.ts";
import { REPORT_HTML_FILE } from "../../reports/html.ts";
import {
  OutputSelectionError,
  REPORT_OUTPUTS,
  type SelectedOutput,
  selectOutputs,
} from "../../reports/index.ts";
import {
  type NamedSummary,
  renderComparisonMarkdown,
  renderRunMarkdown,
} from "../../reports/markdown-text.ts";
import type { OutputMode } from "../../reports/output.ts";
import { chooseOutputs, type FormatArgs, produceAndList } from "./outputs.ts";
import type { RunDirReading } from "./run-dir.ts";
import { readRunDirOrSay } from "./summary-command.ts";

export interface ReportArgs extends FormatArgs {
  runDirs: readonly string[];
  /** Where the report goes: a `.html` path the HTML page, any other the Markdown (see the module comment). */
  outFile?: string | undefined;
  /** Each run's name in a comparison, in the order of the directories (default: the directory's name). */
  label?: readonly string[] | undefined;
}

/** The name of the comparison page when no `.html` path is given. */
export const COMPARISON_HTML_FILE = "comparison.html";

const isHtmlPath = (path: string) => /\.html?$/i.test(path);
/** An `-o` value that names a file rather than an output: it ends in .html, .htm or .md. */
const isFilePath = (value: string) => /\.(html?|md)$/i.test(value.trim());

/** `--format` values split into output names and out files (`-o report.html`). */
export function splitFormatFiles(args: ReportArgs): { args: ReportArgs; files: string[] } {
  if (args.format === undefined) return { args, files: [] };
  const values = args.format
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
  const files = values.filter(isFilePath);
  const names = values.filter((v) => !isFilePath(v));
  return { args: { ...args, format: names.length > 0 ? names : undefined }, files };
}

/** The outputs `report` produces for a directory of `mode`: those named, else the report formats. */
export function reportOutputs(mode: OutputMode, args: FormatArgs, shown: string): SelectedOutput[] {
  if (args.format !== undefined) return chooseOutputs(mode, args);
  const names = REPORT_OUTPUTS.filter((name) => isFor(name, mode));
  if (names.length === 0) {
    throw new OutputSelectionError(
      `${shown} is a load sweep, and no report format is for load sweeps: name outputs with -o (e.g. -o load-json,table)`,
    );
  }
  return selectOutputs(mode, names);
}

/** Whether output `name` applies to `mode` (selecting it would not throw). */
function isFor(name: string, mode: OutputMode): boolean {
  try {
    selectOutputs(mode, [name]);
    return true;
  } catch {
    return false;
  }
}

export async function reportCommand(given: ReportArgs): Promise<number> {
  const split = splitFormatFiles(given);
  const files = [...split.files, ...(given.outFile === undefined ? [] : [given.outFile])];
  const htmlFile = files.find(isHtmlPath);
  const markdownFile = files.find((f) => !isHtmlPath(f));
  if (files.filter(isHtmlPath).length > 1 || files.filter((f) => !isHtmlPath(f)).length > 1) {
    process.stderr.write(`opbench: name at most one .html and one Markdown file (got ${files.join(", ")})\n`);
    return 2;
  }
  const args = split.args;
  let labels: string[];
  try {
    labels = runLabels(args.runDirs, args.label ?? []);
  } catch (error) {
    process.stderr.write(`opbench: ${(error as Error).message}\n`);
    return 2;
  }
  const dirs: { shown: string; label: string; reading: RunDirReading; outputs: SelectedOutput[] }[] = [];
  for (const [i, shown] of args.runDirs.entries()) {
    // A finished run's current summary.json spares folding its whole log again.
    const reading = await readRunDirOrSay(shown, undefined, { storedSummary: true });
    if (!reading) return 2;
    try {
      const outputs = reportOutputs(reading.results.mode, args, shown);
      // A named .html file is the HTML report's copy: asking for it selects the html output.
      if (htmlFile !== undefined && !outputs.some((o) => o.name === "html")) {
        outputs.push(...selectOutputs(reading.results.mode, ["html"]));
      }
      dirs.push({ shown, label: labels[i] as string, reading, outputs });
    } catch (error) {
      process.stderr.write(`opbench: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const has = (d: (typeof dirs)[number], name: string) =>
    d.reading.results.mode === "run" && d.outputs.some((o) => o.name === name);
  if (markdownFile !== undefined && !dirs.some((d) => has(d, "markdown"))) {
    process.stderr.write(
      "opbench: a Markdown --out-file takes the Markdown report: choose markdown (-o markdown)\n",
    );
    return 2;
  }
  const runs = dirs.filter((d) => has(d, "html"));
  if (htmlFile !== undefined && dirs.length > 1 && runs.length < 2) {
    process.stderr.write(
      "opbench: a comparison page needs at least two run directories of `opbench run` (load sweeps get their own report.html)\n",
    );
    return 2;
  }
  const markdownRuns: NamedSummary[] = [];
  for (const { shown, label, reading, outputs } of dirs) {
    const { results } = reading;
    if (results.mode === "load") await produceAndList(outputs, "load", results.input);
    else {
      await produceAndList(outputs, "run", results.input);
      if (outputs.some((o) => o.name === "markdown")) {
        markdownRuns.push({ name: dirs.length > 1 ? label : shown, summary: results.input.summary });
      }
    }
  }
  if (htmlFile !== undefined && dirs.length === 1) {
    copyFileSync(join(resolve(dirs[0]!.reading.results.input.runDir), REPORT_HTML_FILE), htmlFile);
    process.stderr.write(`Report: ${htmlFile}\n`);
  } else if (runs.length > 1) {
    const path = htmlFile ?? COMPARISON_HTML_FILE;
    const page = await writeComparisonReport(
      runs.flatMap(({ label, reading: { results } }) =>
        results.mode === "run"
          ? [{ label, runDir: results.input.runDir, summary: results.input.summary }]
          : [],
      ),
    );
    writeFileSync(path, page);
    process.stderr.write(`Comparison report: ${path}\n`);
  }
  const combined =
    dirs.length > 1 && markdownRuns.length > 0
      ? renderComparisonMarkdown(markdownRuns)
      : markdownRuns.length === 1 && markdownFile !== undefined
        ? renderRunMarkdown(markdownRuns[0]!.summary)
        : null;
  if (markdownFile !== undefined && combined !== null) {
    writeFileSync(markdownFile, combined);
    process.stderr.write(`${dirs.length > 1 ? "Comparison" : "Report"}: ${markdownFile}\n`);
  } else if (combined !== null) {
    process.stdout.write(combined);
  }
  return 0;
}
