import { describe, expect, it } from "vitest";
import type {
  CallRecord,
  LoadCallEvent,
  LoadStepEndEvent,
  LoadStepStartEvent,
} from "../../src/core/records.ts";
import { StepAccumulator } from "../../src/load/step-summary.ts";
import { LoadSummaryBuilder } from "../../src/load/summary.ts";

function record(fields: Partial<CallRecord>): CallRecord {
  return {
    v: 1,
    type: "call",
    item: "m|load|0|0",
    attempt: 1,
    model: "m",
    task: "t",
    case_id: "1",
    case_index: 0,
    cluster: null,
    repeat: 0,
    warmup: false,
    started_at: "2026-01-01T00:00:00.000Z",
    ok: true,
    ttft_ms: null,
    ttft_reasoning_ms: null,
    e2e_ms: null,
    chunk_gaps_ms: [],
    tpot_ms: null,
    output_tps: null,
    queue_ms: null,
    input_tokens: 10,
    cached_input_tokens: null,
    cache_write_input_tokens: null,
    output_tokens: null,
    reasoning_tokens: null,
    tokens_source: "server",
    server: null,
    output: "",
    reasoning: null,
    finish_reason: "length",
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
  };
}

function call(
  seq: number,
  intended: number,
  sent: number | null,
  done: number,
  inFlight: number,
  fields: Partial<CallRecord>,
): LoadCallEvent {
  return {
    v: 1,
    type: "load_call",
    step: 0,
    seq,
    intended_ms: intended,
    sent_ms: sent,
    done_ms: done,
    dispatch_delay_ms: sent === null ? null : sent - intended,
    in_flight: inFlight,
    call: record(fields),
  };
}

const url = "http://s/metrics";
const start: LoadStepStartEvent = {
  v: 1,
  type: "load_step_start",
  step: 0,
  at: "2026-01-01T00:00:00.000Z",
  concurrency: null,
  rate_per_s: 10,
  server_metrics: {
    url,
    values: { "llamacpp:tokens_predicted_total": 1000, "llamacpp:requests_deferred": 0 },
  },
};
const end: LoadStepEndEvent = {
  v: 1,
  type: "load_step_end",
  step: 0,
  at: "2026-01-01T00:00:02.000Z",
  status: "completed",
  not_dispatched: 1,
  not_dispatched_measured: 1,
  server_metrics: {
    url,
    values: { "llamacpp:tokens_predicted_total": 1331, "llamacpp:requests_deferred": 0 },
    max: { "llamacpp:tokens_predicted_total": 1331, "llamacpp:requests_deferred": 3 },
    scrapes: 4,
  },
};

/**
 * A rate step by hand, SLO ttft ≤ 100 ms and e2e ≤ 1000 ms (from the intended time):
 * warm-up: excluded. A: delay 1, ttft 50 → 51, e2e 500 → 501: meets.
 * B: delay 60, ttft 45 → 105: misses. C: failed (http_5xx): misses.
 * D: delay 0, e2e 1100: misses. One more measured arrival was not sent: misses.
 */
const events = [
  call(0, 0, 0.5, 300, 1, { warmup: true, ttft_ms: 1, e2e_ms: 299.5, output_tokens: 90 }),
  call(1, 100, 101, 601, 2, { ttft_ms: 50, tpot_ms: 5, e2e_ms: 500, output_tokens: 91 }),
  call(2, 200, 260, 660, 3, { ttft_ms: 45, tpot_ms: 7, e2e_ms: 400, output_tokens: 50 }),
  call(3, 300, 302, 350, 2, {
    ok: false,
    input_tokens: null,
    error: { class: "http_5xx", message: "HTTP 503: busy", status: 503 },
  }),
  call(4, 400, 400, 1500, 1, { ttft_ms: 20, tpot_ms: 4, e2e_ms: 1100, output_tokens: 100 }),
];

