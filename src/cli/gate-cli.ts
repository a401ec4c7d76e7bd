/**
 * The command-line options of gates (`run`, `load`, `gate`) and the builders of `gate`,
 * `compare` and `baseline`, kept out of main.ts; cheap to import (yargs types only).
 */
import type { Argv } from "yargs";
import { formatOption } from "./format-option.ts";

const repeatable = (value: string | string[]): string[] => [value].flat();

/** `--gate`, `--baseline`, `--alpha`, `--max-error-rate`, `--junit`. */
export function gateOptions<T>(y: Argv<T>, { baseline = true } = {}) {
  const withGate = y
    .option("gate", {
      type: "string",
      describe:
        'A gate, repeatable: "accuracy >= 0.9", "p95 e2e_ms <= 800", "accuracy[model=m,task=t] drop <= 2 points", ' +
        '"p95 e2e_ms rise <= 10%" (README: Gates); a failed gate is exit code 3',
      coerce: repeatable,
    })
    .option("max-error-rate", {
      type: "number",
      describe: "Largest share of calls that may fail (0.01 = 1%); more is exit code 4 (overrides the suite)",
    })
    .option("junit", { type: "string", describe: "Also write the gate verdicts as JUnit XML to this file" });
  if (!baseline) return withGate;
  return withGate
    .option("baseline", {
      type: "string",
      describe:
        "Compare with: a run directory, a summary.json, an http(s) URL of one, or a baseline saved with `opbench baseline save` (e.g. main)",
    })
    .option("alpha", {
      type: "number",
      describe:
        "Two-sided significance level of the baseline comparisons (default: the suite's gate_alpha, else 0.05)",
    });
}

export function gateCommandOptions(y: Argv) {
  return gateOptions(
    y
      .positional("run-dir", {
        type: "string",
        demandOption: true,
        describe: "A run directory (or a load sweep's)",
      })
      .option("format", {
        ...formatOption("gate"),
        describe: "Outputs to write with the verdicts (default: summary-json,markdown,github-summary)",
      }),
  );
}

export function compareCommandOptions(y: Argv) {
  return y
    .positional("a", {
      type: "string",
      demandOption: true,
      describe: "The earlier run: a run directory, summary.json, URL or saved baseline name",
    })
    .positional("b", { type: "string", demandOption: true, describe: "The later run directory" })
    .option("alpha", { type: "number", default: 0.05, describe: "Two-sided significance level" })
    .option("json", { type: "boolean", default: false, describe: "Print the comparison as JSON" });
}

export interface BaselineSaveArgs {
  runDir: string;
  name: string;
  dir?: string | undefined;
}

export function baselineCommandOptions(y: Argv, save: (args: BaselineSaveArgs) => Promise<void>) {
  return y
    .command(
      "save <run-dir>",
      "Store a run's summary (and per-case scores) as the suite's named baseline, a small file to commit",
      (s) =>
        s
          .positional("run-dir", { type: "string", demandOption: true })
          .option("name", {
            type: "string",
            default: "main",
            describe: "The baseline's name (--baseline NAME finds it)",
          })
          .option("dir", {
            type: "string",
            describe:
              "Directory holding .opbench/ (default: the suite file's directory, as the run recorded it)",
          }),
      (args) => save(args),
    )
    .demandCommand(1, "Name a baseline action: save");
}
