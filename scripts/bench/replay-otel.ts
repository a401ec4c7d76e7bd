/**
 * Issue 20's read rate on OTLP JSON GenAI spans: writes a synthetic OTLP log (lib/otel-log.ts)
 * and times the whole `opbench init --from <log> --sample 500` process from outside, with its
 * CPU time and peak RSS, one line per repetition. `--base DIR`: also a checkout at DIR (another
 * commit's bin/opbench.js), interleaved with this one, for paired figures on a busy machine.
 *
 *   node scripts/bench/replay-otel.ts [--shape genai|traced] [--calls 300000] [--reps 3] [--base DIR]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { assertExitedOk, runNodeMeasured } from "./lib/child.ts";
import { type OtelShape, writeSyntheticOtelLog } from "./lib/otel-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

const { values } = parseArgs({
  options: {
    shape: { type: "string", default: "genai" },
    calls: { type: "string", default: "300000" },
    reps: { type: "string", default: "3" },
    base: { type: "string" },
  },
});
const shape = values.shape as OtelShape;
if (shape !== "genai" && shape !== "traced") throw new Error("--shape is genai or traced");
const calls = Number(values.calls);
const dir = mkdtempSync(join(tmpdir(), "opbench-replay-otel-"));
try {
  const log = join(dir, `${shape}.jsonl`);
  await writeSyntheticOtelLog(log, calls, shape);
  const mb = statSync(log).size / 1e6;
  console.log(`${shape}: ${calls} GenAI calls, ${mb.toFixed(0)} MB`);
  console.log("| code | wall s | CPU s | peak RSS MB | calls/s | load (1 min) |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  const checkouts = values.base
    ? [["base", values.base] as const, ["this", REPO_ROOT] as const]
    : [["this", REPO_ROOT] as const];
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const [name, root] of checkouts) {
      const load = loadavg()[0]!.toFixed(1);
      const args = ["init", "--from", log, "--sample", "500", "--out", join(dir, `suite-${name}`), "--force"];
      const run = await runNodeMeasured(
        join(root, "bin", "opbench.js"),
        args,
        { timeoutMs: 600_000 },
        OPBENCH_NODE_FLAGS,
      );
      assertExitedOk(run, "opbench init --from");
      const cpu = run.cpuMs === null ? "?" : (run.cpuMs / 1000).toFixed(1);
      console.log(
        `| ${name} | ${(run.wallMs / 1000).toFixed(1)} | ${cpu} | ${run.peakRssMb?.toFixed(0) ?? "?"} | ${Math.round(calls / (run.wallMs / 1000))} | ${load} |`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
