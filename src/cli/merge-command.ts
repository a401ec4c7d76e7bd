/**
 * `opbench merge <dirs…> --out DIR`: the run directories of a sharded run joined into one, with
 * the outputs `opbench run` produces (summary.json, report.md, report.html, the step summary and
 * the table by default). Refuses, with exit code 2, shards of different suites or overrides,
 * shards given twice or missing (named), and shards that did not complete (unless
 * `--allow-incomplete`).
 */
import { existsSync, readdirSync, rmdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { EVENTS_FILE } from "../core/run-log.ts";
import { mergeShardRuns } from "../merge/merge-runs.ts";
import { checkShardSet, MergeInputError, readShardRun, type ShardRun } from "../merge/shard-set.ts";
import { chooseOutputs, type FormatArgs, produceAndList } from "./outputs.ts";

export interface MergeArgs extends FormatArgs {
  runDirs: readonly string[];
  out: string;
  allowIncomplete?: boolean | undefined;
}

export async function mergeCommand(args: MergeArgs): Promise<number> {
  const say = (line: string) => process.stderr.write(`opbench: ${line}\n`);
  let outputs: SelectedOutput[];
  let runs: ShardRun[];
  const outDir = resolve(args.out);
  try {
    outputs = chooseOutputs("run", args);
    if (existsSync(join(outDir, EVENTS_FILE))) {
      throw new MergeInputError(
        `--out ${args.out} already holds a run (${EVENTS_FILE}); merge into a new or empty directory`,
      );
    }
    runs = checkShardSet(args.runDirs.map((shown) => readShardRun(resolve(shown), shown)));
  } catch (error) {
    say((error as Error).message);
    return 2;
  }
  const outExisted = existsSync(outDir);
  try {
    const merged = await mergeShardRuns({
      runs,
      outDir,
      allowIncomplete: args.allowIncomplete === true,
      argv: process.argv.slice(2),
      warn: say,
    });
    process.stderr.write(
      `Merged ${runs.length} shard${runs.length > 1 ? "s" : ""} of ${runs[0]!.start.suite.name} ` +
        `(${merged.events} events, status ${merged.status}) → ${outDir}\n`,
    );
    await produceAndList(outputs, "run", { runDir: outDir, summary: merged.summary });
    return 0;
  } catch (error) {
    if (!(error instanceof MergeInputError)) throw error;
    say(error.message);
    // Leave no empty directory behind where there was none.
    if (!outExisted && existsSync(outDir) && readdirSync(outDir).length === 0) rmdirSync(outDir);
    return 2;
  }
}
