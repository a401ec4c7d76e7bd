/**
 * Issue 13, scale: `opbench gate B --baseline A` (an accuracy drop, a p95 rise and an absolute
 * threshold) and `opbench compare A B` over two synthetic runs of 100,000 calls each (every call
 * its own case, so the paired test joins 100,000 cases), each whole process timed from outside
 * with its peak RSS. Both runs have the summary.json `opbench run` leaves, as a CI job's would;
 * per-case scores come from their logs. Target: ≤ 3 s each.
 */
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { writeSyntheticLog } from "./lib/synthetic-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

export interface GateBenchResult {
  /** Call records in each synthetic log. */
  records: number;
  logMb: number;
  /** Wall time, user + system CPU time (less sensitive to a busy machine) and peak RSS of each command. */
  gate: Measured;
  compare: Measured;
}

interface Measured {
  wallMs: Spread | null;
  cpuMs: Spread | null;
  peakRssMb: Spread | null;
}

const measured = (runs: readonly MeasuredRun[]): Measured => ({
  wallMs: spreadOf(runs, (r) => r.wallMs),
  cpuMs: spreadOf(runs, (r) => r.cpuMs),
  peakRssMb: spreadOf(runs, (r) => r.peakRssMb),
});

const BIN = join(REPO_ROOT, "bin", "opbench.js");

async function opbench(args: string[], exitCodes: readonly number[]): Promise<MeasuredRun> {
  const run = await runNodeMeasured(BIN, args, { maxStdout: 100_000 }, OPBENCH_NODE_FLAGS);
  if (!exitCodes.includes(run.exitCode ?? -1)) assertExitedOk(run, `opbench ${args[0]}`);
  return run;
}

export async function benchGate(ctx: BenchContext): Promise<GateBenchResult> {
  const records = ctx.smoke ? 1_000 : 100_000;
  const root = join(ctx.workDir, "gate", String(records));
  rmSync(root, { recursive: true, force: true });
  const a = join(root, "a");
  const b = join(root, "b");
  ctx.log(`gate: writing two synthetic runs of ${records} calls`);
  writeSyntheticLog(a, { records, cases: records });
  writeSyntheticLog(b, { records, cases: records });
  for (const dir of [a, b]) await opbench(["summary", dir, "-o", "summary-json"], [0]);
  const logMb = statSync(join(a, "events.jsonl")).size / 1e6;
  const gates: MeasuredRun[] = [];
  const compares: MeasuredRun[] = [];
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`gate: opbench gate and compare, repetition ${rep + 1} of ${ctx.reps}`);
      const gateArgs = ["gate", b, "--baseline", a, "-o", "summary-json"];
      for (const gate of ["accuracy drop <= 1 points", "p95 e2e_ms rise <= 10%", "accuracy >= 0.5"]) {
        gateArgs.push("--gate", gate);
      }
      // 0 or 3: whether the synthetic runs pass is not what is measured.
      gates.push(await opbench(gateArgs, [0, 3]));
      compares.push(await opbench(["compare", a, b], [0]));
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return {
    records,
    logMb,
    gate: measured(gates),
    compare: measured(compares),
  };
}
