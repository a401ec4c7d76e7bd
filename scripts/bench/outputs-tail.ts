/**
 * CPU after the last call (issue 19): the CPU benchmark's workload (10,000 cases of ~5 ms streamed
 * calls at concurrency 32, llama.cpp runner, one scripted server) run by this checkout's bin and
 * by a base checkout's bin, alternating, each pair twice: once plain, for the whole run's CPU
 * time, once under `--cpu-prof` (250 µs samples), for the CPU spent after the last call — the
 * samples, idle ones left out, after the last one inside a call (`runAttempt` / `runCall`): the
 * end of the run, the summary, the outputs and the exit. Prints each pair and the medians.
 *
 *   node scripts/bench/outputs-tail.ts --base DIR [--pairs 5] [--cases 10000]
 *
 * DIR: another checkout with a `node_modules` link (see cpu-paired.ts). `--cases 1` measures
 * the one-case run.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, writeBenchSuite } from "./lib/cases.ts";
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
/** Functions a call runs in: the last sample inside one marks the end of the calls. */
const CALL_FRAMES = new Set(["runAttempt", "runCall"]);

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Non-idle CPU time after the last sample inside a call, ms. */
function cpuAfterLastCall(path: string): number {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const name = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const inCall = new Map<number, boolean>();
  const isInCall = (id: number): boolean => {
    let known = inCall.get(id);
    if (known === undefined) {
      const up = parent.get(id);
      known = CALL_FRAMES.has(name.get(id) ?? "") || (up !== undefined && isInCall(up));
      inCall.set(id, known);
    }
    return known;
  };
  let last = -1;
  profile.samples.forEach((id, i) => {
    if (isInCall(id)) last = i;
  });
  let us = 0;
  for (let i = last + 1; i < profile.samples.length; i++) {
    if (name.get(profile.samples[i]!) !== "(idle)") us += profile.timeDeltas[i] ?? 0;
  }
  return us / 1000;
}

async function runOpbench(
  bin: string,
  side: string,
  profiled: boolean,
): Promise<MeasuredRun & { tailMs: number }> {
  const dir = join(workDir, side);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const suite = writeBenchSuite(dir, {
    url: server.url,
    runner: "llamacpp",
    cases,
    concurrency: 32,
    warmup: 0,
    stream: true,
  });
  const profileDir = join(dir, "profile");
  const run = await runNodeMeasured(
    bin,
    ["run", suite, "--out", join(dir, "run"), "--no-progress"],
    { cwd: dir, env: { CI: "1" }, maxStdout: 100_000 },
    profiled
      ? [...OPBENCH_NODE_FLAGS, "--cpu-prof", "--cpu-prof-interval", "250", "--cpu-prof-dir", profileDir]
      : OPBENCH_NODE_FLAGS,
  );
  assertExitedOk(run, `opbench run (${side})`);
  await server.truth(true);
  const file = profiled ? readdirSync(profileDir).find((n) => n.endsWith(".cpuprofile")) : undefined;
  return { ...run, tailMs: file ? cpuAfterLastCall(join(profileDir, file)) : Number.NaN };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rows: { base: number; head: number; baseTail: number; headTail: number }[] = [];
try {
  // One unmeasured run of each builds its bundle and warms the compile cache.
  await runOpbench(baseBin, "base", false);
  await runOpbench(OPBENCH_BIN, "head", false);
  process.stdout.write(
    "| pair | base CPU ms | head CPU ms | head ÷ base | base after last call ms | head after last call ms |\n| --- | --- | --- | --- | --- | --- |\n",
  );
  for (let i = 0; i < pairs; i++) {
    const sides = i % 2 === 0 ? (["base", "head"] as const) : (["head", "base"] as const);
    const plain: Record<string, number> = {};
    const tail: Record<string, number> = {};
    for (const profiled of [false, true]) {
      for (const side of sides) {
        const run = await runOpbench(side === "base" ? baseBin : OPBENCH_BIN, side, profiled);
        if (profiled) tail[side] = run.tailMs;
        else plain[side] = run.cpuMs ?? Number.NaN;
      }
    }
    const row = { base: plain.base!, head: plain.head!, baseTail: tail.base!, headTail: tail.head! };
    rows.push(row);
    process.stdout.write(
      `| ${i + 1} | ${row.base.toFixed(0)} | ${row.head.toFixed(0)} | ${(row.head / row.base).toFixed(3)} | ${row.baseTail.toFixed(0)} | ${row.headTail.toFixed(0)} |\n`,
    );
  }
  const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f)).toFixed(0);
  process.stdout.write(
    `\nmedians (${values.cases} cases): CPU base ${m((r) => r.base)} ms, head ${m((r) => r.head)} ms, head − base ${m((r) => r.head - r.base)} ms; after the last call base ${m((r) => r.baseTail)} ms, head ${m((r) => r.headTail)} ms (under the profiler)\n`,
  );
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}
