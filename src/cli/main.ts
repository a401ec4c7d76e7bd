/**
 * The `opbench` command line. `buildCli()` is exported so tests can parse without running;
 * `main()` returns the exit code: 0 done, 1 run failed, 2 bad input (suite, flags), 3 a gate
 * failed, 4 more failed calls than max_error_rate allows, 130 interrupted.
 */
import yargs, { type Argv } from "yargs";
import { OPBENCH_VERSION } from "../host/version.ts";
import { formatOption } from "./format-option.ts";
import {
  baselineCommandOptions,
  compareCommandOptions,
  gateCommandOptions,
  gateOptions,
} from "./gate-cli.ts";
import { initCommandOptions } from "./init-options.ts";
import { loadCommandOptions } from "./load-options.ts";
import { mergeCommandOptions } from "./merge-options.ts";
import { shardOption } from "./shard-option.ts";

export const EXIT = { ok: 0, failed: 1, badInput: 2, gateFailed: 3, errorRate: 4, interrupted: 130 } as const;

/**
 * Commands load their modules when they run, not when the CLI starts: `--help` or `summary`
 * should not pay for runners, node-llama-cpp and pricing data (time and memory).
 */
const commands = {
  run: () => import("./run-command.ts"),
  load: () => import("./load-command.ts"),
  validate: () => import("./validate-command.ts"),
  summary: () => import("./summary-command.ts"),
  report: () => import("./report-command.ts"),
  plan: () => import("./plan-command.ts"),
  merge: () => import("./merge-command.ts"),
  schema: () => import("./schema-command.ts"),
  init: () => import("./init-command.ts"),
  view: () => import("./view-command.ts"),
  publish: () => import("./publish-command.ts"),
  gate: () => import("./gate-command.ts"),
  compare: () => import("./compare-command.ts"),
  baseline: () => import("./baseline-command.ts"),
};

