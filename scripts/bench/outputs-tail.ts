/**
 * CPU after the last call (issue 19): the CPU benchmark's workload (10,000 cases of ~5 ms streamed
 * calls at concurrency 32, llama.cpp runner, one scripted server) run by this checkout's bin and
 * by a base checkout's bin, alternating. For each run: its whole CPU time, and the CPU it spent
 * after its last call's response ended (the latest `started_at + e2e_ms` of the log's call
 * records) — the end of the run, the summary, the outputs and the exit — read from the process's
 * CPU time sampled every 5 ms (scripts/bench/lib/peak-rss-hook.mjs, interpolated between samples).
 * Prints each pair and the medians.
 *
 *   node scripts/bench/outputs-tail.ts --base DIR [--pairs 5] [--cases 10000]
 *
 * DIR: another checkout with a `node_modules` link (see cpu-paired.ts). `--cases 1` measures
 * the one-case run.
 */
import { readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import type { CallRecord } from "../../src/core/records.ts";
import { benchCases, writeCpuWorkloadSuite } from "./lib/cases.ts";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./lib/child.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { OPBENCH_BIN, OPBENCH_NODE_FLAGS } from "./lib/tools.ts";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    pairs: { type: "string", default: "5" },
    cases: { type: "string", default: "10000" },
  },
});
if (!values.base) throw new Error("--base DIR (another checkout) is required");
const baseBin = join(resolve(values.base), "bin", "opbench.js");
const pairs = Number(values.pairs);
const workDir = join(tmpdir(), `opbench-outputs-tail-${process.pid}`);
const server = await startServerProcess(DEFAULT_SCRIPT);
const cases = benchCases(Number(values.cases), DEFAULT_SCRIPT);
/** Epoch ms at which the log's last call's response ended. */
function lastCallEnd(runDir: string): number {
  let end = 0;
  for (const line of readFileSync(join(runDir, "events.jsonl"), "utf8").split("\n")) {
    if (!line.includes('"type":"call"')) continue;
    const call = JSON.parse(line) as CallRecord;
    end = Math.max(end, Date.parse(call.started_at) + (call.e2e_ms ?? 0));
  }
  return end;
}

/** CPU ms of the process after epoch ms `at`: its last sample less the sample at `at` (interpolated). */
function cpuAfter(trace: readonly [number, number][], at: number): number {
  const last = trace[trace.length - 1]!;
  const after = trace.findIndex(([time]) => time >= at);
  if (after <= 0) return after === 0 ? last[1] - trace[0]![1] : Number.NaN;
  const [t0, c0] = trace[after - 1]!;
  const [t1, c1] = trace[after]!;
  return last[1] - (c0 + ((c1 - c0) * (at - t0)) / Math.max(1, t1 - t0));
}

async function runOpbench(bin: string, side: string): Promise<MeasuredRun & { tailMs: number }> {
  const dir = join(workDir, side);
  const suite = writeCpuWorkloadSuite(dir, server.url, cases);
  const runDir = join(dir, "run");
  const run = await runNodeMeasured(
    bin,
    ["run", suite, "--out", runDir, "--no-progress"],
    { cwd: dir, env: { CI: "1", OPBENCH_BENCH_CPU_TRACE_MS: "5" }, maxStdout: 100_000 },
    OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, `opbench run (${side})`);
  await server.truth(true);
  return { ...run, tailMs: run.cpuTrace ? cpuAfter(run.cpuTrace, lastCallEnd(runDir)) : Number.NaN };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rows: { base: number; head: number; baseTail: number; headTail: number }[] = [];
try {
  // One unmeasured run of each builds its bundle and warms the compile cache.
  await runOpbench(baseBin, "base");
  await runOpbench(OPBENCH_BIN, "head");
  process.stdout.write(
    "| pair | base CPU ms | head CPU ms | head ÷ base | base after last call ms | head after last call ms |\n| --- | --- | --- | --- | --- | --- |\n",
  );
  for (let i = 0; i < pairs; i++) {
    const sides = i % 2 === 0 ? (["base", "head"] as const) : (["head", "base"] as const);
    const plain: Record<string, number> = {};
    const tail: Record<string, number> = {};
    for (const side of sides) {
      const run = await runOpbench(side === "base" ? baseBin : OPBENCH_BIN, side);
      tail[side] = run.tailMs;
      plain[side] = run.cpuMs ?? Number.NaN;
    }
    const row = { base: plain.base!, head: plain.head!, baseTail: tail.base!, headTail: tail.head! };
    rows.push(row);
    process.stdout.write(
      `| ${i + 1} | ${row.base.toFixed(0)} | ${row.head.toFixed(0)} | ${(row.head / row.base).toFixed(3)} | ${row.baseTail.toFixed(0)} | ${row.headTail.toFixed(0)} |\n`,
    );
  }
  const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f)).toFixed(0);
  process.stdout.write(
    `\nmedians (${values.cases} cases): CPU base ${m((r) => r.base)} ms, head ${m((r) => r.head)} ms, head − base ${m((r) => r.head - r.base)} ms; after the last call base ${m((r) => r.baseTail)} ms, head ${m((r) => r.headTail)} ms; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" ")}\n`,
  );
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}
