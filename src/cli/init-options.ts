/** The flags of `opbench init`, apart from the command so the CLI can parse without loading it. */
import type { Argv } from "yargs";

/** The options of `opbench init` (a data file, or `--from` logged API calls). */
export function initCommandOptions<T>(y: Argv<T>) {
  return y
    .positional("data", { type: "string", describe: "Your data: .csv (header row) or .jsonl" })
    .option("task", {
      choices: ["classify", "extract", "generate"] as const,
      describe: "The kind of task (default: guessed from the answers)",
    })
    .option("answer", {
      type: "string",
      describe: "Column holding the expected answer (default: guessed)",
    })
    .option("input", { type: "string", describe: "Column holding the input text (default: guessed)" })
    .option("out", {
      type: "string",
      describe:
        "Suite file to write (default: <data name>.suite.yaml, or suite.yaml); with --from, the folder (default: <log name>-replay)",
    })
    .option("from", {
      type: "string",
      array: true,
      describe: "Logged API calls to replay (a batch's requests and results: --from twice)",
    })
    .option("format", {
      choices: [
        "auto",
        "openai-batch",
        "openai-chat",
        "openai-responses",
        "anthropic-batch",
        "otel",
      ] as const,
      default: "auto" as const,
      describe: "Log format of --from (default: detected from the content)",
    })
    .option("sample", {
      type: "number",
      default: 500,
      describe: "Cases to draw from the log (stratified)",
    })
    .option("seed", { type: "number", default: 1, describe: "Seed of the --sample draw" })
    .option("redact", {
      type: "boolean",
      default: false,
      describe: "Replace e-mails, phones, card numbers, IBANs and IPs before anything is written",
    })
    .option("redact-pattern", {
      type: "string",
      array: true,
      describe: "Also replace matches of this regular expression (with --redact; repeatable)",
    })
    .option("judge", {
      type: "string",
      describe:
        "With --from: an LLM judge for free-text tasks, comparing each answer with the recorded one (gpt-4.1, or anthropic:claude-sonnet-4-5)",
    })
    .option("yes", { type: "boolean", default: false, describe: "Take every guess; ask nothing" })
    .option("force", {
      type: "boolean",
      default: false,
      describe: "Overwrite the suite file if it exists",
    });
}
