/**
 * Issue 13, scale-out: `opbench merge` of 10 shards. Synthetic shard logs (one model, one task,
 * every call its own case, 1% of calls retried once) are split by opbench's own shard hash, so
 * each shard holds about calls ÷ 10 calls; the whole `opbench merge DIRS --out DIR -o
 * summary-json` process is timed from outside and its peak RSS read by the memory benchmark's
 * hook. Several sizes, so "flat" can be read off: past the external sort's memory budget the
 * peak should not grow with the calls.
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { shardOfItem } from "../../src/engine/shard.ts";
import { BatchedWriter } from "../../src/merge/sorted-lines.ts";
import { assertExitedOk, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { callRecords, modelStart, runStart } from "./lib/synthetic-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

export interface MergeSize {
  shards: number;
  /** Measured calls over all shards (records: a little more, with the retried attempts). */
  calls: number;
  /** Fewest and most calls in one shard. */
  perShard: [number, number];
  /** The shards' events.jsonl together, MB (10^6 bytes). */
  logsMb: number;
  /** Spawn → exit of `opbench merge … -o summary-json`, ms, over repetitions. */
  wallMs: Spread | null;
  peakRssMb: Spread | null;
  /** User + system CPU time of the process, ms: less sensitive than wall time to a busy machine. */
  cpuMs: Spread | null;
}

export interface MergeResult {
  sizes: MergeSize[];
}

const SHARDS = 10;

/** Writes `shards` shard run directories under `dir` holding `calls` calls in all; returns their sizes. */
export function writeShardLogs(dir: string, calls: number, shards: number) {
  const spec = { records: calls, cases: calls };
  const writers = Array.from({ length: shards }, (_, i) => {
    const shardDir = join(dir, `shard-${i + 1}`);
    mkdirSync(shardDir, { recursive: true });
    const fd = openSync(join(shardDir, "events.jsonl"), "w");
    const out = new BatchedWriter(fd);
    const start = { ...runStart(spec), run_id: `shard-${i + 1}`, shard: { index: i + 1, count: shards } };
    out.write(`${JSON.stringify(start)}\n${JSON.stringify(modelStart())}\n`);
    return { fd, out, calls: 0 };
  });
  for (let i = 0; i < calls; i++) {
    const records = callRecords(i, calls);
    const writer = writers[shardOfItem(records[0]!.item, shards) - 1]!;
    writer.calls++;
    for (const record of records) writer.out.write(`${JSON.stringify(record)}\n`);
  }
  const end = { v: 1, type: "run_end", at: new Date(1_800_000_000_000).toISOString(), status: "completed" };
  for (const w of writers) {
    w.out.write(`${JSON.stringify(end)}\n`);
    w.out.flush();
    closeSync(w.fd);
  }
  const counts = writers.map((w) => w.calls);
  const bytes = writers.reduce(
    (sum, _, i) => sum + statSync(join(dir, `shard-${i + 1}`, "events.jsonl")).size,
    0,
  );
  return { perShard: [Math.min(...counts), Math.max(...counts)] as [number, number], logsMb: bytes / 1e6 };
}

export async function benchMerge(ctx: BenchContext): Promise<MergeResult> {
  // 100,000 calls is the size; 10,000 fits the sort's memory budget, 300,000 is 3× past it.
  const totals = ctx.smoke ? [1_000] : [10_000, 100_000, 300_000];
  const sizes: MergeSize[] = [];
  for (const calls of totals) {
    const dir = join(ctx.workDir, "merge", String(calls));
    rmSync(dir, { recursive: true, force: true });
    ctx.log(`merge: writing ${SHARDS} synthetic shards of ${calls / SHARDS} calls each (about)`);
    const { perShard, logsMb } = writeShardLogs(dir, calls, SHARDS);
    const shardDirs = Array.from({ length: SHARDS }, (_, i) => join(dir, `shard-${i + 1}`));
    const runs = [];
    try {
      for (let rep = 0; rep < ctx.reps; rep++) {
        ctx.log(`merge: ${calls} calls, repetition ${rep + 1} of ${ctx.reps}`);
        const out = join(dir, "merged");
        rmSync(out, { recursive: true, force: true });
        const run = await runNodeMeasured(
          join(REPO_ROOT, "bin", "opbench.js"),
          ["merge", ...shardDirs, "--out", out, "-o", "summary-json"],
          { maxStdout: 10_000 },
          OPBENCH_NODE_FLAGS,
        );
        assertExitedOk(run, "opbench merge");
        runs.push(run);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    sizes.push({
      shards: SHARDS,
      calls,
      perShard,
      logsMb,
      wallMs: spreadOf(runs, (r) => r.wallMs),
      peakRssMb: spreadOf(runs, (r) => r.peakRssMb),
      cpuMs: spreadOf(runs, (r) => r.cpuMs),
    });
  }
  return { sizes };
}
