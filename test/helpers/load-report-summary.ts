/**
 * A hand-made load.json for the load report's tests: three concurrency steps, an e2e SLO, the
 * middle step named the highest throughput meeting it, the last step without cost or energy.
 */
import type { LoadStepSummary } from "../../src/load/step-summary.ts";
import { LOAD_SUMMARY_VERSION, type LoadSummary } from "../../src/load/summary.ts";
import type { LatencySummary } from "../../src/metrics/group.ts";

function latency(p50: number, p95: number): LatencySummary {
  return {
    n: 100,
    mean: p50,
    min: p50 / 2,
    max: p95 * 1.5,
    p50,
    p90: p95 * 0.9,
    p95,
    p99: p95 * 1.2,
    ci95: { p50: null, p90: null, p95: null, p99: null },
  } as LatencySummary;
}

function step(n: number, concurrency: number, rps: number, goodput: number, known = true): LoadStepSummary {
  const offered = 100;
  return {
    step: n,
    concurrency,
    rate_per_s: null,
    status: "completed",
    requests: { offered, succeeded: offered, failed: 0, not_dispatched: 0, warmup: 2 },
    duration_s: offered / rps,
    requests_per_s: rps,
    output_tokens_per_s: rps * 50,
    input_tokens_per_s: rps * 20,
    output_tokens_total: offered * 50,
    input_tokens_total: offered * 20,
    achieved_rate_per_s: null,
    peak_in_flight: concurrency,
    ttft_ms: latency(40 * concurrency, 80 * concurrency),
    tpot_ms: latency(10, 15),
    e2e_ms: latency(500 * concurrency, 900 * concurrency),
    ttft_corrected_ms: latency(40 * concurrency, 80 * concurrency),
    e2e_corrected_ms: latency(500 * concurrency, 900 * concurrency),
    dispatch_delay_ms: latency(0.1, 0.3),
    goodput: {
      met: Math.round(goodput * offered),
      offered,
      fraction: goodput,
      requests_per_s: rps * goodput,
    },
    errors: { total: 0, by_class: {}, examples: [] },
    cost: {
      source: known ? "local-estimate" : null,
      total_usd: known ? 0.01 * concurrency : null,
      per_call_usd: known ? 0.0001 * concurrency : null,
      per_1k_calls_usd: known ? 0.1 * concurrency : null,
      per_correct_usd: null,
      unknown_calls: 0,
      local: null,
    },
    energy: {
      source: known ? "modelled" : null,
      total_j: known ? 500 : null,
      total_wh: known ? 500 / 3600 : null,
      net_total_j: null,
      per_call_j: known ? 5 : null,
      per_output_token_j: known ? 0.1 : null,
      per_correct_j: null,
    },
    energy_window: null,
    server_metrics: null,
    server_metrics_error: null,
  };
}

export function loadReportSummary(): LoadSummary {
  return {
    load_version: LOAD_SUMMARY_VERSION,
    metrics_version: "1",
    run: null,
    model: "m",
    runner: "llamacpp",
    backend: null,
    mode: "concurrency",
    slo: { e2e_ms: 2500 },
    attainment: 0.9,
    settings: {},
    steps: [step(0, 1, 2, 1), step(1, 2, 3.5, 0.95), step(2, 4, 4, 0.5, false)],
    max_goodput_throughput: {
      step: 1,
      concurrency: 2,
      rate_per_s: null,
      requests_per_s: 3.5,
      output_tokens_per_s: 175,
      goodput: 0.95,
    },
    stopped: "levels_done",
  };
}
