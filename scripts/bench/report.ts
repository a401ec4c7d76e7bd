/**
 * Issue 12, scale: `opbench report DIR -o html` over a finished synthetic run of 100,000 calls
 * (every call its own case; its summary.json written first, as a run leaves it), the whole
 * process timed from outside, its peak RSS reported by the same hook the
 * memory benchmark uses, and the size of the report.html it wrote. Targets: ≤ 5 s, ≤ 200 MB peak
 * RSS, and an HTML file under 3 MB whatever the run's size.
 */
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertExitedOk, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { writeSyntheticLog } from "./lib/synthetic-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

export interface ReportResult {
  /** Call records in the synthetic log. */
  records: number;
  logMb: number;
  /** Spawn → exit of `opbench report DIR -o html`, ms, over repetitions. */
  wallMs: Spread | null;
  peakRssMb: Spread | null;
  /** Size of report.html, MB (10^6 bytes), of the last repetition. */
  htmlMb: number;
}

export async function benchReport(ctx: BenchContext): Promise<ReportResult> {
  const records = ctx.smoke ? 1_000 : 100_000;
  const dir = join(ctx.workDir, "report", String(records));
  rmSync(dir, { recursive: true, force: true });
  ctx.log(`report: writing a synthetic run of ${records} calls`);
  writeSyntheticLog(dir, { records, cases: records });
  const logMb = statSync(join(dir, "events.jsonl")).size / 1e6;
  // A finished run has its summary.json (written as the run ends), which `report` reads instead
  // of folding the log again: write it, untimed, as the run would have.
  assertExitedOk(
    await runNodeMeasured(
      join(REPO_ROOT, "bin", "opbench.js"),
      ["summary", dir, "-o", "summary-json"],
      { maxStdout: 10_000 },
      OPBENCH_NODE_FLAGS,
    ),
    "opbench summary",
  );
  const runs = [];
  let htmlMb = 0;
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`report: opbench report -o html, repetition ${rep + 1} of ${ctx.reps}`);
      const html = join(dir, "report.html");
      rmSync(html, { force: true });
      const run = await runNodeMeasured(
        join(REPO_ROOT, "bin", "opbench.js"),
        ["report", dir, "-o", "html"],
        { maxStdout: 10_000 },
        OPBENCH_NODE_FLAGS,
      );
      assertExitedOk(run, "opbench report");
      htmlMb = statSync(html).size / 1e6;
      runs.push(run);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    records,
    logMb,
    wallMs: spreadOf(runs, (r) => r.wallMs),
    peakRssMb: spreadOf(runs, (r) => r.peakRssMb),
    htmlMb,
  };
}
