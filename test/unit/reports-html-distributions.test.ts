/**
 * The HTML report's latency distributions on a hand-made log: which calls count (final
 * successes only), the quantile points (checked by hand), a bounded sample for a long run, the
 * CDF specs compiled by Vega-Lite with no warning, and a note when no call succeeded.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  collectDistributions,
  DistributionCollector,
  distributionCharts,
} from "../../reports/html/distributions.ts";
import { renderReport } from "../../reports/html/page.ts";
import { htmlReport } from "../../reports/html.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { reportSummary } from "../helpers/report-summary.ts";
import { call, failedCall, start } from "../helpers/summary-log.ts";
import { compileMessages } from "../helpers/vega-lite.ts";

/** A run directory whose events.jsonl holds `events`. */
function runDir(events: LogEvent[]): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-dist-"));
  writeFileSync(join(dir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return dir;
}

/** local: five successes (e2e 100…500 ms) plus a warm-up, a retried attempt and a failure that
 * must not count; api: two successes without TTFT or TPOT (not streamed), e2e 1 s and 30 s. */
function events(): LogEvent[] {
  return [
    start,
    call("local", 0, { item: "local|warmup|0", warmup: true, e2e_ms: 99_999, ttft_ms: 99_999 }),
    ...[100, 200, 300, 400, 500].map((e2e, i) =>
      call("local", i, { e2e_ms: e2e, ttft_ms: e2e / 10, tpot_ms: i + 1 }),
    ),
    call("local", 5, { ok: false, will_retry: true, e2e_ms: 88_888 }),
    failedCall("local", 6, { e2e_ms: 77_777 }),
    call("api", 0, { e2e_ms: 1000, ttft_ms: null, tpot_ms: null }),
    call("api", 1, { e2e_ms: 30_000, ttft_ms: null, tpot_ms: null }),
  ];
}

describe("the latency distributions", () => {
  it("keep final successful calls only, as quantile points (checked by hand)", async () => {
    const data = await collectDistributions(runDir(events()));
    expect(data?.points).toBe(101);
    const get = (model: string, metric: string) =>
      data!.series.find((s) => s.model === model && s.metric === metric);
    const e2e = get("local", "e2e_ms")!;
    expect(e2e.n).toBe(5);
    expect(e2e.sampled).toBe(false);
    expect(e2e.values).toHaveLength(101);
    // Type 7 over 100…500: p = 0.1 → h = 0.4 → 100 + 0.4 × 100 = 140; p50 = 300; p99 = 496.
    expect(e2e.values[0]).toBe(100);
    expect(e2e.values[10]).toBeCloseTo(140, 9);
    expect(e2e.values[25]).toBeCloseTo(200, 9);
    expect(e2e.values[50]).toBeCloseTo(300, 9);
    expect(e2e.values[99]).toBeCloseTo(496, 9);
    expect(e2e.values[100]).toBe(500);
    expect(get("local", "ttft_ms")!.values[50]).toBeCloseTo(30, 9);
    expect(get("local", "tpot_ms")!.values[75]).toBeCloseTo(4, 9);
    expect(get("api", "e2e_ms")!.values[50]).toBeCloseTo(15_500, 9);
    expect(get("api", "ttft_ms")).toBeUndefined();
    expect(get("api", "tpot_ms")).toBeUndefined();
    expect(await collectDistributions(mkdtempSync(join(tmpdir(), "opbench-dist-")))).toBeNull();
  });

  it("sample a long run into a bounded reservoir: 100,000 calls, 101 points, a close median", () => {
    const collector = new DistributionCollector({ sampleCap: 2000 });
    const base = call("local", 0);
    for (let i = 0; i < 100_000; i++) collector.add({ ...base, e2e_ms: i, ttft_ms: null, tpot_ms: null });
    const [series] = collector.result().series;
    expect(series).toMatchObject({ model: "local", metric: "e2e_ms", n: 100_000, sampled: true });
    expect(series!.values).toHaveLength(101);
    expect(series!.values[50]).toBeGreaterThan(45_000);
    expect(series!.values[50]).toBeLessThan(55_000);
    // Deterministic: the same stream gives the same points.
    const again = new DistributionCollector({ sampleCap: 2000 });
    for (let i = 0; i < 100_000; i++) again.add({ ...base, e2e_ms: i, ttft_ms: null, tpot_ms: null });
    expect(again.result().series[0]!.values).toEqual(series!.values);
  });

  it("draw CDFs that Vega-Lite compiles with no warning, log x where the range spans decades", async () => {
    const summary = reportSummary();
    const slots = distributionCharts(summary, await collectDistributions(runDir(events())));
    expect(slots.map((s) => [s.id, s.kind])).toEqual([
      ["latency-cdf", "chart"],
      ["tpot-cdf", "chart"],
    ]);
    for (const slot of slots) {
      if (slot.kind !== "chart") continue;
      expect(compileMessages(slot.spec)).toEqual([]);
      expect(slot.spec.description).toBe(slot.description);
      expect(slot.spec.title).toBeTruthy();
    }
    const latency = slots[0]!;
    if (latency.kind !== "chart") throw new Error("expected a chart");
    const panels = (latency.spec as { hconcat: { encoding: { x: { scale: unknown; title: string } } }[] })
      .hconcat;
    // e2e spans 100 ms … 30 s (log); TTFT 10…50 ms (linear).
    expect(panels.map((p) => p.encoding.x.scale)).toEqual([{ type: "log" }, { zero: true }]);
    expect(panels[0]!.encoding.x.title).toBe("End-to-end latency (ms, log scale)");
    expect(latency.description).toContain("local: 5 call(s), median 300 ms");
    // ~100 points per model and metric: e2e 2 models + TTFT 1 model.
    const rows = panels.flatMap((p) => (p as unknown as { data: { values: unknown[] } }).data.values);
    expect(rows).toHaveLength(3 * 101);
  });

  it("become notes when no call succeeded, and sit in the latency section of the page", async () => {
    const summary = reportSummary();
    const none = await collectDistributions(runDir([start, failedCall("local", 0), failedCall("api", 0)]));
    const slots = distributionCharts(summary, none);
    expect(slots.map((s) => [s.id, s.kind])).toEqual([
      ["latency-cdf", "note"],
      ["tpot-cdf", "note"],
    ]);
    const page = renderReport(summary, { withLibraries: false, distributions: none });
    const section = page.slice(page.indexOf('id="latency-section"'), page.indexOf('id="accuracy"'));
    expect(section).toContain("Latency distribution per model (CDF)");
    expect(section).toContain("Nothing to draw: no model has a successful call with timing.");
    // Without the log, no distribution slot at all.
    expect(renderReport(summary, { withLibraries: false })).not.toContain("(CDF)");
  });

  it("are written by the html output from the run's log, each call counted once", async () => {
    const dir = runDir(events());
    const html = readFileSync(await htmlReport.run({ runDir: dir, summary: reportSummary() }), "utf8");
    expect(html).toContain('id="latency-cdf"');
    expect(html).toContain('id="tpot-cdf"');
    // The output folds the distributions in the case browser's pass over the log: five, not ten.
    expect(html).toContain("local: 5 call(s), median 300 ms");
  });
});
