/**
 * The output registry: every way a run's results are written or shown, under the name `--format`
 * takes. Explicit and typed: a report format is one file in this folder (copy json-stdout.ts for
 * a printer, load-json.ts for a file) and one line in `outputs`; `OutputName` is derived from it.
 * The CLI's help names the outputs without loading this module (src/cli/format-option.ts; a test
 * keeps the two in step).
 */

import { csv } from "./csv.ts";
import { githubSummary } from "./github-summary.ts";
import { htmlReport } from "./html.ts";
import { jsonStdout } from "./json-stdout.ts";
import { junit } from "./junit.ts";
import { loadJson } from "./load-json.ts";
import { markdown } from "./markdown.ts";
import { type Output, type OutputMode, outputModes } from "./output.ts";
import { summaryJson } from "./summary-json.ts";
import { terminalTable } from "./terminal-table.ts";

export const outputs = {
  table: terminalTable,
  json: jsonStdout,
  "summary-json": summaryJson,
  "load-json": loadJson,
  html: htmlReport,
  markdown,
  "github-summary": githubSummary,
  csv,
  junit,
} satisfies Record<string, Output>;

export type OutputName = keyof typeof outputs;

export const OUTPUT_NAMES = Object.keys(outputs) as OutputName[];

/**
 * What `run` and `load` produce when no `--format` is given, and `summary` for a run directory
 * of each; `--json` puts `json` in the place of `table`.
 */
export const DEFAULT_OUTPUTS = {
  run: ["summary-json", "markdown", "html", "github-summary", "table"],
  load: ["load-json", "html", "table"],
} as const satisfies Record<OutputMode, readonly OutputName[]>;

/**
 * What `opbench report` produces without `--format`: the report outputs that are registered, in
 * this order (a name not in `outputs` is left out, so a report format joins when it is added).
 */
export const REPORT_OUTPUTS: readonly OutputName[] = ["markdown", "html"].filter((name): name is OutputName =>
  Object.hasOwn(outputs, name),
);

/** An output chosen by name. */
export interface SelectedOutput {
  name: OutputName;
  output: Output;
}

/** A `--format` naming no output, or one that does not apply to the command: exit code 2. */
export class OutputSelectionError extends Error {
  override name = "OutputSelectionError";
}

const MODE_WORDS: Record<OutputMode, string> = { run: "runs", load: "load sweeps" };

/** One line per output: name, description, and the modes it applies to. */
export function describeOutputs(): string {
  const width = Math.max(...OUTPUT_NAMES.map((name) => name.length));
  return OUTPUT_NAMES.map((name) => {
    const output: Output = outputs[name];
    const modes = outputModes(output)
      .map((mode) => MODE_WORDS[mode])
      .join(", ");
    return `  ${name.padEnd(width)}  ${output.description} (${modes})`;
  }).join("\n");
}

/**
 * The outputs named, in order, each once, for a command producing `mode`'s results. Throws
 * OutputSelectionError, listing the outputs there are, for an unknown name or one that does not
 * apply to `mode`.
 */
export function selectOutputs(mode: OutputMode, names: readonly string[]): SelectedOutput[] {
  const selected: SelectedOutput[] = [];
  for (const name of new Set(names)) {
    if (!Object.hasOwn(outputs, name)) {
      throw new OutputSelectionError(
        `unknown output ${JSON.stringify(name)} in --format; the outputs are:\n${describeOutputs()}`,
      );
    }
    const output: Output = outputs[name as OutputName];
    if (output[mode] === undefined) {
      throw new OutputSelectionError(
        `output ${name} is not for ${MODE_WORDS[mode]}; the outputs are:\n${describeOutputs()}`,
      );
    }
    selected.push({ name: name as OutputName, output });
  }
  return selected;
}
