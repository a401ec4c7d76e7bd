/**
 * `npm run bench:tail`: where the p99 of the error comes from at concurrency 64 (the overhead
 * benchmark's ~100 ms scenario), for opbench and the bare undici loop. The scripted server runs
 * with a 1 ms heartbeat, so each of its records says how late its own loop was when the request
 * arrived; the worst 1% of calls are then described (see lib/tail.ts). Prints Markdown.
 *
 *   node scripts/bench/tail.ts [--reps 3] [--calls 3000] [--concurrency 64] [--runner llamacpp]
 *
 * A diagnosis, not a target: BENCHMARKS.md's "What remains" cites it. The heartbeat costs the
 * server a little CPU, so its numbers are not the overhead benchmark's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { benchCases } from "./lib/cases.ts";
import type { OpbenchRunnerKind } from "./lib/context.ts";
import { startServerProcess } from "./lib/server-process.ts";
import { BURST_WINDOW_MS, describeTail, SERVER_LATE_MS, type TailReport } from "./lib/tail.ts";
import { runBareLoop, runOpbenchCli } from "./lib/tools.ts";
import { SLOW_SCRIPT as script } from "./overhead.ts";

const { values } = parseArgs({
  options: {
    reps: { type: "string", default: "3" },
    calls: { type: "string", default: "3000" },
    concurrency: { type: "string", default: "64" },
    runner: { type: "string", default: "llamacpp" },
  },
});
const reps = Number(values.reps);
const calls = Number(values.calls);
const concurrency = Number(values.concurrency);
const runner = values.runner as OpbenchRunnerKind;
const warmup = 2 * concurrency;

const fmt = (value: number | null, digits = 2) => (value === null ? "–" : value.toFixed(digits));
const pct = (share: number | null) => (share === null ? "–" : `${Math.round(share * 100)}%`);
function row(tool: string, rep: number, t: TailReport | null): string {
  if (!t) return `| ${tool} | ${rep} | no calls joined | | | | | | | |`;
  const w = t.worst;
  return `| ${tool} | ${rep} | ${fmt(t.e2eErrorP50)} | ${fmt(t.e2eErrorP99)} | ${fmt(t.e2eErrorP99ServerOnTime)} | ${pct(t.serverLateShare)} | ${fmt(w.ttftErrorMedian)} | ${fmt(w.gainedInStreamMedian)} | ${pct(w.serverLateShare)} | ${t.burstMedian} / ${w.burstMedian} |`;
}

const workDir = mkdtempSync(join(tmpdir(), "opbench-bench-tail-"));
const server = await startServerProcess(script, { heartbeat: true });
const lines = [
  `Concurrency ${concurrency}, ${calls} measured calls after ${warmup} warm-up calls, ~100 ms streamed calls; error = client − server, ms. "Server late": its loop ≥ ${SERVER_LATE_MS} ms behind its 1 ms heartbeat when the request arrived. "Burst": other calls the server finished in the ${BURST_WINDOW_MS} ms before a call ended (median over all calls / over the worst 1%).`,
  "",
  "| tool | rep | e2e error p50 | p99 | p99, server on time | calls, server late | worst 1%: TTFT error | worst 1%: gained in the stream | worst 1%: server late | burst: all / worst 1% |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
];
try {
  const cases = benchCases(calls, script);
  for (let rep = 1; rep <= reps; rep++) {
    process.stderr.write(`[tail] repetition ${rep}/${reps}\n`);
    await server.truth(true);
    const op = await runOpbenchCli({
      workDir: join(workDir, "opbench"),
      url: server.url,
      runner,
      cases,
      concurrency,
      warmup,
      stream: true,
    });
    lines.push(row(`opbench (${runner})`, rep, describeTail(op.log.calls, await server.truth(true))));
    const bare = await runBareLoop({
      workDir: join(workDir, "bare"),
      url: server.url,
      calls,
      warmup,
      concurrency,
      connection: "keep-alive",
      stream: true,
    });
    lines.push(row("bare undici (keep-alive)", rep, describeTail(bare.calls, await server.truth(true))));
  }
} finally {
  await server.stop();
  rmSync(workDir, { recursive: true, force: true });
}
process.stdout.write(`${lines.join("\n")}\n`);
