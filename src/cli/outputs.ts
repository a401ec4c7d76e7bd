/**
 * `--format` / `-o` and `--json` of `run`, `load` and `summary`: which outputs of the registry
 * (`reports/index.ts`) a command produces, and producing them at its end.
 */
import { join } from "node:path";
import { DEFAULT_OUTPUTS, type SelectedOutput, selectOutputs } from "../../reports/index.ts";
import {
  type OutputInputs,
  type OutputMode,
  type OutputTerminal,
  produceOutputs,
} from "../../reports/output.ts";
import { EVENTS_FILE } from "../core/run-log.ts";

/** `--format` and `--json` as parsed. */
export interface FormatArgs {
  /** One entry per `--format` given, each may be comma-separated; undefined: none given. */
  format?: readonly string[] | undefined;
  json?: boolean | undefined;
}

/**
 * The output names a command line asks for. Without `--format`, the mode's defaults, where
 * `--json` takes the place of `table`; with it, the names given, plus `json` for `--json`.
 */
export function outputNames(mode: OutputMode, args: FormatArgs): string[] {
  if (args.format === undefined) {
    const defaults: readonly string[] = DEFAULT_OUTPUTS[mode];
    return args.json ? defaults.map((name) => (name === "table" ? "json" : name)) : [...defaults];
  }
  const names = args.format
    .flatMap((value) => value.split(","))
    .map((name) => name.trim())
    .filter((name) => name !== "");
  return args.json ? [...names, "json"] : names;
}

/** The outputs a command line selects for `mode`; throws OutputSelectionError (exit code 2). */
export function chooseOutputs(mode: OutputMode, args: FormatArgs): SelectedOutput[] {
  return selectOutputs(mode, outputNames(mode, args));
}

/** stdout and stderr of this process, a line at a time. */
export const PROCESS_TERMINAL: OutputTerminal = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Produces `outputs` for one run directory, then says on stderr where its log and the files
 * written are (`Records: …/events.jsonl`, `Summary: …/summary.json`).
 */
export async function produceAndList<M extends OutputMode>(
  outputs: readonly SelectedOutput[],
  mode: M,
  input: OutputInputs[M],
  terminal: OutputTerminal = PROCESS_TERMINAL,
): Promise<void> {
  const written = await produceOutputs(outputs, mode, input, terminal);
  terminal.stderr(`Records: ${join(input.runDir, EVENTS_FILE)}`);
  for (const file of written) terminal.stderr(`${file.title}: ${file.path}`);
}
