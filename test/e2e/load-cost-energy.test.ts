/**
 * Cost and energy of load steps: the fold on hand-computed events (a local step's window with its
 * shares listed apart, an API step's prices, an older log without them); a local model's sweep
 * with a stand-in meter of known power (one energy window per step); and an API model priced
 * through `opbench load` against a local server playing the OpenAI API.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadCommand } from "../../src/cli/load-command.ts";
import type {
  CallRecord,
  LoadCallEvent,
  LoadStartEvent,
  LogEvent,
  ModelEnergyEvent,
  RunStartEvent,
} from "../../src/core/records.ts";
import type { EnergySource } from "../../src/energy/types.ts";
import { nowMs } from "../../src/energy/types.ts";
import { resolveLoad } from "../../src/load/config.ts";
import { type LoadSummary, LoadSummaryBuilder, summarizeLoadRun } from "../../src/load/summary.ts";
import { runLoad } from "../../src/load/sweep.ts";
import { describeSuite } from "../../src/suite/describe.ts";
import { readEvents } from "../helpers/cli.ts";
import { type FaultServer, startFaultServer } from "../helpers/fault-server.ts";
import { ScriptedRunner, tinySuite } from "../helpers/scripted-runner.ts";

/** A meter drawing `watts` constantly: cumulative joules = watts × seconds since start. */
function constantPower(watts: number): EnergySource {
  const started = nowMs();
  return {
    method: "rapl",
    description: `test meter at ${watts} W`,
    start: async () => {},
    read: async () => {
      const t = nowMs();
      return { t, joules: (watts * (t - started)) / 1000 };
    },
    stop: async () => {},
  };
}

const at = "2026-01-01T00:00:00.000Z";

/** A load call of step 0: `seq`, warm-up or not, with its record's fields. */
function loadCall(seq: number, warmup: boolean, fields: Partial<CallRecord> = {}): LoadCallEvent {
  const call = {
    v: 1,
    type: "call",
    item: `m|load|0|${seq}`,
    attempt: 1,
    model: "m",
    task: "t",
    case_id: "1",
    case_index: 0,
    cluster: null,
    repeat: 0,
    warmup,
    started_at: at,
    ok: true,
    ttft_ms: 10,
    ttft_reasoning_ms: null,
    e2e_ms: 100,
    chunk_gaps_ms: [],
    tpot_ms: 5,
    output_tps: null,
    queue_ms: null,
    input_tokens: 10,
    cached_input_tokens: null,
    cache_write_input_tokens: null,
    output_tokens: 4,
    reasoning_tokens: null,
    tokens_source: "server",
    server: null,
    output: "abcd",
    reasoning: null,
    finish_reason: "stop",
    response_id: null,
    model_snapshot: null,
    expected: null,
    scores: [],
    cost_usd: null,
    energy_j: null,
    energy_source: null,
    error: null,
    backoff_ms: null,
    rate_wait_ms: null,
    will_retry: false,
    ...fields,
  } satisfies CallRecord;
  return {
    v: 1,
    type: "load_call",
    step: 0,
    seq,
    intended_ms: seq * 100,
    sent_ms: seq * 100,
    done_ms: seq * 100 + 100,
    dispatch_delay_ms: 0,
    in_flight: 1,
    call,
  };
}

/** run_start (its suite describing model m with `hardware`), model_start, load_start: a sweep's first events. */
function sweepStart(locality: LoadStartEvent["locality"], hardware?: Record<string, number>): LogEvent[] {
  const runStart = {
    type: "run_start",
    suite: { resolved: { models: [{ id: "m", config: { id: "m", ...(hardware && { hardware }) } }] } },
  } as unknown as RunStartEvent;
  return [
    runStart,
    { v: 1, type: "model_start", model: "m", runner: "llamacpp", at, backend: null },
    {
      v: 1,
      type: "load_start",
      at,
      model: "m",
      mode: "concurrency",
      slo: {},
      attainment: 0.9,
      ...(locality && { locality }),
      settings: {},
    },
    {
      v: 1,
      type: "load_step_start",
      step: 0,
      at,
      concurrency: 1,
      rate_per_s: null,
      server_metrics: null,
    },
  ];
}

