/**
 * `opbench merge`: the shards of one run (`opbench run --shard i/n`) joined into one run
 * directory whose log holds every record of every shard, in the order an unsharded run writes
 * (see merge-order.ts), under one `run_start` that names the shards (`merged_from`) and one
 * `run_end`. The logs are streamed through an external sort (sorted-lines.ts) and the summary is
 * folded as the merged log is written, so memory does not grow with the number of calls.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync } from "node:fs";
import { basename, join } from "node:path";
import {
  LOG_VERSION,
  type LogEvent,
  type MergedShard,
  type RunEndEvent,
  type RunStartEvent,
} from "../core/records.ts";
import { EVENTS_FILE } from "../core/run-log.ts";
import { shardLabel, shardOfItem } from "../engine/shard.ts";
import { loadSummaryPlugins, type Summary, SummaryBuilder } from "../metrics/summary.ts";
import type { SuiteDescription } from "../suite/describe.ts";
import { MergeOrder } from "./merge-order.ts";
import { MergeInputError, type ShardRun } from "./shard-set.ts";
import { BatchedWriter, ExternalLineSorter, LineReader } from "./sorted-lines.ts";

export interface MergeOptions {
  /** Every shard once, by shard number (see checkShardSet). */
  runs: readonly ShardRun[];
  /** The merged run directory (absolute); it must hold no run yet. */
  outDir: string;
  /** Merge shards whose run did not complete; else they are refused. */
  allowIncomplete?: boolean;
  /** The merge's command line, recorded in the merged run_start. */
  argv?: string[];
  /** Memory budget of the external sort, UTF-16 units (tests make it small to exercise it). */
  chunkChars?: number;
  /** Hears what the user should know (shards of different opbench versions, incomplete shards). */
  warn?: (line: string) => void;
}

export interface MergeResult {
  summary: Summary;
  status: RunEndEvent["status"];
  /** Lines of the shards' logs in the merged log (run_start and run_end not counted). */
  events: number;
}

/** How a shard's log ended: `incomplete` when its last segment has no run_end (the process died). */
type ShardStatus = RunEndEvent["status"] | "incomplete";

/** What phase one learns of a shard while it sorts its lines. */
interface ShardFacts {
  segments: number;
  status: ShardStatus;
  endedAt: string | null;
}

const SEVERITY: ShardStatus[] = ["completed", "budget_reached", "interrupted", "incomplete", "failed"];

export async function mergeShardRuns(options: MergeOptions): Promise<MergeResult> {
  const { runs, outDir } = options;
  const warn = options.warn ?? (() => {});
  const first = runs[0]!.start;
  const description = isSuiteDescription(first.suite.resolved) ? first.suite.resolved : null;
  const order = new MergeOrder(description);
  mkdirSync(outDir, { recursive: true });
  const sorter = new ExternalLineSorter(join(outDir, ".opbench-merge-tmp"), options.chunkChars);
  const partial = join(outDir, `${EVENTS_FILE}.partial`);
  try {
    const facts: ShardFacts[] = [];
    let events = 0;
    for (const run of runs) {
      const fact = await sortShard(run, order, sorter, warn);
      events += fact.lines;
      facts.push(fact);
    }
    const versions = new Set(runs.map((r) => r.start.opbench_version));
    if (versions.size > 1) {
      warn(`the shards were run by different opbench versions (${[...versions].join(", ")})`);
    }
    const status = mergedStatus(runs, facts, options.allowIncomplete === true, warn);
    const start = mergedStart(runs, facts, outDir, options.argv ?? []);
    await loadSummaryPlugins();
    const builder = new SummaryBuilder();
    const fd = openSync(partial, "w");
    try {
      const out = new BatchedWriter(fd);
      const write = (event: LogEvent) => {
        out.write(`${JSON.stringify(event)}\n`);
        builder.add(event);
      };
      write(start);
      for (const line of sorter.sorted()) {
        out.write(`${line}\n`);
        builder.add(JSON.parse(line) as LogEvent);
      }
      const ends = facts.map((f) => f.endedAt).filter((at): at is string => at !== null);
      write({
        v: LOG_VERSION,
        type: "run_end",
        at: ends.sort().at(-1) ?? new Date().toISOString(),
        status: status.status,
        ...(status.message && { message: status.message }),
      });
      out.flush();
    } finally {
      closeSync(fd);
    }
    renameSync(partial, join(outDir, EVENTS_FILE));
    return { summary: builder.result(), status: status.status, events };
  } finally {
    sorter.dispose();
    rmSync(partial, { force: true });
  }
}

