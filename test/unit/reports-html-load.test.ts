/**
 * The load report page: its chart specs on a hand-made load.json, each compiled by Vega-Lite with
 * no error or warning; the knee is the step the summary names, never one invented; cost and
 * energy shown where known, "—" where not; markup in the model name inert; the `html` output
 * writes report.html for a load sweep.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  goodputBars,
  loadCharts,
  loadLatencyPoints,
  stepLevel,
  throughputAxis,
} from "../../reports/html/load-charts.ts";
import { loadStepRow, renderLoadReport } from "../../reports/html/load-page.ts";
import { htmlReport } from "../../reports/html.ts";
import { loadReportSummary } from "../helpers/load-report-summary.ts";
import { compileMessages } from "../helpers/vega-lite.ts";

describe("the load report's charts", () => {
  it("plot each step's output tokens/s against p50 and p95 of e2e and TTFT, labelled by level", () => {
    const load = loadReportSummary();
    expect(throughputAxis(load)).toBe("output_tokens_per_s");
    const points = loadLatencyPoints(load);
    expect(points).toHaveLength(3 * 2 * 2);
    expect(points[0]).toEqual({
      step: 0,
      level: "c=1",
      throughput: 100,
      metric: "End-to-end latency",
      percentile: "p50",
      ms: 500,
      knee: false,
    });
    expect(points.filter((p) => p.knee).map((p) => p.step)).toEqual([1, 1, 1, 1]);
    expect(stepLevel({ step: 3, concurrency: null, rate_per_s: 2.5 })).toBe("r=2.5/s");
  });

  it("fall back to requests/s when a step has no output tokens", () => {
    const load = loadReportSummary();
    load.steps[2]!.output_tokens_per_s = null;
    expect(throughputAxis(load)).toBe("requests_per_s");
    expect(loadLatencyPoints(load).map((p) => p.throughput)).toContain(4);
  });

  it("show goodput per step against the attainment target", () => {
    const bars = goodputBars(loadReportSummary());
    expect(bars.map((b) => [b.level, b.goodput, b.verdict, b.knee])).toEqual([
      ["c=1", 1, "meets attainment", false],
      ["c=2", 0.95, "meets attainment", true],
      ["c=4", 0.5, "misses attainment", false],
    ]);
  });

  it("compile with Vega-Lite with no warning, with and without a knee", () => {
    const withKnee = loadReportSummary();
    const noKnee = loadReportSummary();
    noKnee.max_goodput_throughput = null;
    const rate = loadReportSummary();
    rate.mode = "rate";
    for (const s of rate.steps) {
      s.rate_per_s = s.concurrency;
      s.concurrency = null;
    }
    for (const load of [withKnee, noKnee, rate]) {
      const charts = loadCharts(load);
      expect(charts.map((c) => c.kind)).toEqual(["chart", "chart"]);
      for (const chart of charts) {
        if (chart.kind !== "chart") continue;
        expect(compileMessages(chart.spec), chart.id).toEqual([]);
        expect(chart.description.length).toBeGreaterThan(40);
      }
    }
  });

  it("become notes: no SLO means no goodput chart; no timed step means no latency chart", () => {
    const load = loadReportSummary();
    load.slo = {};
    load.max_goodput_throughput = null;
    for (const s of load.steps) {
      s.requests_per_s = null;
      s.output_tokens_per_s = null;
    }
    const [latencyChart, goodputChart] = loadCharts(load);
    expect(latencyChart).toMatchObject({ kind: "note", id: "load-latency" });
    expect(goodputChart).toMatchObject({ kind: "note", id: "load-goodput", reason: "the sweep set no SLO" });
  });
});

describe("the load report page", () => {
  it("names the summary's knee, and lists cost and energy per step where known", () => {
    const load = loadReportSummary();
    const html = renderLoadReport(load, { withLibraries: false });
    expect(html).toContain("Highest throughput meeting the SLO");
    expect(html).toContain('<tr class="knee">');
    expect(loadStepRow(load.steps[0]!).slice(-3)).toEqual(["$0.1", "5 J", "0.1 J"]);
    expect(loadStepRow(load.steps[2]!).slice(-3)).toEqual(["—", "—", "—"]);
    const specs = JSON.parse(
      /<script type="application\/json" id="opbench-charts">(.*?)<\/script>/s.exec(html)![1]!,
    ) as { id: string }[];
    expect(specs.map((s) => s.id)).toEqual(["load-latency", "load-goodput"]);
  });

  it("invents no knee when the summary names none", () => {
    const load = loadReportSummary();
    load.max_goodput_throughput = null;
    const html = renderLoadReport(load, { withLibraries: false });
    expect(html).not.toContain('class="knee"');
    expect(html).toContain("No completed step met the SLO");
    load.slo = {};
    expect(renderLoadReport(load, { withLibraries: false })).toContain("The sweep set no SLO");
  });

  it("escapes markup in the model name", () => {
    const load = loadReportSummary();
    load.model = `<img src=x onerror=alert(1)></script>`;
    const html = renderLoadReport(load, { withLibraries: false });
    expect(html).not.toContain("<img src=x");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  it("is written by the html output for a load sweep, with the libraries inlined", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-load-html-"));
    const path = await htmlReport.load({ runDir, load: loadReportSummary() });
    expect(path).toBe(join(runDir, "report.html"));
    const html = readFileSync(path, "utf8");
    expect(html).toContain("opbench load report: m");
    expect(html).toContain("vegaEmbed");
    expect(html.length).toBeLessThan(3_000_000);
  });
});