const stepEnd: LogEvent = {
  v: 1,
  type: "load_step_end",
  step: 0,
  at,
  status: "completed",
  not_dispatched: 0,
  not_dispatched_measured: 0,
  server_metrics: null,
};

function fold(events: LogEvent[]): LoadSummary {
  const builder = new LoadSummaryBuilder();
  for (const event of events) builder.add(event);
  return builder.result()!;
}

describe("a load step's cost and energy, folded from the log", () => {
  it("local: the measured calls' shares of the step's window, and a local cost from them", () => {
    // 3.6 $/kWh makes 1 J cost $1e-6; 2 $/hour makes 1 busy second cost $1/1800.
    const hardware = { usd_per_kwh: 3.6, usd_per_hour: 2 };
    const window: ModelEnergyEvent = {
      v: 1,
      type: "model_energy",
      model: "m",
      at,
      method: "rapl",
      energy_source: "measured-cpu",
      description: "test",
      duration_ms: 400,
      busy_ms: 300,
      gross_j: 8,
      net_j: 6,
      idle_w: 5,
      low_j: null,
      high_j: null,
      unattributed_j: 1,
      notes: [],
      calls: [], // listed in the model_energy_calls event that follows (a large window's layout)
    };
    const summary = fold([
      ...sweepStart("local", hardware),
      loadCall(0, true),
      loadCall(1, false),
      loadCall(2, false),
      window,
      {
        v: 1,
        type: "model_energy_calls",
        model: "m",
        calls: [
          { item: "m|load|0|0", attempt: 1, energy_j: 4, net_energy_j: 3 },
          { item: "m|load|0|1", attempt: 1, energy_j: 1, net_energy_j: 0.5 },
          { item: "m|load|0|2", attempt: 1, energy_j: 2, net_energy_j: 1.5 },
        ],
      },
      stepEnd,
    ]);
    const step = summary.steps[0]!;
    // The warm-up call's 4 J is the window's, not the step's: 1 + 2 J over two calls, 8 output tokens.
    expect(step.energy).toMatchObject({
      source: "measured-cpu",
      total_j: 3,
      net_total_j: 2,
      per_call_j: 1.5,
      per_output_token_j: 3 / 8,
    });
    expect(step.energy_window).toMatchObject({ gross_j: 8, net_j: 6, busy_ms: 300, idle_w: 5 });
    // Busy time: 0.3 s × the measured share of the window's attributed energy (3 of 7 J).
    const busySeconds = 0.3 * (3 / 7);
    expect(step.cost.source).toBe("local-estimate");
    expect(step.cost.local?.electricity_usd).toBeCloseTo(3e-6, 15);
    expect(step.cost.local?.hardware_usd).toBeCloseTo((busySeconds * 2) / 3600, 15);
    expect(step.cost.total_usd).toBeCloseTo(3e-6 + (busySeconds * 2) / 3600, 15);
    expect(step.cost.per_call_usd).toBeCloseTo(step.cost.total_usd! / 2, 15);
  });

  it("local, modelled: the step keeps the window's band and its calls' compute", () => {
    const window: ModelEnergyEvent = {
      v: 1,
      type: "model_energy",
      model: "m",
      at,
      method: "modelled",
      energy_source: "modelled",
      description: "modelled: AMD EPYC 3rd Gen (2 vCPUs × 0.45–2.02 W per vCPU, Cloud Carbon Footprint)",
      duration_ms: 400,
      busy_ms: 300,
      gross_j: 8,
      net_j: 4,
      idle_w: null,
      low_j: 4,
      high_j: 12,
      unattributed_j: null,
      cpu_s: 0.6,
      gpu_s: null,
      notes: [],
      calls: [
        { item: "m|load|0|0", attempt: 1, energy_j: 2, net_energy_j: null, cpu_s: 0.1, gpu_s: null },
        { item: "m|load|0|1", attempt: 1, energy_j: 2, net_energy_j: null, cpu_s: 0.2, gpu_s: null },
        { item: "m|load|0|2", attempt: 1, energy_j: 4, net_energy_j: null, cpu_s: 0.3, gpu_s: null },
      ],
    };
    const step = fold([
      ...sweepStart("local", {}),
      loadCall(0, true),
      loadCall(1, false),
      loadCall(2, false),
      window,
      stepEnd,
    ]).steps[0]!;
    // The warm-up call is the window's, not the step's: 2 + 4 J and 0.2 + 0.3 CPU-s over two calls.
    expect(step.energy).toMatchObject({
      source: "modelled",
      total_j: 6,
      per_call_j: 3,
      band: { low: 0.5, high: 1.5 },
    });
    expect(step.energy.per_call_low_j).toBeCloseTo(1.5, 12);
    expect(step.compute).toMatchObject({ gpu_s: null });
    expect(step.compute!.cpu_core_s).toBeCloseTo(0.5, 12);
    expect(step.compute!.per_call_cpu_core_s).toBeCloseTo(0.25, 12);
  });

  it("api: the measured calls' prices; one call priced unknown makes the total unknown", () => {
    const priced = fold([
      ...sweepStart("api"),
      loadCall(0, true, { cost_usd: 1 }),
      loadCall(1, false, { cost_usd: 0.25, energy_j: 10, energy_source: "published-estimate" }),
      loadCall(2, false, { cost_usd: 0.5, energy_j: 20, energy_source: "published-estimate" }),
      stepEnd,
    ]).steps[0]!;
    expect(priced.cost).toMatchObject({
      source: "api",
      total_usd: 0.75,
      per_call_usd: 0.375,
      per_1k_calls_usd: 375,
      unknown_calls: 0,
    });
    expect(priced.energy).toMatchObject({
      source: "published-estimate",
      total_j: 30,
      per_output_token_j: 30 / 8,
    });
    expect(priced.energy_window).toBeNull();

    const unknown = fold([
      ...sweepStart("api"),
      loadCall(1, false, { cost_usd: 0.25 }),
      loadCall(2, false, { cost_usd: null }),
      stepEnd,
    ]).steps[0]!;
    expect(unknown.cost).toMatchObject({ total_usd: null, unknown_calls: 1 });
  });

  it("a log written before load steps had a cost: unknown, not $0", () => {
    const step = fold([...sweepStart(undefined), loadCall(1, false), stepEnd]).steps[0]!;
    expect(step.cost).toMatchObject({ source: null, total_usd: null, per_call_usd: null });
    expect(step.energy).toMatchObject({ source: null, total_j: null });
  });
});

