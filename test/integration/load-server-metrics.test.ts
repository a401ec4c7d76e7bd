import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import {
  MetricsWatch,
  metricValues,
  scrapeMetrics,
  serverMetricsDelta,
} from "../../src/load/server-metrics.ts";

/** /metrics text in llama-server's layout (tools/server/server-task.cpp, to_metrics()). */
function llamaMetrics(v: {
  prompt: number;
  predicted: number;
  decodes: number;
  busy: number;
  processing: number;
  deferred: number;
}): string {
  return [
    "# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens",
    "# TYPE llamacpp:prompt_tokens_total counter",
    `llamacpp:prompt_tokens_total ${v.prompt}`,
    "# TYPE llamacpp:tokens_predicted_total counter",
    `llamacpp:tokens_predicted_total ${v.predicted}`,
    "# TYPE llamacpp:n_decode_total counter",
    `llamacpp:n_decode_total ${v.decodes}`,
    "# TYPE llamacpp:requests_processing gauge",
    `llamacpp:requests_processing ${v.processing}`,
    "# TYPE llamacpp:requests_deferred gauge",
    `llamacpp:requests_deferred ${v.deferred}`,
    "# TYPE llamacpp:n_busy_slots_per_decode gauge",
    `llamacpp:n_busy_slots_per_decode ${v.busy}`,
    'llamacpp:spec_decode_num_accepted_tokens_per_pos_total{position="0"} 3',
    "",
  ].join("\n");
}

describe("metricValues", () => {
  it("keys series by name, and by name with sorted labels", () => {
    const values = metricValues(
      [
        llamaMetrics({ prompt: 10, predicted: 20, decodes: 5, busy: 1, processing: 0, deferred: 0 }),
        'x{b="2",a="1"} 4',
      ].join("\n"),
    );
    expect(values["llamacpp:prompt_tokens_total"]).toBe(10);
    expect(values['llamacpp:spec_decode_num_accepted_tokens_per_pos_total{position="0"}']).toBe(3);
    expect(values['x{a="1",b="2"}']).toBe(4);
  });
});

describe("serverMetricsDelta", () => {
  const url = "http://server/metrics";
  const before = {
    url,
    values: metricValues(
      llamaMetrics({ prompt: 400, predicted: 5000, decodes: 1000, busy: 1.5, processing: 0, deferred: 0 }),
    ),
  };

  it("differences counters and recovers the step's mean busy slots per decode", () => {
    const afterValues = metricValues(
      llamaMetrics({ prompt: 520, predicted: 5800, decodes: 1200, busy: 1.75, processing: 0, deferred: 0 }),
    );
    const delta = serverMetricsDelta(before, {
      url,
      values: afterValues,
      max: { ...afterValues, "llamacpp:requests_processing": 4, "llamacpp:requests_deferred": 2 },
      scrapes: 5,
    });
    expect(delta.counters).toEqual({
      "llamacpp:prompt_tokens_total": 120,
      "llamacpp:tokens_predicted_total": 800,
      "llamacpp:n_decode_total": 200,
      'llamacpp:spec_decode_num_accepted_tokens_per_pos_total{position="0"}': 0,
    });
    // Busy slot-decodes: 1.5 × 1000 = 1500 before, 1.75 × 1200 = 2100 after: 600 over 200 decodes.
    expect(delta.busy_slots_per_decode).toBeCloseTo(3, 10);
    expect(delta.gauges_max["llamacpp:requests_processing"]).toBe(4);
    expect(delta.gauges_max["llamacpp:requests_deferred"]).toBe(2);
    expect(delta.scrapes).toBe(5);
    expect(delta.approximate).toBe(false);
  });

  it("has no busy-slot figure without decodes, and flags values past llama-server's 6 digits", () => {
    const same = serverMetricsDelta(before, { ...before, max: before.values, scrapes: 2 });
    expect(same.busy_slots_per_decode).toBeNull();
    const big = metricValues(
      llamaMetrics({
        prompt: 520,
        predicted: 1.23457e6,
        decodes: 1200,
        busy: 1.75,
        processing: 0,
        deferred: 0,
      }),
    );
    expect(serverMetricsDelta(before, { url, values: big, max: big, scrapes: 2 }).approximate).toBe(true);
  });
});

describe("scrapeMetrics and MetricsWatch", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  /** Serves `respond(n)` for the n-th request (0-based); `served()` counts the requests so far. */
  async function serve(
    respond: (n: number) => { status: number; body: string },
  ): Promise<{ url: string; served: () => number }> {
    let n = 0;
    server = createServer((_, res) => {
      const { status, body } = respond(n++);
      res.writeHead(status, { "content-type": "text/plain" }).end(body);
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    return { url, served: () => n };
  }

  it("reports why a server without --metrics cannot be scraped", async () => {
    const { url } = await serve(() => ({
      status: 501,
      body: '{"error":{"message":"This server does not support metrics endpoint. Start it with `--metrics`"}}',
    }));
    await expect(scrapeMetrics(url)).rejects.toThrow(/HTTP 501.*--metrics/);
  });

  it("polls during a step and keeps each series' peak, the final scrape included", async () => {
    const processing = [0, 3, 4, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const { url, served } = await serve((n) => ({
      status: 200,
      body: llamaMetrics({
        prompt: n,
        predicted: 10 * n,
        decodes: n,
        busy: 1,
        processing: processing[n] ?? 0,
        deferred: 0,
      }),
    }));
    const before = await scrapeMetrics(url); // request 0
    const watch = new MetricsWatch(url, before, 5);
    // Wait until the poller has read requests 1–5 (the peak is request 2).
    while (served() < 6) await new Promise((resolve) => setTimeout(resolve, 5));
    const after = await watch.finish();
    expect(after.max["llamacpp:requests_processing"]).toBe(4);
    expect(after.scrapes).toBe(served()); // before, every poll, and the final scrape
    expect(after.values["llamacpp:requests_processing"]).toBe(0);
    expect(after.values["llamacpp:tokens_predicted_total"]).toBe(10 * (served() - 1));
  });
});
