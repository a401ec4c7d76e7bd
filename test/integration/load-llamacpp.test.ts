/**
 * Load mode against a REAL llama-server with 4 slots and /metrics on: a concurrency sweep
 * whose throughput rises from 1 to 4 callers (batched decoding, seen in the server's own
 * counters too), a Poisson rate step that sends on its schedule, and the CLI end to end.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel } from "../../runners/llamacpp-config.ts";
import { loadCommand } from "../../src/cli/load-command.ts";
import type { LoadCallEvent } from "../../src/core/records.ts";
import { poissonArrivals, stepSeed } from "../../src/load/arrivals.ts";
import { resolveLoad } from "../../src/load/config.ts";
import type { LoadStepSummary } from "../../src/load/step-summary.ts";
import type { LoadSummary } from "../../src/load/summary.ts";
import { runLoad } from "../../src/load/sweep.ts";
import { loadSuite } from "../../src/suite/load.ts";
import type { ResolvedSuite } from "../../src/suite/resolved.ts";
import { startLlamaServer, type TestServer } from "../helpers/llama-server.ts";

const PREDICTED = "llamacpp:tokens_predicted_total";

function loadCalls(runDir: string): LoadCallEvent[] {
  return readFileSync(join(runDir, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string })
    .filter((e): e is LoadCallEvent => e.type === "load_call");
}

const sum = (values: (number | null)[]) => values.reduce<number>((a, b) => a + (b ?? 0), 0);

describe("opbench load against a real llama-server (4 slots, --metrics)", () => {
  let server: TestServer;
  let dir: string;
  let suitePath: string;
  let suite: ResolvedSuite;

  beforeAll(async () => {
    server = await startLlamaServer({ slots: 4, args: ["--metrics"] });
    dir = mkdtempSync(join(tmpdir(), "opbench-load-e2e-"));
    const rows = Array.from({ length: 8 }, (_, i) => `      - {q: "tell me about item number ${i}"}`);
    suitePath = join(dir, "suite.yaml");
    // ignore_eos: every call decodes exactly max_tokens, so decoding dominates each call.
    writeFileSync(
      suitePath,
      [
        "name: load-e2e",
        "defaults: {temperature: 0, seed: 1, max_tokens: 256}",
        "models:",
        `  - {id: tiny, runner: llamacpp, url: "${server.url}", extra_body: {ignore_eos: true}}`,
        "tasks:",
        "  - id: chat",
        "    prompt: 'Answer: {{q}}'",
        "    dataset:",
        ...rows,
      ].join("\n"),
    );
    suite = await loadSuite(suitePath);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function sweep(
    flags: Parameters<typeof resolveLoad>[1],
  ): Promise<{ summary: LoadSummary; runDir: string }> {
    const runDir = mkdtempSync(join(dir, "run-"));
    const result = await runLoad({
      suite,
      model: suite.models[0]!,
      load: resolveLoad(undefined, flags),
      runDir,
      prepareModel: (model) => ({
        runner: createLlamaCppRunner(model.config as LlamaCppModel),
        locality: "local",
      }),
      signal: new AbortController().signal,
    });
    expect(result.status).toBe("completed");
    return { summary: result.summary!, runDir };
  }

  it("a concurrency sweep: 4 callers on 4 slots give more throughput than 1, and the server batches them", async () => {
    // Each level runs twice, alternating, and the best run of each counts: CPU contention from
    // other tests (2 cores) can only slow a step down, so the best run is the least disturbed.
    const { summary, runDir } = await sweep({ concurrency: "1,2,4,1,4", requests: 16 });
    const steps = summary.steps;
    expect(steps.map((s) => s.concurrency)).toEqual([1, 2, 4, 1, 4]);
    for (const s of steps) {
      expect(s.requests).toMatchObject({ offered: 16, succeeded: 16, failed: 0 });
      expect(s.peak_in_flight).toBe(s.concurrency);
      expect(s.output_tokens_total).toBe(16 * 256);
    }
    const best = (c: number) =>
      Math.max(...steps.filter((s) => s.concurrency === c).map((s) => s.output_tokens_per_s!));
    expect(best(4)).toBeGreaterThan(1.3 * best(1));

    // The server's own counters, from /metrics before and after each step.
    const calls = loadCalls(runDir);
    for (const s of steps) {
      const ofStep = calls.filter((c) => c.step === s.step);
      const metrics = s.server_metrics!;
      expect(metrics.counters[PREDICTED]).toBe(sum(ofStep.map((c) => c.call.output_tokens)));
      const prompt =
        metrics.counters["llamacpp:prompt_tokens_total"]! +
        metrics.counters["llamacpp:prompt_tokens_cached_total"]!;
      expect(prompt).toBe(sum(ofStep.map((c) => c.call.input_tokens)));
    }
    // One caller: every llama_decode() ran one slot. Four callers: batches of several slots.
    const busy = (s: LoadStepSummary) => s.server_metrics!.busy_slots_per_decode!;
    for (const s of steps.filter((x) => x.concurrency === 1)) expect(busy(s)).toBeCloseTo(1, 2);
    for (const s of steps.filter((x) => x.concurrency === 4)) expect(busy(s)).toBeGreaterThan(2);
    // With no SLO every successful call counts; the best step is one of the 2- or 4-caller steps.
    expect(summary.max_goodput_throughput?.concurrency).toBeGreaterThan(1);
  }, 180_000);

  it("a Poisson rate step sends on its seeded schedule, records dispatch delays ≥ 0 and about the requested rate", async () => {
    const { summary, runDir } = await sweep({ rates: "20", requests: 40, seed: 5 });
    const step = summary.steps[0]!;
    expect(step.requests).toMatchObject({ offered: 40, succeeded: 40, not_dispatched: 0 });
    const schedule: number[] = [];
    for (const t of poissonArrivals(20, stepSeed(5, 0))) {
      if (schedule.length === 40) break;
      schedule.push(t);
    }
    // The schedule itself averages close to 20/s: 39 gaps over its span.
    const scheduledRate = 39 / ((schedule[39]! - schedule[0]!) / 1000);
    expect(scheduledRate).toBeGreaterThan(14);
    expect(scheduledRate).toBeLessThan(28);
    const calls = loadCalls(runDir).sort((a, b) => a.seq - b.seq);
    expect(calls).toHaveLength(40);
    calls.forEach((c, i) => {
      expect(c.intended_ms).toBeCloseTo(schedule[i]!, 3);
      expect(c.dispatch_delay_ms).toBeGreaterThanOrEqual(0);
      expect(c.sent_ms).toBeCloseTo(c.intended_ms + c.dispatch_delay_ms!, 2); // each rounded to µs
    });
    // Sends keep to the schedule's rate: lateness does not accumulate (times are absolute).
    expect(step.achieved_rate_per_s!).toBeGreaterThan(0.85 * scheduledRate);
    expect(step.achieved_rate_per_s!).toBeLessThan(1.15 * scheduledRate);
    expect(step.dispatch_delay_ms?.n).toBe(40);
    expect(step.e2e_corrected_ms!.p50).toBeGreaterThanOrEqual(step.e2e_ms!.p50);
    expect(step.server_metrics!.counters[PREDICTED]).toBe(40 * 256);
  }, 120_000);

  it("the CLI writes events.jsonl and load.json, and rejects settings that cannot run", async () => {
    const out = join(dir, "cli-run");
    const code = await loadCommand({
      suite: suitePath,
      concurrency: "2",
      requests: 4,
      maxTokens: 16,
      slo: "e2e_ms=60000",
      out,
      json: false,
    });
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, "load.json"), "utf8")) as LoadSummary;
    expect(summary).toMatchObject({
      model: "tiny",
      runner: "llamacpp",
      mode: "concurrency",
      slo: { e2e_ms: 60000 },
    });
    expect(summary.steps[0]).toMatchObject({
      concurrency: 2,
      requests: { succeeded: 4 },
      output_tokens_total: 64,
    });
    expect(summary.steps[0]!.goodput.fraction).toBe(1);
    expect(summary.steps[0]!.server_metrics?.counters[PREDICTED]).toBe(64);
    expect(summary.max_goodput_throughput?.step).toBe(0);

    expect(await loadCommand({ suite: suitePath, mode: "rate" })).toBe(2);
    expect(await loadCommand({ suite: suitePath, model: "nope" })).toBe(2);
  }, 120_000);
});
