/**
 * `opbench report <run-dir…>`: produce report outputs for existing run directories from their
 * logs alone (no model is called) — `opbench summary` with report-oriented defaults (the
 * registry's REPORT_OUTPUTS: report.md, and the HTML report where registered). Each directory gets
 * its own files; with several and `markdown` chosen, one comparison table (a row per run × model ×
 * task) goes to `--out-file` or stdout. With one directory, `--out-file` gets a copy of report.md.
 */
import { writeFileSync } from "node:fs";
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
  /** Where the Markdown report (one directory) or the comparison (several) goes; else stdout. */
  outFile?: string | undefined;
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

export async function reportCommand(args: ReportArgs): Promise<number> {
  const dirs: { shown: string; reading: RunDirReading; outputs: SelectedOutput[] }[] = [];
  for (const shown of args.runDirs) {
    const reading = await readRunDirOrSay(shown);
    if (!reading) return 2;
    try {
      dirs.push({ shown, reading, outputs: reportOutputs(reading.results.mode, args, shown) });
    } catch (error) {
      process.stderr.write(`opbench: ${(error as Error).message}\n`);
      return 2;
    }
  }
  const hasMarkdown = (d: (typeof dirs)[number]) =>
    d.reading.results.mode === "run" && d.outputs.some((o) => o.name === "markdown");
  if (args.outFile !== undefined && !dirs.some(hasMarkdown)) {
    process.stderr.write("opbench: --out-file takes the Markdown report: choose markdown (-o markdown)\n");
    return 2;
  }
  const markdownRuns: NamedSummary[] = [];
  for (const { shown, reading, outputs } of dirs) {
    const { results } = reading;
    if (results.mode === "load") await produceAndList(outputs, "load", results.input);
    else {
      await produceAndList(outputs, "run", results.input);
      if (outputs.some((o) => o.name === "markdown")) {
        markdownRuns.push({ name: shown, summary: results.input.summary });
      }
    }
  }
  const combined =
    dirs.length > 1 && markdownRuns.length > 0
      ? renderComparisonMarkdown(markdownRuns)
      : markdownRuns.length === 1 && args.outFile !== undefined
        ? renderRunMarkdown(markdownRuns[0]!.summary)
        : null;
  if (args.outFile !== undefined && combined !== null) {
    writeFileSync(args.outFile, combined);
    process.stderr.write(`${dirs.length > 1 ? "Comparison" : "Report"}: ${args.outFile}\n`);
  } else if (combined !== null) {
    process.stdout.write(combined);
  }
  return 0;
}
