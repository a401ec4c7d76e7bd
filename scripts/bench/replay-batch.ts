/**
 * Issue 20's read rate on the batch formats alone: writes a synthetic OpenAI Batch and/or
 * Anthropic Message Batches log (lib/replay-batch-log.ts: requests and results files) and times
 * the whole `opbench init --from <requests> --from <results> --sample 500` process from outside,
 * with its CPU time and peak RSS, one line per repetition. `--base DIR`: also a checkout at DIR
 * (another commit's bin/opbench.js), interleaved with this one, for paired figures on a busy
 * machine; outputs of both are compared byte for byte. `--dir DIR`: keep the logs there (written
 * once, reused by later runs).
 *
 *   node scripts/bench/replay-batch.ts [--format openai-batch,anthropic-batch] [--calls 300000]
 *     [--reps 3] [--base DIR] [--dir DIR]
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { checkoutsToTime, timeInit } from "./lib/init-run.ts";
import { type BatchFormat, writeSyntheticBatch } from "./lib/replay-batch-log.ts";

const { values } = parseArgs({
  options: {
    format: { type: "string", default: "openai-batch,anthropic-batch" },
    calls: { type: "string", default: "300000" },
    reps: { type: "string", default: "3" },
    base: { type: "string" },
    dir: { type: "string" },
  },
});
const formats = values.format.split(",") as BatchFormat[];
for (const format of formats) {
  if (format !== "openai-batch" && format !== "anthropic-batch")
    throw new Error("--format: openai-batch and/or anthropic-batch");
}
const calls = Number(values.calls);
const dir = values.dir ?? mkdtempSync(join(tmpdir(), "opbench-replay-batch-"));
mkdirSync(dir, { recursive: true });

/** Every file under `root`, path → content, for comparing two checkouts' suites. */
function filesOf(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    // The schema comment names the checkout's own schema file.
    const text = readFileSync(path, "utf8").replace(/^# yaml-language-server: .*\n/, "");
    files.set(path.slice(root.length), text);
  }
  return files;
}

try {
  console.log("| log | code | wall s | CPU s | peak RSS MB | calls/s | load (1 min) |");
  console.log("| --- | --- | --- | --- | --- | --- | --- |");
  for (const format of formats) {
    const requests = join(dir, `${format}-${calls}-requests.jsonl`);
    const results = join(dir, `${format}-${calls}-results.jsonl`);
    if (!existsSync(requests) || !existsSync(results))
      await writeSyntheticBatch(format, requests, results, calls);
    const mb = (statSync(requests).size + statSync(results).size) / 1e6;
    for (let rep = 0; rep < Number(values.reps); rep++) {
      for (const [name, root] of checkoutsToTime(values.base)) {
        const row = await timeInit(root, [requests, results], join(dir, `suite-${name}`), calls);
        console.log(`| ${format} ${mb.toFixed(0)} MB | ${name} | ${row} |`);
      }
      if (values.base) {
        const [base, mine] = [filesOf(join(dir, "suite-base")), filesOf(join(dir, "suite-this"))];
        const same = base.size === mine.size && [...base].every(([path, text]) => mine.get(path) === text);
        if (!same) throw new Error(`${format}: the suite differs from the base checkout's`);
      }
    }
  }
} finally {
  if (!values.dir) rmSync(dir, { recursive: true, force: true });
}
