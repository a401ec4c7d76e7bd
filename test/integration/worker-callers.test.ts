/**
 * `--workers N`: calls made in caller threads give the same records as calls made on the main
 * thread — every call recorded once, scored the same, joined to the scripted server's truth —
 * and durations that agree with the server's (a call cannot take less time at the client than
 * the server spent on it), with send times on the main thread's clock.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SCRIPT, outputText } from "../../fixtures/scripted-server/script.ts";
import type { TruthRecord } from "../../fixtures/scripted-server/server.ts";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel } from "../../runners/llamacpp-config.ts";
import { benchCases, writeBenchSuite } from "../../scripts/bench/lib/cases.ts";
import { type ServerProcess, startServerProcess } from "../../scripts/bench/lib/server-process.ts";
import { CallError } from "../../src/core/errors.ts";
import { withWorkerCallers, workersUnsupported } from "../../src/engine/worker-callers.ts";
import { revivedError, serializedError } from "../../src/engine/worker-protocol.ts";
import { collect, request, textOf } from "../helpers/runner-events.ts";

const run = promisify(execFile);
const BIN = new URL("../../bin/opbench.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "opbench-workers-"));
let server: ServerProcess;

interface CallLine {
  type: string;
  ok: boolean;
  case_id: string;
  started_at: string;
  ttft_ms: number;
  e2e_ms: number;
  response_id: string;
  scores: { score: number }[];
  warmup: boolean;
}

beforeAll(async () => {
  server = await startServerProcess(DEFAULT_SCRIPT);
});
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function runWith(
  workers: number,
): Promise<{ calls: CallLine[]; truth: TruthRecord[]; events: CallLine[] }> {
  const work = join(dir, `w${workers}`);
  const suite = writeBenchSuite(work, {
    url: server.url,
    cases: benchCases(40, DEFAULT_SCRIPT),
    concurrency: 8,
    warmup: 0,
    stream: true,
  });
  await server.truth(true);
  await run(
    process.execPath,
    [
      BIN,
      "run",
      suite,
      "--out",
      join(work, "run"),
      "--no-progress",
      "--workers",
      String(workers),
      "-o",
      "summary-json",
    ],
    { env: { ...process.env, CI: "1" } },
  );
  const events = readFileSync(join(work, "run", "events.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CallLine);
  return { calls: events.filter((e) => e.type === "call"), truth: await server.truth(true), events };
}

describe("--workers", () => {
  it("records every call once, scored as on the main thread, with durations the server's truth bounds", async () => {
    const one = await runWith(1);
    const two = await runWith(2);
    for (const { calls, truth, events } of [one, two]) {
      expect(calls).toHaveLength(40);
      expect(calls.every((c) => c.ok && c.scores.every((s) => s.score === 1))).toBe(true);
      expect(truth).toHaveLength(40);
      const byId = new Map(truth.map((t) => [t.id, t]));
      const start = Date.parse((events[0] as unknown as { started_at: string }).started_at);
      for (const call of calls) {
        const server = byId.get(call.response_id);
        expect(server, call.response_id).toBeDefined();
        // Durations from the client's clock include the server's whole handling of the request.
        expect(call.e2e_ms).toBeGreaterThanOrEqual((server!.e2eMs ?? Number.POSITIVE_INFINITY) - 0.5);
        expect(call.ttft_ms).toBeGreaterThanOrEqual((server!.ttftMs ?? Number.POSITIVE_INFINITY) - 0.5);
        expect(call.ttft_ms).toBeLessThanOrEqual(call.e2e_ms);
        // Send times are on the main thread's clock: within the run, not shifted by a thread's origin.
        expect(Date.parse(call.started_at)).toBeGreaterThanOrEqual(start - 1);
      }
    }
    const cases = (calls: CallLine[]) => calls.map((c) => c.case_id).sort();
    expect(cases(two.calls)).toEqual(cases(one.calls));
  }, 120_000);

  it("makes the call in a thread and gives its event times on the main thread's clock", async () => {
    const config = { id: "scripted", runner: "llamacpp", url: server.url } as LlamaCppModel;
    const runner = withWorkerCallers(createLlamaCppRunner(config), config, 2);
    try {
      for (let i = 0; i < 3; i++) {
        const before = performance.now();
        const events = await collect(runner, request({ prompt: `case=w${i} hi` }));
        const after = performance.now();
        const sent = events.find((e) => e.type === "sent")!;
        const end = events.find((e) => e.type === "end")!;
        expect(textOf(events)).toBe(outputText(DEFAULT_SCRIPT));
        expect(sent.t).toBeGreaterThanOrEqual(before);
        expect(end.t).toBeGreaterThan(sent.t);
        expect(end.t).toBeLessThanOrEqual(after);
      }
    } finally {
      await runner.shutdown?.();
    }
  });

  it("passes an abort to the thread: the call fails with the abort's reason", async () => {
    const config = { id: "scripted", runner: "llamacpp", url: server.url } as LlamaCppModel;
    const runner = withWorkerCallers(createLlamaCppRunner(config), config, 1);
    try {
      const controller = new AbortController();
      const events = runner.generate(request({ prompt: "case=abort hi", signal: controller.signal }));
      setTimeout(() => controller.abort(new CallError("timeout", "the call took too long")), 1);
      await expect(collect({ generate: () => events }, request())).rejects.toMatchObject({
        errorClass: "timeout",
      });
    } finally {
      await runner.shutdown?.();
    }
  });

  it("drives a load step from threads: the step's count is the server's", async () => {
    const work = join(dir, "load");
    const suite = writeBenchSuite(work, {
      url: server.url,
      cases: benchCases(8, DEFAULT_SCRIPT),
      concurrency: 1,
      warmup: 0,
      stream: true,
    });
    await server.truth(true);
    const out = join(work, "run");
    await run(
      process.execPath,
      [BIN, "load", suite, "--out", out, "--workers", "2", "--concurrency", "4", "--requests", "30"].concat([
        "--no-server-metrics",
        "-o",
        "load-json",
      ]),
      { env: { ...process.env, CI: "1" } },
    );
    const loadJson = JSON.parse(readFileSync(join(out, "load.json"), "utf8"));
    const step = (Array.isArray(loadJson) ? loadJson : loadJson.steps)[0];
    expect(step.requests.succeeded).toBe(30);
    expect((await server.truth(true)).length).toBe(30);
    expect(step.ttft_ms.p50).toBeLessThanOrEqual(step.e2e_ms.p50);
  }, 120_000);

  it("says why a suite's model cannot use threads, and exits 2", async () => {
    const failed = await run(process.execPath, [BIN, "run", "--workers", "2", "--out", join(dir, "never")], {
      env: { ...process.env, CI: "1" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /workers: model \S+ cannot make its calls in threads: the embedded runner/,
    );
  });

  it("refuses models whose calls need the main thread's start-up, saying why", () => {
    expect(workersUnsupported({ id: "m", runner: "embedded" })).toMatch(/embedded/);
    expect(workersUnsupported({ id: "m", runner: "llamacpp", spawn: { model: "x.gguf" } })).toMatch(/url/);
    expect(workersUnsupported({ id: "m", runner: "llamacpp", url: "http://h", lora: ["a.gguf"] })).toMatch(
      /LoRA/,
    );
    expect(workersUnsupported({ id: "m", runner: "llamacpp", url: "http://h" })).toBeUndefined();
  });

  it("carries a call's error class, status and retry delay across threads", () => {
    const revived = revivedError(
      serializedError(new CallError("http_429", "slow down", { status: 429, retryAfterMs: 1500 })),
    );
    expect(revived).toBeInstanceOf(CallError);
    expect(revived).toMatchObject({
      errorClass: "http_429",
      status: 429,
      retryAfterMs: 1500,
      message: "slow down",
    });
    expect(revivedError(serializedError(new Error("boom")))).not.toBeInstanceOf(CallError);
  });
});