/** Phase one for one shard: every line but run_start and run_end handed to the sorter by its key. */
async function sortShard(
  run: ShardRun,
  order: MergeOrder,
  sorter: ExternalLineSorter,
  warn: (line: string) => void,
): Promise<ShardFacts & { lines: number }> {
  const { index, count } = run.shard;
  const facts: ShardFacts & { lines: number } = {
    segments: 0,
    status: "incomplete",
    endedAt: null,
    lines: 0,
  };
  const lines = new LineReader(join(run.dir, EVENTS_FILE));
  let lineNumber = 0;
  try {
    for (let line = lines.read(); line !== undefined; line = lines.read()) {
      lineNumber++;
      if (line.length === 0) continue;
      let event: LogEvent;
      try {
        event = JSON.parse(line) as LogEvent;
      } catch {
        warn(
          `${run.shown}/${EVENTS_FILE}: line ${lineNumber} is not JSON (cut off mid-write?); it was skipped`,
        );
        continue;
      }
      if (typeof event.v === "number" && event.v > LOG_VERSION) {
        throw new MergeInputError(
          `${run.shown}/${EVENTS_FILE} line ${lineNumber} was written by a newer opbench (log version ${event.v}): upgrade opbench to merge it`,
        );
      }
      switch (event.type) {
        case "run_start":
          facts.segments++;
          facts.status = "incomplete";
          if (event.suite.hash !== run.start.suite.hash || event.shard?.index !== index) {
            throw new MergeInputError(
              `${run.shown}/${EVENTS_FILE} line ${lineNumber}: a segment of another suite or shard was appended to this run`,
            );
          }
          continue;
        case "run_end":
          facts.status = event.status;
          facts.endedAt = event.at;
          continue;
        case "call":
          if (!event.warmup && shardOfItem(event.item, count) !== index) {
            throw new MergeInputError(
              `${run.shown} (shard ${shardLabel(run.shard)}) holds call ${event.item}, which belongs to shard ` +
                `${shardOfItem(event.item, count)}/${count}: it was not split the way this opbench splits runs`,
            );
          }
          break;
        default:
          if (event.type.startsWith("load_")) {
            throw new MergeInputError(`${run.shown} is a load sweep (opbench load): only runs are merged`);
          }
      }
      sorter.add(order.key(event, index, lineNumber), line);
      facts.lines++;
    }
  } finally {
    lines.close();
  }
  return facts;
}

/**
 * The merged run's status: completed when every shard completed; else the worst of theirs, with
 * the shards named. Shards that did not complete are refused unless `allowIncomplete`.
 */
function mergedStatus(
  runs: readonly ShardRun[],
  facts: readonly ShardFacts[],
  allowIncomplete: boolean,
  warn: (line: string) => void,
): { status: RunEndEvent["status"]; message?: string } {
  const unfinished = runs
    .map((run, i) => ({ run, status: facts[i]!.status }))
    .filter(({ status }) => status !== "completed");
  if (unfinished.length === 0) return { status: "completed" };
  const said = unfinished.map(
    ({ run, status }) => `shard ${shardLabel(run.shard)} (${run.shown}): ${status}`,
  );
  if (!allowIncomplete) {
    const resume = unfinished.map(({ run }) => `opbench run --resume ${run.shown}`).join("; ");
    throw new MergeInputError(
      `not every shard completed:\n  ${said.join("\n  ")}\nfinish them first (${resume}), or merge ` +
        "what there is with --allow-incomplete",
    );
  }
  warn(`merging shards that did not complete: ${said.join("; ")}`);
  const worst = unfinished
    .map(({ status }) => status)
    .sort((a, b) => SEVERITY.indexOf(b) - SEVERITY.indexOf(a))[0]!;
  return {
    status: worst === "incomplete" ? "interrupted" : worst,
    message: `merged with shards that did not complete: ${said.join("; ")}`,
  };
}

/** The merged run's run_start: the first shard's, named after the merged directory, with `merged_from`. */
function mergedStart(
  runs: readonly ShardRun[],
  facts: readonly ShardFacts[],
  outDir: string,
  argv: string[],
): RunStartEvent {
  const { shard: _shard, max_cost_usd: _maxCost, ...first } = runs[0]!.start;
  const mergedFrom: MergedShard[] = runs.map((run, i) => ({
    shard: run.shard.index,
    run_id: run.start.run_id,
    started_at: run.start.started_at,
    segments: facts[i]!.segments,
    status: facts[i]!.status === "incomplete" ? "interrupted" : (facts[i]!.status as RunEndEvent["status"]),
    host: run.start.host,
  }));
  return {
    ...first,
    run_id: basename(outDir),
    started_at: runs.map((r) => r.start.started_at).sort()[0]!,
    resumed: false,
    argv,
    merged_from: mergedFrom,
  };
}

function isSuiteDescription(value: unknown): value is SuiteDescription {
  const v = value as Partial<SuiteDescription> | null;
  return typeof v === "object" && v !== null && Array.isArray(v.models) && Array.isArray(v.tasks);
}