describe("a local model's sweep with a meter", () => {
  it("opens one energy window per step, warm-up included, and gives each step its measured calls' energy", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-load-energy-"));
    const cases = ["a", "b", "c"].map((prompt, i) => ({ id: String(i + 1), prompt }));
    const runner = new ScriptedRunner(() => ({ kind: "ok", text: "XXXXXXXX", chunks: 8, outputTokens: 8 }));
    const suite = tinySuite({ cases });
    const hardware = { usd_per_kwh: 0.36 };
    suite.models[0]!.config = { ...suite.models[0]!.config, hardware };
    const result = await runLoad({
      suite,
      model: suite.models[0]!,
      load: resolveLoad(undefined, { concurrency: "1,2", requests: 6, warmup: 1 }),
      runDir,
      describedSuite: describeSuite(suite),
      prepareModel: () => ({
        runner,
        locality: "local",
        energy: { monitor: { sources: [constantPower(50)], pollMs: 5, hardware }, idleMs: 30 },
      }),
      signal: new AbortController().signal,
    });
    expect(result.status).toBe("completed");
    const events = readEvents(runDir);
    // Each step's window is logged inside the step, after its calls.
    const order = events
      .map((e) => e.type)
      .filter((t) => t.startsWith("load_step") || t === "model_energy" || t === "model_start");
    expect(order).toEqual([
      "model_start",
      "load_step_start",
      "model_energy",
      "load_step_end",
      "load_step_start",
      "model_energy",
      "load_step_end",
    ]);
    const windows = events.filter((e): e is ModelEnergyEvent => e.type === "model_energy");
    const summary = result.summary!;
    for (const [step, window] of windows.entries()) {
      expect(window).toMatchObject({ model: "m", method: "rapl", energy_source: "measured-cpu" });
      expect(window.idle_w!).toBeGreaterThan(45); // idle measured once, at start, at the meter's 50 W
      expect(window.idle_w!).toBeLessThan(55);
      // The step's 1 warm-up and 6 measured calls, and no other step's.
      expect(window.calls.map((c) => c.item).sort()).toEqual(
        Array.from({ length: 7 }, (_, seq) => `m|load|${step}|${seq}`).sort(),
      );
      const measured = window.calls.filter((c) => c.item !== `m|load|${step}|0`);
      const measuredJ = measured.reduce((sum, c) => sum + c.energy_j, 0);
      const s = summary.steps[step]!;
      expect(s.energy.source).toBe("measured-cpu");
      expect(s.energy.total_j).toBeCloseTo(measuredJ, 9);
      expect(s.energy.per_output_token_j).toBeCloseTo(measuredJ / 48, 9);
      expect(s.energy_window?.gross_j).toBe(window.gross_j);
      expect(s.cost.source).toBe("local-estimate");
      expect(s.cost.total_usd).toBeCloseTo((measuredJ / 3.6e6) * 0.36, 15); // electricity only
    }
    expect(summary).toEqual(await summarizeLoadRun(runDir));
    expect([runner.started, runner.stopped]).toEqual([1, 1]);
  });
});

