/**
 * `npm run bench`: opbench's own benchmarks (issue: a harness that adds nothing to what it
 * measures). Prints the results as Markdown; `--write` puts them into BENCHMARKS.md.
 *
 *   node scripts/bench/run.ts [--smoke] [--reps N] [--only overhead,hot-paths,throughput,memory,report,merge,publish,scoring,sandbox,gate,replay,promptfoo,startup,load,cpu,workers]
 *        [--runners llamacpp,openai-compatible] [--json results.json] [--write] [--work-dir DIR] [--keep]
 *   node scripts/bench/run.ts --render results.json [--write]   (re-render saved results, run nothing)
 *
 * `--smoke` runs every benchmark at a tiny size, once: it proves the script works (CI), not
 * how fast anything is. Exits 1 when a benchmark failed to run; never on a missed target.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { benchGate } from "./gate.ts";
import { benchHotPaths } from "./hot-paths.ts";
import type { BenchContext, OpbenchRunnerKind } from "./lib/context.ts";
import { describeMachine } from "./lib/machine.ts";
import { type BenchResults, renderResults, replaceResults } from "./lib/report.ts";
import { REPO_ROOT } from "./lib/tools.ts";
import { benchLoad } from "./load.ts";
import { benchMemory } from "./memory.ts";
import { benchMerge } from "./merge.ts";
import { benchOverhead } from "./overhead.ts";
import { benchPublish } from "./publish.ts";
import { benchReplay } from "./replay.ts";
import { benchReport } from "./report.ts";
import { benchSandbox } from "./sandbox.ts";
import { benchScoring } from "./scoring.ts";
import { benchStartup } from "./startup.ts";
import { benchThroughput } from "./throughput.ts";
import { benchVersusPromptfoo } from "./versus-promptfoo.ts";
import { benchWorkers } from "./workers.ts";

const BENCHES = [
  "overhead",
  "hot-paths",
  "throughput",
  "memory",
  "report",
  "merge",
  "publish",
  "scoring",
  "sandbox",
  "gate",
  "replay",
  "promptfoo",
  "startup",
  "load",
  "cpu",
  "workers",
] as const;
type BenchName = (typeof BENCHES)[number];

const { values } = parseArgs({
  options: {
    smoke: { type: "boolean", default: false },
    reps: { type: "string" },
    only: { type: "string" },
    runners: { type: "string", default: "llamacpp,openai-compatible" },
    json: { type: "string" },
    write: { type: "boolean", default: false },
    "work-dir": { type: "string" },
    keep: { type: "boolean", default: false },
    render: { type: "string" },
  },
});

/** Writes the rendered section to BENCHMARKS.md when asked, and prints it. */
function publish(results: BenchResults, log: (message: string) => void): void {
  const markdown = renderResults(results);
  if (values.write) {
    const path = join(REPO_ROOT, "BENCHMARKS.md");
    writeFileSync(path, replaceResults(readFileSync(path, "utf8"), markdown));
    log(`wrote ${path}`);
  }
  process.stdout.write(`${markdown}\n`);
}

if (values.render) {
  publish(JSON.parse(readFileSync(values.render, "utf8")) as BenchResults, (m) =>
    process.stderr.write(`${m}\n`),
  );
  process.exit(0);
}

const only = (values.only?.split(",") ?? [...BENCHES]) as BenchName[];
for (const name of only) {
  if (!BENCHES.includes(name))
    throw new Error(`--only: unknown benchmark ${name} (known: ${BENCHES.join(", ")})`);
}
const runners = values.runners.split(",") as OpbenchRunnerKind[];
const workDir = values["work-dir"]
  ? resolve(values["work-dir"])
  : mkdtempSync(join(tmpdir(), "opbench-bench-"));
mkdirSync(workDir, { recursive: true });
const started = performance.now();
const ctx: BenchContext = {
  smoke: values.smoke,
  reps: values.reps ? Number(values.reps) : values.smoke ? 1 : 3,
  workDir,
  runners,
  log: (message) =>
    process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0)}s] ${message}\n`),
};

const results: BenchResults = { machine: describeMachine(), smoke: ctx.smoke, reps: ctx.reps, errors: [] };
const steps: Record<BenchName, () => Promise<void>> = {
  overhead: async () => {
    results.overhead = await benchOverhead(ctx);
  },
  "hot-paths": async () => {
    results.hotPaths = await benchHotPaths(ctx);
  },
  throughput: async () => {
    results.throughput = await benchThroughput(ctx);
  },
  memory: async () => {
    results.memory = await benchMemory(ctx);
  },
  report: async () => {
    results.report = await benchReport(ctx);
  },
  merge: async () => {
    results.merge = await benchMerge(ctx);
  },
  publish: async () => {
    results.publish = await benchPublish(ctx);
  },
  sandbox: async () => {
    results.sandbox = await benchSandbox(ctx);
  },
  scoring: async () => {
    results.scoring = await benchScoring(ctx);
  },
  gate: async () => {
    results.gate = await benchGate(ctx);
  },
  replay: async () => {
    results.replay = await benchReplay(ctx);
  },
  promptfoo: async () => {
    results.versus = await benchVersusPromptfoo(ctx);
  },
  startup: async () => {
    results.startup = await benchStartup(ctx);
  },
  cpu: async () => {
    results.throughput = await benchThroughput(ctx, { rssByCases: false });
  },
  workers: async () => {
    results.workers = await benchWorkers(ctx);
  },
  load: async () => {
    results.load = await benchLoad(ctx);
  },
};

try {
  for (const name of only) {
    ctx.log(`${name}: start`);
    try {
      await steps[name]();
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      ctx.log(`${name} failed: ${message}`);
      results.errors.push({ bench: name, message: error instanceof Error ? error.message : String(error) });
    }
  }
} finally {
  if (!values.keep && !values["work-dir"]) rmSync(workDir, { recursive: true, force: true });
}

if (values.json) writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
publish(results, ctx.log);
ctx.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = results.errors.length > 0 ? 1 : 0;
