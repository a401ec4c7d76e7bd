/**
 * CPU per request of `opbench load` (issue 19, point 3), paired against another checkout: each
 * round runs a closed-loop step of a fixed number of requests (concurrency 32, the scripted
 * server's ~5 ms streamed responses) with this checkout's opbench and with the other one's,
 * alternating which goes first, plus a short step of each to take start-up out: the marginal CPU
 * per request is (CPU of the long step − CPU of the short one) / (requests between them). A
 * fixed request count makes CPU comparable on a busy machine, where requests/s is not.
 *
 *   node scripts/bench/load-cpu.ts [--base DIR] [--rounds 3] [--requests 10000] [--concurrency 32]
 *        [--node-flags="--max-semi-space-size=16 …"]
 *
 * DIR: a checkout of the base to compare with (e.g. `git archive main | tar -x -C DIR` and a
 * `node_modules` link); without it only this checkout runs. `--node-flags`: this checkout runs a
 * second time with these Node flags instead of the bin's (e.g. another young-generation size).
 * Each step's garbage collections are counted too (lib/gc-count-hook.mjs): scavenges per request
 * follow the bytes allocated per request, a figure a busy machine does not blur.
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, writeBenchSuite } from "./lib/cases.ts";
import { runNodeMeasured } from "./lib/child.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { OPBENCH_BIN, OPBENCH_NODE_FLAGS } from "./lib/tools.ts";

const { values } = parseArgs({
  options: {
    base: { type: "string" },
    rounds: { type: "string", default: "3" },
    requests: { type: "string", default: "10000" },
    short: { type: "string", default: "200" },
    concurrency: { type: "string", default: "32" },
    "node-flags": { type: "string" },
  },
});

interface Step {
  cpuMs: number;
  wallMs: number;
  requests: number;
  serverCount: number;
  ratePerS: number;
  peakRssMb: number | null;
  /** Scavenges and full (mark-compact) collections of the process. */
  minorGcs: number;
  majorGcs: number;
}

const GC_HOOK = fileURLToPath(new URL("./lib/gc-count-hook.mjs", import.meta.url));

const dir = join(tmpdir(), `opbench-load-cpu-${process.pid}`);
const server = await startServerProcess(DEFAULT_SCRIPT);
const programs: [string, string, readonly string[]][] = [["this", OPBENCH_BIN, OPBENCH_NODE_FLAGS]];
if (values.base) programs.push(["base", join(values.base, "bin", "opbench.js"), OPBENCH_NODE_FLAGS]);
const otherFlags = values["node-flags"]?.split(/\s+/).filter(Boolean);
if (otherFlags) programs.push([`this ${otherFlags.join(" ")}`, OPBENCH_BIN, otherFlags]);
const results = new Map<string, { long: Step[]; short: Step[] }>(
  programs.map(([name]) => [name, { long: [], short: [] }]),
);

async function step(bin: string, flags: readonly string[], requests: number): Promise<Step> {
  const suite = writeBenchSuite(dir, {
    url: server.url,
    cases: benchCases(64, DEFAULT_SCRIPT),
    concurrency: 1,
    warmup: 0,
    stream: true,
  });
  const out = join(dir, `run-${Date.now()}`);
  await server.truth(true);
  const args = ["load", suite, "--out", out, "--concurrency", values.concurrency!, "--requests"];
  args.push(String(requests), "--duration", "600s", "-o", "load-json", "--no-server-metrics");
  const gcFile = join(dir, `gc-${Date.now()}.jsonl`);
  const run = await runNodeMeasured(
    bin,
    args,
    { cwd: dir, env: { CI: "1", OPBENCH_BENCH_GC_FILE: gcFile } },
    ["--import", GC_HOOK, ...flags],
  );
  const gcs = JSON.parse(readFileSync(gcFile, "utf8").split("\n")[0]!) as { minor: number; major: number };
  rmSync(gcFile);
  if (run.exitCode !== 0) throw new Error(`${bin} exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
  const serverCount = (await server.truth(true)).length;
  const load = JSON.parse(readFileSync(join(out, "load.json"), "utf8")) as {
    steps: { requests: { succeeded: number }; requests_per_s: number }[];
  };
  const s = load.steps[0]!;
  return {
    cpuMs: run.cpuMs ?? Number.NaN,
    wallMs: run.wallMs,
    requests: s.requests.succeeded,
    serverCount,
    ratePerS: s.requests_per_s,
    peakRssMb: run.peakRssMb,
    minorGcs: gcs.minor,
    majorGcs: gcs.major,
  };
}

const requests = Number(values.requests);
const short = Number(values.short);
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const order = round % 2 === 0 ? programs : [...programs].reverse();
    for (const [name, bin, flags] of order) {
      const r = results.get(name)!;
      r.short.push(await step(bin, flags, short));
      r.long.push(await step(bin, flags, requests));
      const l = r.long.at(-1)!;
      const s = r.short.at(-1)!;
      const marginal = (l.cpuMs - s.cpuMs) / (requests - short);
      const perK = (long: number, shortCount: number) =>
        (((long - shortCount) * 1000) / (requests - short)).toFixed(1);
      process.stderr.write(
        `round ${round + 1} ${name}: ${l.requests} req (server ${l.serverCount}), CPU ${l.cpuMs.toFixed(0)} ms, ` +
          `${(marginal * 1000).toFixed(0)} µs/req marginal, ${l.ratePerS.toFixed(0)} req/s, peak RSS ${l.peakRssMb?.toFixed(0)} MB, ` +
          `per 1,000 req ${perK(l.minorGcs, s.minorGcs)} scavenges, ${perK(l.majorGcs, s.majorGcs)} full GCs\n`,
      );
    }
  }
} finally {
  await server.stop();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, r] of results) {
  const marginal = r.long.map((l, i) => ((l.cpuMs - r.short[i]!.cpuMs) * 1000) / (requests - short));
  const scavenges = r.long.map((l, i) => ((l.minorGcs - r.short[i]!.minorGcs) * 1000) / (requests - short));
  process.stdout.write(
    `${name}: marginal CPU per request median ${median(marginal).toFixed(0)} µs (${marginal.map((m) => m.toFixed(0)).join(", ")}); ` +
      `scavenges per 1,000 requests median ${median(scavenges).toFixed(1)}; ` +
      `start-up (short step) ${median(r.short.map((s) => s.cpuMs)).toFixed(0)} ms; ` +
      `rate median ${median(r.long.map((l) => l.ratePerS)).toFixed(0)} req/s; ` +
      `counts agree: ${r.long.every((l) => l.requests === l.serverCount) ? "yes" : "no"}\n`,
  );
}
