/** The flags of `opbench merge`, apart from the command so the CLI can parse without loading it. */
import type { Argv } from "yargs";
import { formatOption } from "./format-option.ts";

export const mergeCommandOptions = {
  describe:
    "Join the run directories of a sharded run (opbench run --shard i/n) into one run directory, as if run unsharded",
  builder: <T>(y: Argv<T>) =>
    y
      .positional("run-dirs", {
        type: "string",
        array: true,
        demandOption: true,
        describe: "The shards' run directories, every shard once (in any order)",
      })
      .option("out", {
        type: "string",
        demandOption: true,
        describe: "The merged run directory (new or empty)",
      })
      .option("allow-incomplete", {
        type: "boolean",
        default: false,
        describe:
          "Merge shards whose run did not complete (interrupted, failed, or cut off); the merged run says so",
      })
      .option("format", formatOption("merge"))
      .option("json", {
        type: "boolean",
        default: false,
        describe: "Print the summary as JSON on stdout (the json output in place of table)",
      }),
};