describe("StepAccumulator", () => {
  const slo = { ttft_ms: 100, e2e_ms: 1000 };

  it("computes throughput over the measured window and goodput with errors and unsent arrivals as misses", () => {
    const step = new StepAccumulator(start, slo);
    for (const e of events) step.add(e);
    step.end(end);
    const s = step.summary();
    expect(s.status).toBe("completed");
    expect(s.requests).toEqual({ offered: 5, succeeded: 3, failed: 1, not_dispatched: 1, warmup: 1 });
    // Window: first measured intended send (100 ms) → last measured end (1500 ms) = 1.4 s.
    expect(s.duration_s).toBeCloseTo(1.4, 12);
    expect(s.requests_per_s).toBeCloseTo(3 / 1.4, 12);
    expect(s.output_tokens_total).toBe(241);
    expect(s.output_tokens_per_s).toBeCloseTo(241 / 1.4, 10);
    expect(s.input_tokens_total).toBe(30);
    // Measured sends at 101, 260, 302, 400 ms: 3 gaps over 0.299 s.
    expect(s.achieved_rate_per_s).toBeCloseTo(3 / 0.299, 10);
    expect(s.peak_in_flight).toBe(3);
    expect(s.goodput).toEqual({ met: 1, offered: 5, fraction: 0.2, requests_per_s: 1 / 1.4 });
    expect(s.errors).toEqual({ total: 1, by_class: { http_5xx: 1 }, examples: ["http_5xx: HTTP 503: busy"] });
  });

  it("reports raw and intended-time latencies, and dispatch delay", () => {
    const step = new StepAccumulator(start, slo);
    for (const e of events) step.add(e);
    const s = step.summary();
    expect([s.ttft_ms?.min, s.ttft_ms?.p50, s.ttft_ms?.max]).toEqual([20, 45, 50]);
    expect([s.ttft_corrected_ms?.min, s.ttft_corrected_ms?.p50, s.ttft_corrected_ms?.max]).toEqual([
      20, 51, 105,
    ]);
    expect([s.e2e_ms?.p50, s.e2e_corrected_ms?.p50]).toEqual([500, 501]);
    expect(s.tpot_ms?.p50).toBe(5);
    // Delays of measured calls: 1, 60, 2, 0 (the failed call was sent, so it has one).
    expect(s.dispatch_delay_ms).toMatchObject({ n: 4, min: 0, max: 60, p50: 1.5, mean: 15.75 });
  });

  it("differences the server's counters and keeps gauge peaks", () => {
    const step = new StepAccumulator(start, slo);
    step.end(end);
    const metrics = step.summary().server_metrics;
    expect(metrics?.counters).toEqual({ "llamacpp:tokens_predicted_total": 331 });
    expect(metrics?.gauges_max).toEqual({ "llamacpp:requests_deferred": 3 });
  });

  it("is incomplete with no end event, and empty statistics are null, not 0", () => {
    const s = new StepAccumulator(
      { ...start, server_metrics: null, server_metrics_error: "HTTP 501" },
      slo,
    ).summary();
    expect(s.status).toBe("incomplete");
    expect([s.duration_s, s.requests_per_s, s.output_tokens_per_s, s.ttft_ms, s.goodput.fraction]).toEqual([
      null,
      null,
      null,
      null,
      null,
    ]);
    expect(s.server_metrics).toBeNull();
    expect(s.server_metrics_error).toBe("HTTP 501");
  });
});

describe("LoadSummaryBuilder", () => {
  it("folds a load run's events into load.json's shape with the best step meeting the SLO", () => {
    const builder = new LoadSummaryBuilder();
    builder.add({
      v: 1,
      type: "load_start",
      at: "2026-01-01T00:00:00.000Z",
      model: "m",
      mode: "rate",
      slo: { ttft_ms: 100, e2e_ms: 1000 },
      attainment: 0.2,
      settings: { seed: 1 },
    });
    builder.add(start);
    for (const e of events) builder.add(e);
    builder.add(end);
    builder.add({ ...start, step: 1, rate_per_s: 20 });
    builder.add({ ...events[1]!, step: 1, seq: 0 });
    builder.add({ ...events[2]!, step: 1, seq: 1 }); // 1 of 2 meet: 50%
    builder.add({ ...end, step: 1, not_dispatched: 0, not_dispatched_measured: 0 });
    builder.add({ v: 1, type: "load_end", at: "2026-01-01T00:00:05.000Z", reason: "levels_done" });
    const summary = builder.result()!;
    expect(summary.run).toBeNull(); // no run_start in this log
    expect(summary.steps.map((s) => [s.step, s.rate_per_s, s.goodput.fraction])).toEqual([
      [0, 10, 0.2],
      [1, 20, 0.5],
    ]);
    // Step 1: 2 ok over 100 → 660 ms = 0.56 s: 3.57 req/s beats step 0's 2.14.
    expect(summary.max_goodput_throughput).toMatchObject({ step: 1, rate_per_s: 20, goodput: 0.5 });
    expect(summary.max_goodput_throughput?.requests_per_s).toBeCloseTo(2 / 0.56, 10);
    expect(summary.stopped).toBe("levels_done");
  });

  it("has no result for a log without a load run", () => {
    expect(new LoadSummaryBuilder().result()).toBeNull();
  });
});
