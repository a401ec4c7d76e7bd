/**
 * Issue 20, scale: `opbench init --from` over a synthetic chat-completions log of ~1 GB
 * (smoke: 20,000 lines), the whole process timed from outside with its peak RSS. Targets: ≥
 * 100,000 logged calls read per second, the 1 GB log sampled in under a minute with < 200 MB
 * peak RSS.
 */
import { mkdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
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
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`replay: opbench init --from (${logMb.toFixed(0)} MB), repetition ${rep + 1} of ${ctx.reps}`);
      const args = ["init", "--from", log, "--sample", "500", "--out", join(root, "suite"), "--force"];
      const run = await runNodeMeasured(
        BIN,
        args,
        { maxStdout: 100_000, timeoutMs: 600_000 },
        OPBENCH_NODE_FLAGS,
      );
      assertExitedOk(run, "opbench init --from");
      runs.push(run);
    }
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
  };
}
