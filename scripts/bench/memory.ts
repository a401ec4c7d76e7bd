/**
 * Point 2, memory: `opbench summary` over synthetic logs of 1,000 to 1,000,000 call records, in
 * two shapes (every record its own case; 1,000 cases repeated), measuring peak RSS. Flat RSS
 * across sizes means aggregates are computed in one streaming pass.
 */
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { assertExitedOk, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { writeSyntheticLog } from "./lib/synthetic-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT, runOpbenchSummary } from "./lib/tools.ts";

export interface SummaryMemory {
  records: number;
  cases: number;
  logMb: number;
  peakRssMb: number | null;
  wallMs: number;
}

export interface MemoryResult {
  /** `node -e ""`: the floor of any Node process here, MB. */
  nodeBaselineRssMb: number | null;
  /** `opbench --help`: the CLI's modules loaded, nothing done, MB. */
  cliBaselineRssMb: number | null;
  summaries: SummaryMemory[];
}

export async function benchMemory(ctx: BenchContext): Promise<MemoryResult> {
  const empty = await runNodeMeasured("-e", [""], {}, []);
  const help = await runNodeMeasured(
    join(REPO_ROOT, "bin", "opbench.js"),
    ["--help"],
    { maxStdout: 10_000 },
    OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(help, "opbench --help");
  const sizes = ctx.smoke ? [1_000, 10_000] : [1_000, 10_000, 100_000, 1_000_000];
  const summaries: SummaryMemory[] = [];
  for (const records of sizes) {
    const shapes = records <= 1_000 ? [records] : [records, 1_000];
    for (const cases of shapes) {
      const dir = join(ctx.workDir, "memory", `${records}-${cases}`);
      ctx.log(`memory: summary of ${records} records over ${cases} cases`);
      rmSync(dir, { recursive: true, force: true });
      writeSyntheticLog(dir, { records, cases });
      const logMb = statSync(join(dir, "events.jsonl")).size / 1e6;
      const run = await runOpbenchSummary(dir);
      summaries.push({ records, cases, logMb, peakRssMb: run.peakRssMb, wallMs: run.wallMs });
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { nodeBaselineRssMb: empty.peakRssMb, cliBaselineRssMb: help.peakRssMb, summaries };
}
