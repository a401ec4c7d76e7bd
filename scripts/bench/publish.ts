/**
 * Issue 16, scale: `opbench publish` of 500 synthetic runs (one model, 50 calls each, a day
 * apart) into a new site, the whole process timed from outside with its peak RSS, and the size
 * of the index and of the trend page. Targets: ≤ 30 s, and each of those pages under 1 MB
 * whatever the number of runs (older runs drawn as weekly medians; every run in history.json).
 */
import { mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { assertExitedOk, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { callRecords, modelStart, runStart } from "./lib/synthetic-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

export interface PublishResult {
  runs: number;
  callsPerRun: number;
  wallMs: Spread | null;
  peakRssMb: Spread | null;
  cpuMs: Spread | null;
  /** index.html and the suite's trend page, MB (10^6 bytes), of the last repetition. */
  indexMb: number;
  trendMb: number;
}

/** Writes `runs` run directories under `dir`, a day apart; returns their paths. */
function writeRuns(dir: string, runs: number, calls: number): string[] {
  return Array.from({ length: runs }, (_, r) => {
    const runDir = join(dir, `run-${r}`);
    mkdirSync(runDir, { recursive: true });
    const start = {
      ...runStart({ records: calls, cases: calls }),
      run_id: `synthetic-${r}`,
      started_at: new Date(1_700_000_000_000 + r * 86_400_000).toISOString(),
    };
    const events = [start, modelStart()];
    for (let i = 0; i < calls; i++) events.push(...callRecords(i, calls));
    writeFileSync(join(runDir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    return runDir;
  });
}

export async function benchPublish(ctx: BenchContext): Promise<PublishResult> {
  const runs = ctx.smoke ? 20 : 500;
  const callsPerRun = 50;
  const dir = join(ctx.workDir, "publish");
  rmSync(dir, { recursive: true, force: true });
  ctx.log(`publish: writing ${runs} synthetic runs of ${callsPerRun} calls`);
  const dirs = writeRuns(join(dir, "runs"), runs, callsPerRun);
  const site = join(dir, "site");
  const measured = [];
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`publish: opbench publish of ${runs} runs, repetition ${rep + 1} of ${ctx.reps}`);
      rmSync(site, { recursive: true, force: true });
      const run = await runNodeMeasured(
        join(REPO_ROOT, "bin", "opbench.js"),
        ["publish", ...dirs, "--site", site],
        { maxStdout: 10_000 },
        OPBENCH_NODE_FLAGS,
      );
      assertExitedOk(run, "opbench publish");
      measured.push(run);
    }
    return {
      runs,
      callsPerRun,
      wallMs: spreadOf(measured, (r) => r.wallMs),
      peakRssMb: spreadOf(measured, (r) => r.peakRssMb),
      cpuMs: spreadOf(measured, (r) => r.cpuMs),
      indexMb: statSync(join(site, "index.html")).size / 1e6,
      trendMb: statSync(join(site, "suites", "synthetic", "index.html")).size / 1e6,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
