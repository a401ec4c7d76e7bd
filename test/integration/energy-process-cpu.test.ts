/**
 * Compute and modelled energy of a real spawned llama-server: its CPU time is read from
 * /proc/<pid>/stat over a measured window, and a server killed mid-window leaves a partial
 * estimate with a note, not a crash. Linux only (/proc).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel } from "../../runners/llamacpp-config.ts";
import type { LogEvent, ModelEnergyEvent, ModelStartEvent } from "../../src/core/records.ts";
import { cpuIdentity } from "../../src/energy/cpu-identity.ts";
import { ModelSession } from "../../src/engine/model-session.ts";
import { linuxHostHasNoGpu } from "../../src/host/listening-process.ts";
import type { ResolvedModel } from "../../src/suite/resolved.ts";
import { llamaServerBinary, startLlamaServer, TINY_MODEL } from "../helpers/llama-server.ts";
import { collect, request, runnerContext } from "../helpers/runner-events.ts";
import { call } from "../helpers/summary-log.ts";

const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "energy", "cpus");
/** The recorded EPYC VM: a known row, whatever machine runs the test. */
const EPYC_VM = cpuIdentity(
  [{ model: "AMD EPYC" }, { model: "AMD EPYC" }],
  readFileSync(join(FIXTURES, "epyc-vm.cpuinfo"), "utf8"),
);

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function session(events: LogEvent[]): Promise<ModelSession> {
  const config = {
    id: "tiny",
    runner: "llamacpp",
    spawn: { binary: llamaServerBinary(), model: TINY_MODEL, threads: 1 },
  } as LlamaCppModel;
  const model = { id: "tiny", label: "tiny", runner: "llamacpp", config, concurrency: 1 } as ResolvedModel;
  const ctx = runnerContext();
  const started = await ModelSession.start({
    model,
    services: {
      runner: createLlamaCppRunner(config),
      locality: "local",
      // No meter tried, no RAPL limit: the power table for the recorded CPU.
      energy: { monitor: { sources: [], raplRoot: "/nonexistent", cpu: EPYC_VM }, idleMs: 0 },
    },
    runDir: ctx.runDir,
    baseDir: ctx.runDir,
    concurrency: 1,
    signal: new AbortController().signal,
    append: (e) => events.push(e),
  });
  if (!started.session) throw started.error;
  stops.push(() => started.session.stop());
  return started.session;
}

/** One measured call through the session's window. */
async function measuredCall(s: ModelSession, index: number): Promise<void> {
  const ticket = s.measuring!.dispatch();
  const sent = performance.timeOrigin + performance.now();
  await collect(s.runner, request({ maxTokens: 16 }));
  const e2e = performance.timeOrigin + performance.now() - sent;
  s.measuring!.add(
    ticket,
    call("tiny", index, { model: "tiny", item: `tiny|t|0|${index + 1}`, e2e_ms: e2e }),
    sent,
  );
}

describe.runIf(process.platform === "linux")("a spawned llama-server's CPU time", () => {
  it("is the window's compute and the modelled energy's utilisation; model_start names the row and source", async () => {
    const events: LogEvent[] = [];
    const s = await session(events);
    await s.beginMeasured();
    for (let i = 0; i < 3; i++) await measuredCall(s, i);
    await s.endMeasured();
    const start = events.find((e): e is ModelStartEvent => e.type === "model_start")!;
    const pid = (start.backend!.spawn as { pid: number }).pid;
    expect(start.energy).toMatchObject({
      method: "modelled",
      table_row: expect.stringContaining('"AMD EPYC 3rd Gen"'),
      utilisation_source: `/proc/${pid}/stat of the server process (utime + stime)`,
    });
    const window = events.find((e): e is ModelEnergyEvent => e.type === "model_energy")!;
    expect(window.cpu_s).toBeGreaterThan(0);
    expect(window.gpu_s).toBeNull();
    expect(window.utilisation_source).toBe(start.energy!.utilisation_source);
    // 2 vCPUs × 0.45 W × busy + CPU time × 1.57 W + resident memory × 0.392 W/GB × busy.
    const busyS = window.busy_ms / 1000;
    expect(window.gross_j).toBeGreaterThan(2 * 0.45 * busyS + window.cpu_s! * 1.57);
    expect(window.net_j).toBeCloseTo(window.cpu_s! * (2.02 - 0.45), 9);
    expect(window.low_j).toBeCloseTo(window.gross_j! / 2, 9);
    const shares = window.calls.reduce((sum, c) => sum + (c.cpu_s ?? 0), 0);
    expect(shares).toBeCloseTo(window.cpu_s!, 9);
  });

  it("leaves a partial estimate with a note when the server dies mid-window", async () => {
    const events: LogEvent[] = [];
    const s = await session(events);
    const pid = (s.backend!.spawn as { pid: number }).pid;
    await s.beginMeasured();
    await measuredCall(s, 0);
    await new Promise((resolve) => setTimeout(resolve, 1200)); // one CPU reading after the call
    process.kill(pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 300));
    await s.endMeasured();
    const window = events.find((e): e is ModelEnergyEvent => e.type === "model_energy")!;
    expect(window.cpu_s).toBeGreaterThan(0);
    expect(window.gross_j).toBeGreaterThan(0);
    expect(window.notes.join("\n")).toMatch(new RegExp(`serving process \\(pid ${pid}\\).*partial estimate`));
  });

  it("an attached server on localhost is found by its port: its CPU time is read too", async () => {
    const server = await startLlamaServer();
    stops.push(() => server.stop());
    const runner = createLlamaCppRunner({
      id: "attached",
      runner: "llamacpp",
      url: server.url,
    } as LlamaCppModel);
    stops.push(async () => runner.shutdown?.());
    const backend = await runner.startup!(runnerContext());
    expect(runner.servingProcess?.()).toEqual({ pid: server.process.pid });
    expect(backend?.serving_pid).toBe(server.process.pid);
    // This host's GPU decides the device: with none, an attached local server runs on the CPU.
    if (linuxHostHasNoGpu() === true) expect(backend?.device).toBe("cpu");
    else expect(backend?.device).toBeUndefined();
  });
});
