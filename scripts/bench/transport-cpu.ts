/**
 * The transport's own CPU per call (issue 19): the llama.cpp runner's `generateInto` (request body,
 * clocked POST, SSE parsing, chat decoding, events to a sink that keeps a `CallTimeline`) against
 * the scripted server in its own process, beside the minimal loop's calls (an undici `Pool`, body
 * built per call, response read and dropped), in one process each, alternating, 10,000 calls at
 * concurrency 32 after 1,000 warm-up calls. CPU is the process's (user + system; the system share,
 * the kernel's socket work, is printed too) over the measured calls only, so start-up is left out
 * and the transport's share can be read next to the floor.
 *
 *   node scripts/bench/transport-cpu.ts [--root DIR] [--other DIR] [--calls 10000] [--reps 4]
 *
 * `--root`: the checkout whose runner runs (default this one); `--other`: a second checkout, run
 * alternately with it, for a paired comparison.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_SCRIPT } from "../../fixtures/scripted-server/script.ts";
import { MAX_TOKENS, PROMPT_TEMPLATE } from "./lib/cases.ts";
import { startServerProcess } from "./lib/server-process.ts";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: fileURLToPath(new URL("../../", import.meta.url)) },
    other: { type: "string" },
    calls: { type: "string", default: "10000" },
    reps: { type: "string", default: "4" },
    child: { type: "string" },
    url: { type: "string" },
  },
});
const calls = Number(values.calls);
const CONCURRENCY = 32;
const WARMUP = 1_000;

const prompt = (i: number) =>
  PROMPT_TEMPLATE.replace("{{id}}", `c${i}`).replace(
    "{{text}}",
    `my card payment number ${i} was declined twice`,
  );

/** CPU time, ms: user and system (kernel: socket calls, wake-ups) apart. */
interface Cpu {
  cpuMs: number;
  userMs: number;
  systemMs: number;
}

/** Runs `one(i)` for `count` calls at CONCURRENCY; the CPU it took. */
async function timedCalls(count: number, one: (i: number) => Promise<void>): Promise<Cpu> {
  let next = 0;
  const worker = async () => {
    while (next < count) await one(next++);
  };
  const start = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const used = process.cpuUsage(start);
  return { cpuMs: (used.user + used.system) / 1000, userMs: used.user / 1000, systemMs: used.system / 1000 };
}

async function childMinimal(url: string): Promise<Cpu> {
  const { Pool } = await import("undici");
  const pool = new Pool(url, { connections: CONCURRENCY, keepAliveTimeout: 30_000 });
  const headers = { "content-type": "application/json" };
  const one = async (i: number) => {
    const { body } = await pool.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers,
      body: JSON.stringify({
        messages: [{ role: "user", content: prompt(i) }],
        max_tokens: MAX_TOKENS,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0,
        cache_prompt: false,
      }),
    });
    await body.dump({ limit: 1_000_000 });
  };
  await timedCalls(WARMUP, one);
  const cpu = await timedCalls(calls, one);
  await pool.close();
  return cpu;
}

async function childRunner(root: string, url: string): Promise<Cpu> {
  const { createLlamaCppRunner } = await import(join(root, "runners/llamacpp.ts"));
  const { CallTimeline } = await import(join(root, "src/metrics/call-timeline.ts"));
  const runner = createLlamaCppRunner({ id: "scripted", runner: "llamacpp", url });
  await runner.startup({ concurrency: CONCURRENCY, signal: new AbortController().signal, log: () => {} });
  const one = async (i: number) => {
    const call = new AbortController();
    const timeline = new CallTimeline();
    await runner.generateInto(
      { prompt: prompt(i), maxTokens: MAX_TOKENS, stream: true, temperature: 0, signal: call.signal },
      (event: unknown) => timeline.apply(event),
    );
    if (timeline.tEnd === undefined) throw new Error("no end event");
  };
  await timedCalls(WARMUP, one);
  const cpu = await timedCalls(calls, one);
  await runner.shutdown();
  return cpu;
}

if (values.child) {
  const cpu =
    values.child === "minimal"
      ? await childMinimal(values.url!)
      : await childRunner(values.child, values.url!);
  process.stdout.write(`${JSON.stringify(cpu)}\n`);
  process.exit(0);
}

const server = await startServerProcess(DEFAULT_SCRIPT);
const sides = ["minimal", resolve(values.root!), ...(values.other ? [resolve(values.other)] : [])];
const cpu = new Map<string, number[]>(sides.map((side) => [side, []]));
const system = new Map<string, number[]>(sides.map((side) => [side, []]));
try {
  for (let rep = 0; rep < Number(values.reps); rep++) {
    for (const side of rep % 2 === 0 ? sides : [...sides].reverse()) {
      const child = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), "--child", side, "--url", server.url, "--calls", String(calls)],
        { encoding: "utf8" },
      );
      if (child.status !== 0) throw new Error(`transport-cpu child failed: ${child.stderr}`);
      const { cpuMs, systemMs } = JSON.parse(child.stdout) as Cpu;
      cpu.get(side)!.push(cpuMs);
      system.get(side)!.push(systemMs);
      await server.truth(true).catch(() => {}); // only to free the server's memory
      process.stdout.write(
        `${side}: ${((cpuMs * 1000) / calls).toFixed(1)} µs CPU per call (system ${((systemMs * 1000) / calls).toFixed(1)})\n`,
      );
    }
  }
} finally {
  await server.stop();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
for (const [side, xs] of cpu)
  process.stdout.write(
    `${side}: median ${((median(xs) * 1000) / calls).toFixed(1)} µs per call (${((Math.min(...xs) * 1000) / calls).toFixed(1)}–${((Math.max(...xs) * 1000) / calls).toFixed(1)}), of it system ${((median(system.get(side)!) * 1000) / calls).toFixed(1)}\n`,
  );