/** An OpenAI chat stream of four one-letter chunks, 10 prompt and 4 completion tokens. */
const CHAT_STREAM = [
  ...["a", "b", "c", "d"].map((text) => ({ choices: [{ index: 0, delta: { content: text } }] })),
  { choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
  { choices: [], usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } },
]
  .map((chunk) => `data: ${JSON.stringify({ id: "chatcmpl-1", model: "tiny", ...chunk })}\n\n`)
  .concat("data: [DONE]\n\n")
  .join("");

describe("an API model's sweep through opbench load", () => {
  let server: FaultServer;
  beforeAll(async () => {
    server = await startFaultServer(() => ({ kind: "sse", text: CHAT_STREAM }));
    vi.stubEnv("OPENAI_API_KEY", "sk-local-test");
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await server.close();
  });

  it("prices every call and gives each step its measured calls' cost in load.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-load-cost-"));
    const suitePath = join(dir, "suite.yaml");
    // $0.001 a token: each call (10 in, 4 out) costs $0.014.
    writeFileSync(
      suitePath,
      [
        "name: load-cost",
        "defaults: {max_tokens: 16}",
        "models:",
        `  - {id: api, runner: openai, model: tiny, base_url: "${server.url}/v1", price: {input_per_mtok: 1000, output_per_mtok: 1000}}`,
        "tasks:",
        "  - {id: t, prompt: 'Q: {{q}}', dataset: [{q: a}, {q: b}]}",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const code = await loadCommand({ suite: suitePath, concurrency: "1,2", requests: 4, warmup: 1, out });
    expect(code).toBe(0);
    const calls = readEvents(out).filter((e): e is LoadCallEvent => e.type === "load_call");
    expect(calls).toHaveLength(10);
    for (const c of calls) expect(c.call.cost_usd).toBeCloseTo(0.014, 12);
    const summary = JSON.parse(readFileSync(join(out, "load.json"), "utf8")) as LoadSummary;
    expect(summary.steps).toHaveLength(2);
    for (const step of summary.steps) {
      // The warm-up call is priced in the log but is no part of the step's cost.
      expect(step.cost.source).toBe("api");
      expect(step.cost.total_usd).toBeCloseTo(4 * 0.014, 12);
      expect(step.cost.per_call_usd).toBeCloseTo(0.014, 12);
      expect(step.cost.unknown_calls).toBe(0);
      expect(step.energy_window).toBeNull();
    }
    expect(summary).toEqual(await summarizeLoadRun(out));
  }, 60_000);
});
