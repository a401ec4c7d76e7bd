/** The flags of `opbench load`, apart from the command so the CLI can parse without loading it. */
import type { Argv } from "yargs";
import { formatOption } from "./format-option.ts";

/** The options of `opbench load` (register with `.command("load <suite>", …, loadCommandOptions, …)`). */
export function loadCommandOptions<T>(y: Argv<T>) {
  return y
    .positional("suite", {
      type: "string",
      demandOption: true,
      describe: "Suite YAML file (prompts: its cases)",
    })
    .option("model", {
      type: "string",
      describe:
        "Model id in the suite (default: load.model, else the first); or a .gguf path / llama-server URL",
    })
    .option("mode", {
      choices: ["concurrency", "rate"] as const,
      describe: "Closed loop (default) or open-loop Poisson rate",
    })
    .option("concurrency", {
      type: "string",
      describe: "Concurrency levels, e.g. 1,2,4,8 (default: double from 1 until throughput stops rising)",
    })
    .option("rates", {
      type: "string",
      describe: "Request rates in requests/s, e.g. 1,2,5 (implies --mode rate)",
    })
    .option("duration", { type: "string", describe: "Measuring time per step, e.g. 20s (default 20s)" })
    .option("requests", {
      type: "number",
      describe: "Measured requests per step (with --duration: whichever ends first)",
    })
    .option("warmup", {
      type: "number",
      describe: "Unmeasured requests at the start of each step (default 0)",
    })
    .option("slo", {
      type: "string",
      describe: "Objectives in ms for goodput, e.g. ttft_ms=500,tpot_ms=50,e2e_ms=5000",
    })
    .option("attainment", {
      type: "number",
      describe: "Fraction of calls that must meet the SLO (default 0.9)",
    })
    .option("max-concurrency", { type: "number", describe: "Top of the automatic doubling (default 64)" })
    .option("min-gain", {
      type: "number",
      describe: "Stop doubling below this throughput gain (default 0.05)",
    })
    .option("max-in-flight", { type: "number", describe: "Rate mode: cap on calls in flight (default 256)" })
    .option("max-tokens", {
      type: "number",
      describe: "Output token limit of every call (default: the task's)",
    })
    .option("workers", {
      type: "number",
      describe:
        "Make the calls in N threads, each with its own connection pool (default: the suite's workers, else 1)",
    })
    .option("seed", { type: "number", describe: "Seed of the Poisson arrival times (default 1)" })
    .option("server-metrics", {
      type: "boolean",
      describe: "Scrape llama-server /metrics around steps (default true)",
    })
    .option("out", { type: "string", describe: "Run directory (default: runs/<time>-<suite name>-load)" })
    .option("format", formatOption("load"))
    .option("json", {
      type: "boolean",
      default: false,
      describe: "Print load.json on stdout instead of the table (the json output in place of table)",
    });
}
