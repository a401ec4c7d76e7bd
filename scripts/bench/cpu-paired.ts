/**
 * Paired CPU comparison of two opbench checkouts (issue 19): the CPU benchmark's workload (10,000
 * cases of ~5 ms streamed calls at concurrency 32, llama.cpp runner, one scripted server), run by
 * this checkout's bin and by a base checkout's bin, interleaved with the minimal loop, so that each
 * triple shares the machine's state. Prints each triple and the medians of the paired ratios.
 *
 *   node scripts/bench/cpu-paired.ts --base DIR [--pairs 5] [--cases 10000] [--base-flags "NODE FLAGS"]
 *
 * DIR: another checkout (e.g. `git worktree add DIR main`, or `git archive main | tar -x -C DIR`
 * with a `node_modules` link), run with its own `bin/opbench.js`. Both run with this checkout's
 * bin's Node flags, unless `--base-flags` gives the base others (DIR may then be this checkout:
 * the same code under two sets of flags).
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, writeCpuWorkloadSuite } from "./lib/cases.ts";
import { assertExitedOk, type MeasuredRun, runNodeMeasured } from "./lib/child.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { OPBENCH_BIN, OPBENCH_NODE_FLAGS, runMinimalLoop } from "./lib/tools.ts";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    pairs: { type: "string", default: "5" },
    cases: { type: "string", default: "10000" },
    "base-flags": { type: "string" },
  },
});
if (!values.base) throw new Error("--base DIR (another checkout) is required");
const baseBin = join(resolve(values.base), "bin", "opbench.js");
const baseFlags = values["base-flags"]?.split(/\s+/).filter(Boolean) ?? OPBENCH_NODE_FLAGS;
const caseCount = Number(values.cases);
const pairs = Number(values.pairs);
const workDir = join(tmpdir(), `opbench-cpu-paired-${process.pid}`);
const server = await startServerProcess(DEFAULT_SCRIPT);
const cases = benchCases(caseCount, DEFAULT_SCRIPT);

async function runOpbench(bin: string, side: string): Promise<MeasuredRun> {
  const dir = join(workDir, side);
  const suite = writeCpuWorkloadSuite(dir, server.url, cases);
  const run = await runNodeMeasured(
    bin,
    ["run", suite, "--out", join(dir, "run"), "--no-progress"],
    { cwd: dir, env: { CI: "1" }, maxStdout: 100_000 },
    side === "base" ? baseFlags : OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, `opbench run (${side})`);
  await server.truth(true);
  return run;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rows: { base: MeasuredRun; head: MeasuredRun; loop: MeasuredRun }[] = [];
try {
  // One unmeasured run of each builds its bundle and warms the compile cache.
  await runOpbench(baseBin, "base");
  await runOpbench(OPBENCH_BIN, "head");
  process.stdout.write(
    "| pair | base CPU s | head CPU s | head ÷ base | loop CPU s | base ÷ loop | head ÷ loop | base wall s | head wall s | loop wall s |\n",
  );
  process.stdout.write("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? ["base", "head", "loop"] : ["loop", "head", "base"];
    const row: Partial<(typeof rows)[number]> = {};
    for (const side of order) {
      if (side === "loop") {
        row.loop = (
          await runMinimalLoop({ url: server.url, calls: caseCount, concurrency: 32, stream: true })
        ).process;
        await server.truth(true);
      } else row[side as "base" | "head"] = await runOpbench(side === "base" ? baseBin : OPBENCH_BIN, side);
    }
    const r = row as (typeof rows)[number];
    rows.push(r);
    const s = (ms: number | null) => ((ms ?? Number.NaN) / 1000).toFixed(2);
    process.stdout.write(
      `| ${i + 1} | ${s(r.base.cpuMs)} | ${s(r.head.cpuMs)} | ${(r.head.cpuMs! / r.base.cpuMs!).toFixed(3)} | ${s(r.loop.cpuMs)} | ${(r.base.cpuMs! / r.loop.cpuMs!).toFixed(2)} | ${(r.head.cpuMs! / r.loop.cpuMs!).toFixed(2)} | ${s(r.base.wallMs)} | ${s(r.head.wallMs)} | ${s(r.loop.wallMs)} |\n`,
    );
  }
  const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f)).toFixed(3);
  process.stdout.write(
    `\nmedians: CPU head ÷ base ${m((r) => r.head.cpuMs! / r.base.cpuMs!)}, base ÷ loop ${m((r) => r.base.cpuMs! / r.loop.cpuMs!)}, head ÷ loop ${m((r) => r.head.cpuMs! / r.loop.cpuMs!)}; wall head ÷ base ${m((r) => r.head.wallMs / r.base.wallMs)}, head ÷ loop ${m((r) => r.head.wallMs / r.loop.wallMs)}\n`,
  );
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}
