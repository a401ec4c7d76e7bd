/**
 * Issue 20's read rate on OTLP JSON GenAI spans: writes a synthetic OTLP log (lib/otel-log.ts)
 * and times the whole `opbench init --from <log> --sample 500` process from outside, with its
 * CPU time and peak RSS, one line per repetition. `--base DIR`: also a checkout at DIR (another
 * commit's bin/opbench.js), interleaved with this one, for paired figures on a busy machine.
 *
 *   node scripts/bench/replay-otel.ts [--shape genai|traced] [--calls 300000] [--reps 3] [--base DIR]
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkoutsToTime, timeInit } from "./lib/init-run.ts";
import { type OtelShape, writeSyntheticOtelLog } from "./lib/otel-log.ts";

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
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const [name, root] of checkoutsToTime(values.base)) {
      console.log(`| ${name} | ${await timeInit(root, [log], join(dir, `suite-${name}`), calls)} |`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