/** The yargs parser with every command; commands store their exit code in `exit.code`. */
export function buildCli(argv: string[], exit: { code: number }): Argv {
  return withoutHelpCache(yargs(argv))
    .scriptName("opbench")
    .usage(
      "$0 <command> [options]\n\nBenchmark small local models against frontier APIs: accuracy, latency, cost.",
    )
    .command(
      "run [suite]",
      "Run a suite (default: the built-in quickstart) and write records + summary to a run directory",
      (y) =>
        gateOptions(y)
          .positional("suite", {
            type: "string",
            describe: "Suite YAML file (default: the built-in quickstart)",
          })
          .option("out", { type: "string", describe: "Run directory (default: runs/<time>-<suite name>)" })
          .option("resume", {
            type: "string",
            describe: "Continue an unfinished run directory: skip calls already recorded",
          })
          .option("model", {
            type: "string",
            describe:
              "Run every task on this model instead of the suite's: a .gguf path or a llama-server URL",
          })
          .option("concurrency", {
            type: "number",
            describe: "Calls in flight per model (overrides the suite)",
          })
          .option("repeats", { type: "number", describe: "Calls per case and model (overrides the suite)" })
          .option("limit", { type: "number", describe: "Use only the first N cases of each task" })
          .option("warmup", {
            type: "number",
            describe: "Unmeasured warm-up calls per model (overrides the suite)",
          })
          .option("workers", {
            type: "number",
            describe: "Make the calls in N threads, each with its own connection pool (overrides the suite)",
          })
          .option("progress", {
            type: "boolean",
            describe: "Live progress bars (default: when stderr is a terminal and CI is unset)",
          })
          .option("format", formatOption("run"))
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print the summary as JSON on stdout (the json output in place of table)",
          })
          .option("skip-missing-keys", {
            type: "boolean",
            describe:
              "Skip the models (and LLM judges, with their scorers) whose API key variable is unset (said on stderr, recorded in the summary) instead of refusing the run",
          })
          .option("dry-run", {
            type: "boolean",
            default: false,
            describe: "Print the plan (calls, estimated tokens and API cost per model) and make no call",
          })
          .option("max-cost", {
            type: "number",
            describe: "Stop starting calls before API spending (spent + in flight) would pass this many USD",
          })
          .option("shard", shardOption),
      async (args) => {
        exit.code = await (await commands.run()).runCommand(args);
      },
    )
    .command(
      "load <suite>",
      "Drive one model at rising concurrency or request rates: throughput, latency percentiles, goodput vs SLOs",
      (y) => gateOptions(loadCommandOptions(y), { baseline: false }),
      async (args) => {
        exit.code = await (await commands.load()).loadCommand(args);
      },
    )
    .command(
      "init [data]",
      "Write a suite from your own data file (.csv with a header row, or .jsonl), or an example suite",
      initCommandOptions,
      async (args) => {
        exit.code = await (await commands.init()).initCommand(args);
      },
    )
    .command(
      "validate <suite>",
      "Check a suite (schema, files, templates, scorers) without calling any model",
      (y) => y.positional("suite", { type: "string", demandOption: true }),
      async (args) => {
        exit.code = await (await commands.validate()).validateCommand(args.suite);
      },
    )
    .command(
      "summary <run-dir>",
      "Recompute a run directory's results from its events.jsonl alone and produce its outputs again",
      (y) =>
        y
          .positional("run-dir", { type: "string", demandOption: true })
          .option("format", formatOption("summary"))
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print summary.json's or load.json's content (the json output in place of table)",
          }),
      async (args) => {
        exit.code = await (await commands.summary()).summaryCommand(args);
      },
    )
    .command(
      "report <run-dirs..>",
      "Write reports (report.md, report.html; see --format) for run directories from their logs alone; several: also one comparison page and table",
      (y) =>
        y
          .positional("run-dirs", { type: "string", array: true, demandOption: true })
          .option("format", formatOption("report"))
          .option("out-file", {
            type: "string",
            describe:
              "Where the report goes: a .html path takes the HTML page (report.html of one run directory, or the comparison page of several; default comparison.html), another path the Markdown (else printed). `-o report.html` does the same",
          })
          .option("label", {
            type: "string",
            array: true,
            describe:
              "Each run's name in a comparison, in the order of the directories (default: the directory's name)",
          }),
      async (args) => {
        exit.code = await (await commands.report()).reportCommand({
          runDirs: args.runDirs,
          format: args.format,
          outFile: args.outFile,
          label: args.label,
        });
      },
    )
    .command(
      "publish <run-dirs..>",
      "Build or update a static site of runs: each run's report, a trend page per suite, an index, history.json",
      (y) =>
        y
          .positional("run-dirs", { type: "string", array: true, demandOption: true })
          .option("site", {
            type: "string",
            demandOption: true,
            describe: "The site's folder (created or updated)",
          })
          .option("keep", {
            type: "number",
            describe: "Keep the reports of each suite's N newest runs (their points stay)",
          }),
      async (args) => {
        exit.code = await (await commands.publish()).publishCommand({
          runDirs: args.runDirs,
          site: args.site,
          keep: args.keep,
        });
      },
    )
    .command(
      "view [dir]",
      "Serve a run's report (or a folder of pages) on 127.0.0.1 and open it in the browser",
      (y) =>
        y
          .positional("dir", {
            type: "string",
            describe: "A run directory, or a folder with index.html (default: .)",
          })
          .option("port", { type: "number", describe: "Port to listen on (default: a free one)" })
          .option("open", {
            type: "boolean",
            default: true,
            describe: "Open the browser where there is a display (--no-open: don't)",
          }),
      async (args) => {
        exit.code = await (await commands.view()).viewCommand(args);
      },
    )
    .command(
      "merge <run-dirs..>",
      mergeCommandOptions.describe,
      mergeCommandOptions.builder,
      async (args) => {
        exit.code = await (await commands.merge()).mergeCommand(args);
      },
    )
    .command(
      "rescore <run-dir>",
      "Grade a run's recorded outputs again with a suite's current scorers (no model called) into a new run directory",
      (y) =>
        y
          .positional("run-dir", { type: "string", demandOption: true })
          .option("suite", {
            type: "string",
            describe: "Suite whose scorers grade the outputs (default: the run's suite file as it is now)",
          })
          .option("out", {
            type: "string",
            describe: "New run directory (default: <run-dir>-rescored-<time>)",
          })
          .option("format", formatOption("run"))
          .option("json", {
            type: "boolean",
            default: false,
            describe: "Print the summary as JSON on stdout (the json output in place of table)",
          }),
      async (args) => {
        exit.code = await (await import("./rescore-command.ts")).rescoreCommand(args);
      },
    )
    .command(
      "plan",
      "How many cases are needed to detect an accuracy difference between two models",
      (y) =>
        y
          .option("accuracy", { type: "number", default: 0.8, describe: "Baseline accuracy (0.8 or 80)" })
          .option("difference", {
            type: "number",
            default: 0.05,
            describe: "Difference to detect, absolute (0.05 or 5 points)",
          })
          .option("discordance", {
            type: "number",
            describe: "Share of cases where exactly one model is right (from a pilot run)",
          })
          .option("alpha", { type: "number", default: 0.05, describe: "Two-sided significance level" })
          .option("power", {
            type: "number",
            default: 0.8,
            describe: "Probability of detecting the difference",
          })
          .option("json", { type: "boolean", default: false }),
      async (args) => {
        exit.code = await (await commands.plan()).planCommand(args);
      },
    )
    .command(
      "schema",
      "Print the suite format as JSON Schema (for editor completion)",
      (y) => y.option("out", { type: "string", describe: "Write to this file instead of stdout" }),
      async (args) => {
        exit.code = await (await commands.schema()).schemaCommand(args.out);
      },
    )
    .command(
      "gate <run-dir>",
      "Check gates on a stored run (no model is called): exit 0 pass, 3 a gate failed, 4 too many failed calls",
      gateCommandOptions,
      async (args) => {
        exit.code = await (await commands.gate()).gateCommand(args);
      },
    )
    .command(
      "compare <a> <b>",
      "What changed from run a to run b, per model and task, with significance",
      compareCommandOptions,
      async (args) => {
        exit.code = await (await commands.compare()).compareCommand(args);
      },
    )
    .command(
      "baseline",
      "Save a run as the suite's named baseline (opbench baseline save <run-dir> --name main)",
      (y) =>
        baselineCommandOptions(y, async (args) => {
          exit.code = await (await commands.baseline()).baselineSaveCommand(args);
        }),
    )
    .demandCommand(
      1,
      "Name a command: run, load, init, validate, summary, report, rescore, merge, gate, compare, baseline, publish, view, plan or schema (see --help)",
    )
    .strict()
    .help()
    .alias("h", "help")
    .version("version", "Show the opbench version", OPBENCH_VERSION)
    .wrap(Math.min(110, process.stdout.columns || 110));
}

/**
 * yargs lays out a command's whole help text as the command starts, in case it fails later
 * (~20 ms of every run). opbench prints help only for a command line yargs could not parse,
 * which fails before any command starts, so the text is never used: it is not made.
 */
function withoutHelpCache(cli: Argv): Argv {
  type Usage = { cacheHelpMessage?: () => void };
  const internals = cli as unknown as { getInternalMethods?: () => { getUsageInstance?: () => Usage } };
  const usage = internals.getInternalMethods?.().getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
  return cli;
}

/** A command line yargs could not parse: help has been printed, exit code 2. */
class UsageError extends Error {}

export async function main(argv: string[]): Promise<number> {
  const exit = { code: EXIT.ok as number };
  try {
    await buildCli(argv, exit)
      .fail((message, error, y) => {
        if (error) throw error;
        y.showHelp((help: string) => process.stderr.write(`${help}\n\n`));
        process.stderr.write(`opbench: ${message}\n`);
        throw new UsageError(message);
      })
      .parseAsync();
  } catch (error) {
    if (error instanceof UsageError) return EXIT.badInput;
    process.stderr.write(
      `opbench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
  return exit.code;
}
