/**
 * The shards given to `opbench merge`: each directory's first `run_start` read, and the set
 * checked before anything is merged. Every shard of one run of one suite must be there once:
 * the same suite hash, the same command-line overrides, the same number of shards.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import stableStringify from "safe-stable-stringify";
import { LOG_VERSION, type RunStartEvent } from "../core/records.ts";
import { EVENTS_FILE } from "../core/run-log.ts";
import { type Shard, shardLabel } from "../engine/shard.ts";

/** Input `opbench merge` refuses (exit code 2): the message names the directories and shards. */
export class MergeInputError extends Error {
  override name = "MergeInputError";
}

/** A shard's run directory with the start of its run. */
export interface ShardRun {
  /** Absolute path. */
  dir: string;
  /** As the user gave it, for messages. */
  shown: string;
  start: RunStartEvent;
  shard: Shard;
}

/** The first line of `path` (a run log's run_start), read in 64 KiB pieces up to the first newline. */
function firstLine(path: string): string {
  const fd = openSync(path, "r");
  try {
    const parts: Buffer[] = [];
    const piece = Buffer.alloc(64 * 1024);
    for (;;) {
      const read = readSync(fd, piece, 0, piece.length, null);
      if (read === 0) break;
      const newline = piece.subarray(0, read).indexOf(0x0a);
      if (newline >= 0) {
        parts.push(Buffer.from(piece.subarray(0, newline)));
        break;
      }
      parts.push(Buffer.from(piece.subarray(0, read)));
    }
    return Buffer.concat(parts).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Reads the start of the shard run in `dir`; throws MergeInputError when it is none. */
export function readShardRun(dir: string, shown: string): ShardRun {
  const path = join(dir, EVENTS_FILE);
  if (!existsSync(path)) throw new MergeInputError(`${shown} has no ${EVENTS_FILE}; is it a run directory?`);
  let start: RunStartEvent | undefined;
  try {
    const event = JSON.parse(firstLine(path)) as RunStartEvent;
    if (event?.type === "run_start") start = event;
  } catch {
    // said below
  }
  if (!start) {
    throw new MergeInputError(
      `${shown}/${EVENTS_FILE} does not start with a run_start event: not an opbench run`,
    );
  }
  if (typeof start.v === "number" && start.v > LOG_VERSION) {
    throw new MergeInputError(
      `${shown}/${EVENTS_FILE} was written by a newer opbench (log version ${start.v}; this opbench reads ` +
        `version ${LOG_VERSION}): upgrade opbench to merge it`,
    );
  }
  if (start.merged_from) {
    throw new MergeInputError(`${shown} is already a merged run: merge the shards' own run directories`);
  }
  if (!start.shard) {
    throw new MergeInputError(
      `${shown} was not run with --shard, so it is no shard of a run: merge the directories of ` +
        "`opbench run --shard i/n` (every i from 1 to n)",
    );
  }
  return { dir, shown, start, shard: start.shard };
}

const hash12 = (run: ShardRun) => run.start.suite.hash.slice(0, 12);
const named = (run: ShardRun) => `${run.shown} (shard ${shardLabel(run.shard)})`;

/**
 * Checks that `runs` are every shard of one run of one suite, once; returns them by shard
 * number. Throws MergeInputError naming what differs, what is given twice and what is missing.
 */
export function checkShardSet(runs: readonly ShardRun[]): ShardRun[] {
  const first = runs[0];
  if (!first) throw new MergeInputError("no run directory to merge");
  const problems: string[] = [];
  const otherSuite = runs.filter((r) => r.start.suite.hash !== first.start.suite.hash);
  if (otherSuite.length > 0) {
    const lines = runs.map((r) => `  ${named(r)}: suite ${r.start.suite.name}, hash ${hash12(r)}`);
    throw new MergeInputError(
      `shards of different suites (suite hashes differ); merge only the shards of one run of one suite:\n${lines.join("\n")}`,
    );
  }
  const overrides = (r: ShardRun) => stableStringify(r.start.suite.overrides ?? {});
  const otherOverrides = runs.filter((r) => overrides(r) !== overrides(first));
  if (otherOverrides.length > 0) {
    const lines = runs.map((r) => `  ${named(r)}: ${overrides(r)}`);
    throw new MergeInputError(
      `the shards were run with different command-line overrides (--model, --limit, --repeats …), so they ` +
        `do not split one plan:\n${lines.join("\n")}`,
    );
  }
  const count = first.shard.count;
  const otherCount = runs.filter((r) => r.shard.count !== count);
  if (otherCount.length > 0) {
    const lines = runs.map((r) => `  ${named(r)}`);
    throw new MergeInputError(
      `the shards split the run into different numbers of shards:\n${lines.join("\n")}`,
    );
  }
  const byIndex = new Map<number, ShardRun[]>();
  for (const run of runs) byIndex.set(run.shard.index, [...(byIndex.get(run.shard.index) ?? []), run]);
  for (const [index, given] of [...byIndex].sort(([a], [b]) => a - b)) {
    if (given.length > 1) {
      problems.push(
        `shard ${index}/${count} is given ${given.length} times: ${given.map((r) => r.shown).join(", ")}`,
      );
    }
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    problems.push(
      `missing shard${missing.length > 1 ? "s" : ""} ${missing.map((i) => `${i}/${count}`).join(", ")} ` +
        `of suite ${first.start.suite.name} (hash ${hash12(first)}): a merge needs all ${count}`,
    );
  }
  if (problems.length > 0) throw new MergeInputError(problems.join("\n"));
  return [...runs].sort((a, b) => a.shard.index - b.shard.index);
}
