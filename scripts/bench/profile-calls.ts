/**
 * Where opbench's CPU goes in a run of many calls (issue 19): the CPU benchmark's workload (10,000
 * cases of ~5 ms streamed calls at concurrency 32 against the scripted server), `opbench run`
 * under `node --cpu-prof`, and the profile's heaviest functions (self time) and files printed.
 *
 *   node scripts/bench/profile-calls.ts [--cases 10000] [--concurrency 32] [--top 40]
 *        [--runner llamacpp|openai-compatible] [--out DIR] [--load]   (--load: `opbench load` at c=32, 5 s)
 *   node scripts/bench/profile-calls.ts --profile FILE.cpuprofile   (print a saved profile, run nothing)
 *
 * The profile stays in DIR (default: a temporary directory, printed) for Chrome DevTools.
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, writeBenchSuite } from "./lib/cases.ts";
import { runNodeMeasured } from "./lib/child.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { OPBENCH_BIN, OPBENCH_NODE_FLAGS } from "./lib/tools.ts";

const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "32" },
    top: { type: "string", default: "40" },
    runner: { type: "string", default: "llamacpp" },
    out: { type: "string" },
    load: { type: "boolean", default: false },
    profile: { type: "string" },
  },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Prints a profile's heaviest functions and files by self time, and a few functions' total time. */
function printProfile(path: string, heading: string): void {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const nameOf = (node: ProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url.replace(/^file:\/\//, "").replace(`${process.cwd()}/`, "");
    return {
      where,
      name: `${functionName || "(anonymous)"} ${where ? `${where}:${lineNumber + 1}` : ""}`.trim(),
    };
  };
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    totalUs += us;
    const { where, name } = nameOf(node);
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const group = where.includes("node_modules/")
      ? where.replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+).*$/, "node_modules/$1")
      : where || node.callFrame.functionName;
    byFile.set(group, (byFile.get(group) ?? 0) + us);
  }
  // Total (inclusive) time of each function, counted once per sample however deep it recurs.
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totalByFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = nameOf(byId.get(at)!).name;
      if (seen.has(name)) continue;
      seen.add(name);
      totalByFunction.set(name, (totalByFunction.get(name) ?? 0) + us);
    }
  }
  const top = Number(values.top);
  const rows = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([name, us]) =>
          `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${name}`,
      );
  process.stdout.write(
    [
      heading,
      `profile: ${path}, ${(totalUs / 1000).toFixed(0)} ms sampled`,
      "",
      "self time by function:",
      ...rows(byFunction),
      "",
      "self time by file / package:",
      ...rows(byFile),
      "",
      "total time by function (opbench's own code):",
      ...rows(
        new Map(
          [...totalByFunction].filter(
            ([name]) => / (src|runners|reports)\//.test(name) && !name.includes("node_modules"),
          ),
        ),
      ),
      "",
    ].join("\n"),
  );
}

if (values.profile) {
  printProfile(values.profile, "saved profile");
} else {
  const dir = values.out ?? join(tmpdir(), `opbench-profile-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const server = await startServerProcess(DEFAULT_SCRIPT);
  try {
    const runner = values.runner === "openai-compatible" ? "openai-compatible" : "llamacpp";
    const suite = writeBenchSuite(dir, {
      url: server.url,
      runner,
      cases: benchCases(Number(values.cases), DEFAULT_SCRIPT),
      concurrency: Number(values.concurrency),
      warmup: 0,
      stream: true,
    });
    const profileDir = join(dir, "profile");
    const args = values.load
      ? [
          "load",
          suite,
          "--out",
          join(dir, "run"),
          "--concurrency",
          values.concurrency,
          "--duration",
          "5s",
          "--no-server-metrics",
        ]
      : ["run", suite, "--out", join(dir, "run"), "--no-progress"];
    const run = await runNodeMeasured(OPBENCH_BIN, args, { cwd: dir, env: { CI: "1" } }, [
      ...OPBENCH_NODE_FLAGS,
      "--cpu-prof",
      "--cpu-prof-dir",
      profileDir,
    ]);
    if (run.exitCode !== 0) throw new Error(`opbench exited ${run.exitCode}: ${run.stderr.slice(-2000)}`);
    const file = readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"));
    if (!file) throw new Error(`no profile in ${profileDir}`);
    printProfile(
      join(profileDir, file),
      `opbench ${args[0]}: wall ${run.wallMs.toFixed(0)} ms, CPU ${run.cpuMs?.toFixed(0)} ms (with the profiler)`,
    );
  } finally {
    await server.stop();
  }
}
