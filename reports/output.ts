/**
 * The output contract: one way of presenting a finished run — a file written into its run
 * directory (summary.json, load.json, an HTML report) or text on the terminal (the table, JSON on
 * stdout). Outputs are plug-ins: one file each in `reports/`, listed in `reports/index.ts`;
 * `run`, `load` and `summary` select them by name (`--format`). This module imports no output.
 * The contract sits here rather than in src/core because its inputs are the summaries that
 * src/metrics and src/load fold from the log, which sit above the core.
 */
import type { LogEvent } from "../src/core/records.ts";
import type { LoadSummary } from "../src/load/summary.ts";
import type { Summary } from "../src/metrics/summary.ts";

/** What a command produced: a run of a suite (`run`, `summary`) or a load sweep (`load`). */
export const OUTPUT_MODES = ["run", "load"] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/**
 * What an output of a run is given. `summary` is summary.json's content. Outputs that need more
 * than the summary read the log, `<runDir>/events.jsonl` (src/core/run-log.ts `readRunLog`), or
 * use the fold of it they asked for (`FileOutput.runLogFold`) when the run fed it every event.
 */
export interface RunOutputInput {
  /** Absolute path of the run directory; files are written into it. */
  runDir: string;
  summary: Summary;
  /** Each output's fold of the whole log, fed as the run wrote it (see {@link startLogFolds}). */
  logFolds?: ReadonlyMap<Output, LogFold>;
  /** Where the `junit` output writes (`--junit FILE`, absolute); default: junit.xml in the run directory. */
  junitFile?: string;
}

/** What an output of a load sweep is given: load.json's content and the run directory. */
export interface LoadOutputInput {
  /** Absolute path of the run directory; files are written into it. */
  runDir: string;
  load: LoadSummary;
  /** Where the `junit` output writes (`--junit FILE`, absolute); default: junit.xml in the run directory. */
  junitFile?: string;
}

/** The input of each mode. */
export interface OutputInputs {
  run: RunOutputInput;
  load: LoadOutputInput;
}

/** Where printing outputs write, one line at a time (the newline is added). */
export interface OutputTerminal {
  /** Results, what a user pipes into a file or `jq`. */
  stdout(line: string): void;
  /** Notes about the results. */
  stderr(line: string): void;
}

/**
 * An output that writes a file into the run directory (or a few: csv). Each mode's function
 * returns the path written (or paths), or null when the run holds nothing for it (load.json of a
 * run without a sweep). A mode without a function is a mode the output does not apply to.
 */
export interface FileOutput {
  kind: "file";
  /** One line for `--help` and the error listing the outputs. */
  description: string;
  /** Names the file on stderr once written: "Summary" → `Summary: runs/…/summary.json`. */
  title: string;
  run?(input: RunOutputInput): WrittenPaths | Promise<WrittenPaths>;
  load?(input: LoadOutputInput): WrittenPaths | Promise<WrittenPaths>;
  /**
   * A fold of the log's events for `run`, fed as the run writes them, so `run` need not read the
   * log back at the end; given back in `RunOutputInput.logFolds` only when it saw every event.
   */
  runLogFold?(): LogFold;
}

/** What an output folds from a run's events, one at a time, in log order. */
export interface LogFold {
  add(event: LogEvent): void;
}

/** What a file output wrote: one path, several, or nothing (null). */
export type WrittenPaths = string | readonly string[] | null;

/** An output that prints to the terminal. A mode without a function is one it does not apply to. */
export interface PrintOutput {
  kind: "print";
  /** One line for `--help` and the error listing the outputs. */
  description: string;
  run?(input: RunOutputInput, terminal: OutputTerminal): void | Promise<void>;
  load?(input: LoadOutputInput, terminal: OutputTerminal): void | Promise<void>;
}

export type Output = FileOutput | PrintOutput;

/** The modes `output` applies to: those it has a function for. */
export function outputModes(output: Output): OutputMode[] {
  return OUTPUT_MODES.filter((mode) => output[mode] !== undefined);
}

/**
 * The log folds `outputs` ask for (none: undefined), and one function feeding each of them an
 * event; a command that logs a whole run calls it with every event and hands `folds` to the outputs.
 */
export function startLogFolds(
  outputs: readonly { output: Output }[],
): { folds: ReadonlyMap<Output, LogFold>; add(event: LogEvent): void } | undefined {
  const folds = new Map<Output, LogFold>();
  for (const { output } of outputs) {
    const fold = output.kind === "file" ? output.runLogFold?.() : undefined;
    if (fold) folds.set(output, fold);
  }
  if (folds.size === 0) return undefined;
  const each = [...folds.values()];
  return {
    folds,
    add: (event) => {
      for (const fold of each) fold.add(event);
    },
  };
}

/** A file an output wrote. */
export interface WrittenFile {
  /** The output's name in the registry. */
  name: string;
  title: string;
  /** Absolute path. */
  path: string;
}

/**
 * Runs `outputs` (already selected for `mode`) on one mode's results: files first, then the
 * printers, each in the order given, so the files are on disk before anything that prints can
 * fail. Returns the files written, in order.
 */
export async function produceOutputs<M extends OutputMode>(
  outputs: readonly { name: string; output: Output }[],
  mode: M,
  input: OutputInputs[M],
  terminal: OutputTerminal,
): Promise<WrittenFile[]> {
  const written: WrittenFile[] = [];
  for (const { name, output } of outputs) {
    if (output.kind !== "file") continue;
    const write = output[mode] as
      | ((input: OutputInputs[M]) => WrittenPaths | Promise<WrittenPaths>)
      | undefined;
    const paths = (await write?.call(output, input)) ?? [];
    for (const path of typeof paths === "string" ? [paths] : paths) {
      written.push({ name, title: output.title, path });
    }
  }
  for (const { output } of outputs) {
    if (output.kind !== "print") continue;
    const print = output[mode] as
      | ((input: OutputInputs[M], terminal: OutputTerminal) => void | Promise<void>)
      | undefined;
    await print?.call(output, input, terminal);
  }
  return written;
}
