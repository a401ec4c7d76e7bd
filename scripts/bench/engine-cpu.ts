/**
 * The engine's own CPU per call, without a network (issue 19): `runSuite` over the CPU
 * benchmark's 10,000 cases (JSONL dataset, exact and contains scorers) with a runner that answers
 * each call from memory (the sent event, five deltas, usage, response, end, one turn of the event
 * loop apart), the summary folded from the log's tap as `opbench run` does. What is left is what
 * opbench does per call beside the transport: the case, request, attempt, record, scores, log
 * line and summary fold. Its CPU is small next to a whole run's, so a change to it shows here
 * above the noise that a busy machine puts on the whole-run figures.
 *
 *   node scripts/bench/engine-cpu.ts [--root DIR] [--cases 10000] [--reps 5] [--other DIR] [--alloc]
 *
 * `--root`: the checkout whose sources run (default this one); `--other`: a second checkout run
 * alternately with it (each repetition its own process), for a paired comparison. `--alloc`
 * also reports the bytes allocated per call (V8's sampling heap profiler, every 4 KiB, objects
 * that the collector freed included), in a run of its own per checkout and repetition: a figure
 * that other processes on a busy machine do not move, where the CPU time does.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { benchCases, writeBenchSuite } from "./lib/cases.ts";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: fileURLToPath(new URL("../../", import.meta.url)) },
    other: { type: "string" },
    cases: { type: "string", default: "10000" },
    reps: { type: "string", default: "5" },
    child: { type: "boolean", default: false },
    alloc: { type: "boolean", default: false },
  },
});

/** Interval of the heap profiler's samples, bytes (`--alloc`). */
const ALLOC_SAMPLE_BYTES = 4096;

if (values.child) {
  process.stdout.write(
    `${JSON.stringify(await measureOnce(resolve(values.root!), Number(values.cases), values.alloc))}\n`,
  );
} else {
  const roots = [resolve(values.root!), ...(values.other ? [resolve(values.other)] : [])];
  const cpu = new Map<string, number[]>(roots.map((root) => [root, []]));
  const allocated = new Map<string, number[]>(roots.map((root) => [root, []]));
  const child = (root: string, alloc: boolean): Measured => {
    const args = ["--child", "--root", root, "--cases", values.cases!, ...(alloc ? ["--alloc"] : [])];
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`engine-cpu child failed: ${run.stderr}`);
    return JSON.parse(run.stdout) as Measured;
  };
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const root of rep % 2 === 0 ? roots : [...roots].reverse()) {
      const { cpuMs, calls } = child(root, false);
      cpu.get(root)!.push(cpuMs);
      let line = `${root}: ${calls} calls, ${cpuMs.toFixed(0)} ms CPU`;
      if (values.alloc) {
        const perCall = child(root, true).allocatedBytes! / calls;
        allocated.get(root)!.push(perCall);
        line += `; ${(perCall / 1024).toFixed(2)} KiB allocated per call`;
      }
      process.stdout.write(`${line}\n`);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  for (const [root, xs] of cpu) {
    const bytes = allocated.get(root)!;
    process.stdout.write(
      `${root}: median ${median(xs).toFixed(0)} ms CPU (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}), ${((median(xs) * 1000) / Number(values.cases)).toFixed(1)} µs per call${bytes.length > 0 ? `, ${(median(bytes) / 1024).toFixed(2)} KiB allocated per call (${(Math.min(...bytes) / 1024).toFixed(2)}–${(Math.max(...bytes) / 1024).toFixed(2)})` : ""}\n`,
    );
  }
}

interface Measured {
  cpuMs: number;
  calls: number;
  /** `--alloc`: bytes allocated from the suite loaded to the log closed (sampled). */
  allocatedBytes?: number;
}

interface SampledNode {
  selfSize: number;
  children: SampledNode[];
}

/** Bytes allocated under a sampled heap profile's node. */
function sampledBytes(node: SampledNode): number {
  return node.children.reduce((sum, child) => sum + sampledBytes(child), node.selfSize);
}

/**
 * One run of the engine in this process: its CPU (user + system) from suite loaded to log closed;
 * with `alloc`, the bytes allocated over the same span instead (the profiler costs CPU).
 */
async function measureOnce(root: string, caseCount: number, alloc: boolean): Promise<Measured> {
  const { runSuite } = await import(join(root, "src/engine/run.ts"));
  const { loadSuite } = await import(join(root, "src/suite/load.ts"));
  const { SummaryBuilder } = await import(join(root, "src/metrics/summary.ts"));
  const dir = mkdtempSync(join(tmpdir(), "opbench-engine-cpu-"));
  try {
    const suitePath = writeBenchSuite(dir, {
      url: "http://127.0.0.1:1",
      runner: "llamacpp",
      cases: benchCases(caseCount, DEFAULT_SCRIPT),
      concurrency: 32,
      warmup: 0,
      stream: true,
    });
    const suite = await loadSuite(suitePath);
    const text = "tok ";
    const turn = () => new Promise<void>((done) => setImmediate(done));
    const runner = {
      async startup() {
        return { device: "memory" };
      },
      generate(): never {
        throw new Error("generateInto only");
      },
      async generateInto(_request: unknown, emit: (event: unknown) => void) {
        emit({ type: "sent", t: performance.now() });
        for (let i = 0; i < DEFAULT_SCRIPT.chunks; i++) {
          await turn();
          emit({ type: "delta", channel: "content", text, t: performance.now() });
        }
        await turn();
        emit({ type: "usage", usage: { inputTokens: 60, outputTokens: DEFAULT_SCRIPT.chunks } });
        emit({ type: "response", id: "r", model: "memory", finishReason: "stop" });
        emit({ type: "end", t: performance.now() });
      },
    };
    const summary = new SummaryBuilder();
    let calls = 0;
    const session = alloc ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post("HeapProfiler.startSampling", {
        samplingInterval: ALLOC_SAMPLE_BYTES,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    }
    const start = process.cpuUsage();
    await runSuite({
      suite,
      runDir: join(dir, "run"),
      prepareModel: () => ({ runner, locality: "local" }),
      signal: new AbortController().signal,
      onEvent: (event: { type: string }) => {
        summary.add(event);
        if (event.type === "call") calls++;
      },
    });
    summary.result();
    const used = process.cpuUsage(start);
    const cpuMs = (used.user + used.system) / 1000;
    if (!session) return { cpuMs, calls };
    const { profile } = await session.post("HeapProfiler.stopSampling");
    session.disconnect();
    return { cpuMs, calls, allocatedBytes: sampledBytes(profile.head as SampledNode) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
