/**
 * The outputs `opbench gate` can write: the files that carry verdicts (summary.json, report.md,
 * the step summary, JUnit; load.json for a sweep). Imported one by one rather than through the
 * registry (reports/index.ts), which loads the HTML report's libraries: about a second of CPU
 * that a CI gate over stored results would pay for nothing.
 */
import { githubSummary } from "../../reports/github-summary.ts";
import { junit } from "../../reports/junit.ts";
import { loadJson } from "../../reports/load-json.ts";
import { markdown } from "../../reports/markdown.ts";
import type { Output, OutputMode, OutputTerminal } from "../../reports/output.ts";
import { summaryJson } from "../../reports/summary-json.ts";
import { GateUsageError } from "../gates/validate.ts";

const GATE_OUTPUTS = {
  "summary-json": summaryJson,
  markdown,
  "github-summary": githubSummary,
  junit,
  "load-json": loadJson,
} as const satisfies Record<string, Output>;

const OUTPUTS: Record<string, Output> = GATE_OUTPUTS;

/** The outputs named (comma-separated or repeated), each once; GateUsageError for another name. */
export function chooseGateOutputs(
  mode: OutputMode,
  names: readonly string[],
): { name: string; output: Output }[] {
  const chosen: { name: string; output: Output }[] = [];
  for (const name of new Set(
    names
      .flatMap((n) => n.split(","))
      .map((n) => n.trim())
      .filter((n) => n !== ""),
  )) {
    const output = Object.hasOwn(OUTPUTS, name) ? OUTPUTS[name] : undefined;
    const fits = Object.keys(OUTPUTS).filter((n) => OUTPUTS[n]![mode] !== undefined);
    if (!output?.[mode]) {
      throw new GateUsageError(`--format ${name}: opbench gate writes ${fits.join(", ")} here`);
    }
    chosen.push({ name, output });
  }
  return chosen;
}

/** stdout and stderr of this process, a line at a time. */
export const GATE_TERMINAL: OutputTerminal = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};
