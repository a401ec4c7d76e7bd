/**
 * Issue 20, scale: `opbench init --from` over a synthetic chat-completions log of ~1 GB
 * (smoke: 20,000 lines), and over the two batch formats' requests + results files of 300,000
 * calls each (smoke: 5,000), the whole process timed from outside with its peak RSS. Targets: ≥
 * 100,000 logged calls read per second, the 1 GB log sampled in under a minute with < 200 MB
 * peak RSS.
 */
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { type BatchFormat, writeSyntheticBatch } from "./lib/replay-batch-log.ts";
import { writeSyntheticLog } from "./lib/replay-log.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

export interface ReplayBenchResult {
  lines: number;
  logMb: number;
  wallMs: Spread | null;
  cpuMs: Spread | null;
  peakRssMb: Spread | null;
  /** Logged calls read per second of wall time (whole process, start-up included). */
  callsPerS: Spread | null;
  /** Logged calls read per second of the process's CPU time (less sensitive to a busy machine). */
  callsPerCpuS: Spread | null;
  /** The batch formats (requests and results files), each its own log. */
  batch?: ReplayBatchResult[];
}

export interface ReplayBatchResult {
  format: BatchFormat;
  calls: number;
  logMb: number;
  wallMs: Spread | null;
  cpuMs: Spread | null;
  peakRssMb: Spread | null;
  callsPerS: Spread | null;
  callsPerCpuS: Spread | null;
}

const initArgs = (from: string[], out: string) => [
  "init",
  ...from.flatMap((file) => ["--from", file]),
  "--sample",
  "500",
  "--out",
  out,
  "--force",
];

async function timedInit(from: string[], out: string): Promise<MeasuredRun> {
  const run = await runNodeMeasured(
    BIN,
    initArgs(from, out),
    { maxStdout: 100_000, timeoutMs: 600_000 },
    OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, "opbench init --from");
  return run;
}

/** Each batch format's log of `calls` requests, timed `reps` times. */
async function benchBatches(ctx: BenchContext, root: string, calls: number): Promise<ReplayBatchResult[]> {
  const results: ReplayBatchResult[] = [];
  for (const format of ["openai-batch", "anthropic-batch"] as const) {
    const requests = join(root, `${format}-requests.jsonl`);
    const answers = join(root, `${format}-results.jsonl`);
    ctx.log(`replay: writing a synthetic ${format} log of ${calls} calls`);
    await writeSyntheticBatch(format, requests, answers, calls);
    const logMb = (statSync(requests).size + statSync(answers).size) / 1e6;
    const runs: MeasuredRun[] = [];
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`replay: opbench init --from ${format} (${logMb.toFixed(0)} MB), repetition ${rep + 1}`);
      runs.push(await timedInit([requests, answers], join(root, "suite")));
    }
    rmSync(requests, { force: true });
    rmSync(answers, { force: true });
    results.push({
      format,
      calls,
      logMb,
      wallMs: spreadOf(runs, (r) => r.wallMs),
      cpuMs: spreadOf(runs, (r) => r.cpuMs),
      peakRssMb: spreadOf(runs, (r) => r.peakRssMb),
      callsPerS: spreadOf(runs, (r) => calls / (r.wallMs / 1000)),
      callsPerCpuS: spreadOf(runs, (r) => (r.cpuMs ? calls / (r.cpuMs / 1000) : null)),
    });
  }
  return results;
}

const BIN = join(REPO_ROOT, "bin", "opbench.js");

export async function benchReplay(ctx: BenchContext): Promise<ReplayBenchResult> {
  // ~786 bytes a line: 1,300,000 lines is about 1 GB.
  const lines = ctx.smoke ? 20_000 : 1_300_000;
  const root = join(ctx.workDir, "replay");
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const log = join(root, "traffic.jsonl");
  ctx.log(`replay: writing a synthetic log of ${lines} calls`);
  await writeSyntheticLog(log, lines);
  const logMb = statSync(log).size / 1e6;
  const runs: MeasuredRun[] = [];
  let batch: ReplayBatchResult[] | undefined;
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`replay: opbench init --from (${logMb.toFixed(0)} MB), repetition ${rep + 1} of ${ctx.reps}`);
      runs.push(await timedInit([log], join(root, "suite")));
    }
    rmSync(log, { force: true });
    batch = await benchBatches(ctx, root, ctx.smoke ? 5_000 : 300_000);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    lines,
    logMb,
    wallMs: spreadOf(runs, (r) => r.wallMs),
    cpuMs: spreadOf(runs, (r) => r.cpuMs),
    peakRssMb: spreadOf(runs, (r) => r.peakRssMb),
    callsPerS: spreadOf(runs, (r) => lines / (r.wallMs / 1000)),
    callsPerCpuS: spreadOf(runs, (r) => (r.cpuMs ? lines / (r.cpuMs / 1000) : null)),
    ...(batch && { batch }),
  };
}
