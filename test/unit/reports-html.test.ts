/**
 * The HTML report: each chart builder on a hand-made summary, every spec compiled by Vega-Lite
 * without an error or warning, the cards' known and unknown figures, the table and record, and
 * markup in model names and output ending up inert in the page.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { accuracyRows, comparisonRows, points, pValue } from "../../reports/html/accuracy-table.ts";
import { cardFigures, savingsCards } from "../../reports/html/cards.ts";
import { modelColorScale, OKABE_ITO } from "../../reports/html/colors.ts";
import { percent, scriptJson } from "../../reports/html/format.ts";
import { latencyBars } from "../../reports/html/latency.ts";
import { latencyRows, renderLatencyTable } from "../../reports/html/latency-table.ts";
import { endsScript, inlineLibraries, renderReport, reportCharts } from "../../reports/html/page.ts";
import {
  frontier,
  leftOut,
  type ParetoPoint,
  paretoCharts,
  paretoPoints,
  paretoSpec,
} from "../../reports/html/pareto.ts";
import { reproducibilityRows } from "../../reports/html/reproducibility.ts";
import { tokenBars } from "../../reports/html/tokens.ts";
import { htmlReport, renderRunReport } from "../../reports/html.ts";
import { hostileSummary, INJECTED, reportSummary } from "../helpers/report-summary.ts";
import { compileMessages } from "../helpers/vega-lite.ts";

describe("the trade-off charts", () => {
  it("plot each model × task with a known, positive cost per 1k calls and p50 latency", () => {
    const summary = reportSummary();
    expect(paretoPoints(summary, "cost").map((p) => [p.model, p.x, p.accuracy])).toEqual([
      ["local", 0.05, 1],
      ["api", 2, 1],
    ]);
    const latency = paretoPoints(summary, "latency");
    expect(latency.map((p) => [p.model, p.x])).toEqual([
      ["local", 215],
      ["api", 975],
    ]);
    expect(latency[0]!.accuracyLower).toBeCloseTo(0.5101, 4);
    // Energy per call: the API's published estimate; the local model has no reading here.
    expect(paretoPoints(summary, "energy").map((p) => [p.model, p.x])).toEqual([["api", 40]]);
  });

  it("draw the efficient frontier of each task: the points nothing beats on both axes", () => {
    const point = (model: string, task: string, x: number, accuracy: number): ParetoPoint => ({
      model,
      task,
      scorer: "exact",
      accuracy,
      accuracyLower: null,
      accuracyUpper: null,
      x,
      xLower: null,
      xUpper: null,
    });
    const points = [
      point("big", "t", 10, 0.95),
      point("small", "t", 0.1, 0.8),
      point("worse", "t", 1, 0.7), // dearer and less accurate than small
      point("mid", "t", 1, 0.9),
      point("same-x", "t", 1, 0.85), // as dear as mid, less accurate
      point("other-task", "u", 5, 0.1), // alone in its task: on its frontier
    ];
    expect(frontier(points).map((p) => p.model)).toEqual(["small", "mid", "big", "other-task"]);
    const summary = reportSummary();
    const spec = paretoSpec(summary, points, "cost") as unknown as {
      layer: { data?: { values: unknown[] }; mark: { type: string } }[];
    };
    const line = spec.layer[0]!;
    expect(line.mark.type).toBe("line");
    expect(line.data?.values).toHaveLength(4);
    expect(compileMessages(spec as never)).toEqual([]);
  });

  it("name the models a chart leaves out, in its subtitle and its text description", () => {
    const summary = reportSummary();
    expect(leftOut(summary, paretoPoints(summary, "energy"))).toEqual(["local"]);
    expect(leftOut(summary, paretoPoints(summary, "cost"))).toEqual([]);
    const energy = paretoCharts(summary).find((c) => c.id === "pareto-energy");
    if (energy?.kind !== "chart") throw new Error("the energy chart is drawn");
    expect((energy.spec.title as { subtitle: string[] }).subtitle).toEqual([
      "Up and left is better; bars are 95% intervals",
      "Not shown (energy unknown): local",
    ]);
    expect(energy.description).toMatch(/Not shown \(energy unknown\): local\.$/);
    const cost = paretoCharts(summary).find((c) => c.id === "pareto-cost");
    expect(cost?.kind === "chart" && (cost.spec.title as { subtitle: string[] }).subtitle).toHaveLength(1);
  });

  it("become a note saying why when nothing has a cost", () => {
    const summary = reportSummary();
    for (const g of summary.results) g.cost.per_1k_calls_usd = null;
    const [cost] = reportCharts(summary);
    expect(cost).toMatchObject({ kind: "note", id: "pareto-cost" });
    expect(cost!.kind === "note" && cost!.reason).toMatch(/no model × task has a known cost/);
  });
});

describe("the latency table", () => {
  it("has a row per model and metric, each percentile with its interval where there is one", () => {
    const summary = reportSummary();
    summary.by_model[0]!.latency.e2e_ms!.ci95.p50 = [200, 230];
    const rows = latencyRows(summary);
    expect(rows.map((r) => [r.model, r.metric])).toEqual(
      summary.by_model.flatMap((g) =>
        (
          [
            ["e2e_ms", "End-to-end"],
            ["ttft_ms", "Time to first token"],
            ["tpot_ms", "Time per output token"],
          ] as const
        ).flatMap(([key, name]) => (g.latency[key] ? [[g.model, name]] : [])),
      ),
    );
    const html = renderLatencyTable(summary, rows);
    const first = html.slice(html.indexOf("<tbody>"), html.indexOf("</tr>", html.indexOf("<tbody>")));
    expect(first).toContain(`${summary.by_model[0]!.model}</td><td>End-to-end</td>`);
    expect(first).toContain('<span class="ci">(200 ms–230 ms)</span>');
    expect(renderLatencyTable(summary, [])).toBe("");
  });
});

describe("the latency chart", () => {
  it("has p50–p99 of e2e and TTFT per model, with the summary's intervals", () => {
    const summary = reportSummary();
    const bars = latencyBars(summary);
    expect(bars).toHaveLength(2 * 2 * 4);
    const p50 = bars.find(
      (b) => b.model === "api" && b.metric === "End-to-end latency" && b.percentile === "p50",
    );
    expect(p50).toMatchObject({ ms: 975, lower: null, upper: null });
    summary.by_model[0]!.latency.e2e_ms!.ci95.p50 = [200, 230];
    expect(latencyBars(summary)[0]).toMatchObject({ percentile: "p50", lower: 200, upper: 230 });
  });
});

describe("every chart spec", () => {
  it("compiles with Vega-Lite without errors or warnings, with a title and a description", () => {
    for (const summary of [reportSummary(), hostileSummary()]) {
      const charts = reportCharts(summary);
      expect(charts.map((c) => c.id)).toEqual([
        "pareto-cost",
        "pareto-latency",
        "pareto-energy",
        "latency",
        "tokens",
      ]);
      expect(charts.map((c) => c.kind)).toEqual(["chart", "chart", "chart", "chart", "chart"]);
      for (const chart of charts) {
        if (chart.kind !== "chart") continue;
        expect(compileMessages(chart.spec), chart.id).toEqual([]);
        expect(chart.spec.description).toBe(chart.description);
        expect(chart.description.length).toBeGreaterThan(40);
        expect(chart.spec.title).toBeDefined();
      }
    }
  });

  it("gives each model one Okabe–Ito colour, the same in every chart", () => {
    const summary = reportSummary();
    expect(modelColorScale(summary)).toEqual({
      domain: ["local", "api"],
      range: [OKABE_ITO[0], OKABE_ITO[1]],
    });
    for (const chart of reportCharts(summary)) {
      if (chart.kind === "chart")
        expect(JSON.stringify(chart.spec)).toContain(`"range":["${OKABE_ITO[0]}","${OKABE_ITO[1]}"]`);
    }
  });
});

describe("the tokens chart", () => {
  it("has mean input and output tokens per call of each model", () => {
    expect(tokenBars(reportSummary()).map((b) => [b.model, b.direction, b.mean, b.total])).toEqual([
      ["local", "Input", 100, 400],
      ["local", "Output", 10, 40],
      ["api", "Input", 100, 400],
      ["api", "Output", 10, 40],
    ]);
  });
});

describe("the savings cards", () => {
  it("show accuracy retained with its interval, N× cheaper / faster and the projection", () => {
    const [card] = savingsCards(reportSummary());
    expect(card).toMatchObject({ candidate: "local", baseline: "api", task: "t", projected: false });
    const byLabel = Object.fromEntries(card!.figures.map((f) => [f.label, f]));
    expect(byLabel["Accuracy retained"]).toMatchObject({
      known: true,
      value: "95%",
      detail: "95% CI 80–105%, 4 paired cases",
    });
    expect(byLabel.Cost).toMatchObject({ known: true, value: "40× cheaper" });
    expect(byLabel["Latency (p50 end-to-end)"]).toMatchObject({
      known: true,
      value: "4.2× faster",
      detail: "215 ms vs 975 ms",
    });
    expect(byLabel["Time to first token (p50)"]).toMatchObject({ known: true, value: "15× faster" });
    expect(byLabel["Saved over 1M calls"]).toMatchObject({ known: true, value: "$1,950" });
  });

  it("give a modelled energy ratio its band, and the candidate's compute when it is known", () => {
    const summary = reportSummary();
    const base = summary.savings[0]!.comparison;
    const c = {
      ...base,
      energy_ratio: 51,
      energy_ratio_low: 11.2,
      energy_ratio_high: 445.4,
      candidate: { ...base.candidate, energy_per_call_j: 0.6, cpu_core_s_per_call: 0.172 },
      baseline: { ...base.baseline, energy_per_call_j: 30.6 },
      compute_ratio: null,
    };
    const figures = cardFigures(c);
    expect(figures.find((f) => f.label === "Energy")).toEqual({
      label: "Energy",
      known: true,
      value: "51× less energy",
      detail: "band 11–445×; 0.6 J/call vs 30.6 J/call",
    });
    expect(figures.find((f) => f.label === "Compute (candidate)")).toMatchObject({
      known: true,
      value: "0.172 CPU-s",
    });
    // No CPU time known: no compute figure at all.
    expect(cardFigures(base).some((f) => f.label.startsWith("Compute"))).toBe(false);
  });

  it("are grey with the reason when a figure is unknown, and say 'slower' below 1", () => {
    const summary = reportSummary();
    const c = { ...summary.savings[0]!.comparison, e2e_p50_ratio: 0.5 };
    const figures = cardFigures(c);
    expect(figures.find((f) => f.label === "Energy")).toEqual({
      label: "Energy",
      known: false,
      reason: "local: energy unknown for 4 of 4 calls",
    });
    expect(figures.find((f) => f.label === "Latency (p50 end-to-end)")).toMatchObject({
      value: "2.0× slower",
    });
    const projected = cardFigures({ ...c, accuracy_retained: null, notes: [] }, true);
    expect(projected[0]).toMatchObject({
      known: false,
      reason: expect.stringMatching(/baseline was not run \(projected\)/),
    });
  });
});

describe("the accuracy table and the reproducibility record", () => {
  it("list each model × task × scorer with its interval", () => {
    const rows = accuracyRows(reportSummary());
    expect(rows.map((r) => [r.model, r.scorer, r.accuracy, r.interval, r.cases])).toEqual([
      ["local", "exact", 1, "51–100%", 4],
      ["local", "valid", 1, "51–100%", 4],
      ["api", "exact", 1, "51–100%", 4],
      ["api", "valid", 1, "51–100%", 4],
    ]);
    expect(percent(0.3903)).toBe("39%");
    expect(percent(0.61)).toBe("61%");
    expect(percent(0.0625)).toBe("6.3%");
  });

  it("compare each savings pair: paired difference, its interval, McNemar p, significance", () => {
    const summary = reportSummary();
    const [row] = comparisonRows(summary);
    expect(row).toMatchObject({ candidate: "local", baseline: "api", task: "t", pairs: 4, diff: 0 });
    expect(row!.significant).toBe(row!.mcnemarP === null ? null : row!.mcnemarP < 0.05);
    const c = summary.savings[0]!.comparison;
    Object.assign(c, { accuracy_diff: -0.3, accuracy_diff_lower: -0.5, accuracy_diff_upper: -0.1 });
    Object.assign(c, { mcnemar_p_value: 0.0004 });
    expect(comparisonRows(summary)[0]).toMatchObject({ diff: -0.3, significant: true });
    Object.assign(c, { mcnemar_p_value: null });
    expect(comparisonRows(summary)[0]).toMatchObject({ significant: true });
    Object.assign(c, { accuracy_diff_upper: 0.1 });
    expect(comparisonRows(summary)[0]).toMatchObject({ significant: false });
    expect([points(-0.3), points(0.125), points(0), pValue(0.0004), pValue(0.04567)]).toEqual([
      "−30 pts",
      "+12.5 pts",
      "0 pts",
      "< 0.001",
      "0.0457",
    ]);
    summary.savings[0]!.baseline_kind = "projected";
    expect(comparisonRows(summary)).toEqual([]);
  });

  it("record the opbench version, suite hash, price data and each model's backend", () => {
    const summary = reportSummary();
    summary.models = [
      {
        model: "local",
        runner: "llamacpp",
        backend: { device: "cuda", build_info: "b4567-abc" },
        error: null,
        energy: null,
      },
    ];
    const rows = Object.fromEntries(reproducibilityRows(summary).map((r) => [r.label, r.value]));
    expect(rows.opbench).toBe("0.1.0");
    expect(rows.Suite).toBe("s (sha256 h)");
    expect(rows["Price data"]).toBe("@pydantic/genai-prices 0.1.8, bundled");
    expect(rows["Model local"]).toBe("runner llamacpp, device cuda, llama.cpp b4567-abc");
  });
});

describe("the page", () => {
  it("keeps markup in model names and output inert: escaped in HTML, \\u-escaped in the JSON", () => {
    const html = renderReport(hostileSummary(), { withLibraries: false });
    expect(html).not.toContain("<img");
    expect(html).not.toContain(INJECTED);
    expect(html).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    // Exactly the page's own two script elements close.
    expect(html.match(/<\/script/gi)).toHaveLength(2);
    const json = /<script type="application\/json" id="opbench-charts">([^<]*)<\/script>/.exec(html)?.[1];
    expect(json).toBeDefined();
    expect(JSON.stringify(JSON.parse(json!))).toContain(JSON.stringify(INJECTED).slice(1, -1));
  });

  it("writes JSON that parses back to the value, with no < > & or line separators left", () => {
    const value = { text: `a</script><!-- & \u2028\u2029 >` };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("is one file with vega, vega-lite and vega-embed inlined and nothing to fetch", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-html-"));
    const path = await htmlReport.run({ runDir, summary: reportSummary() });
    expect(path).toBe(join(runDir, "report.html"));
    const html = readFileSync(path, "utf8");
    for (const file of [
      "vega/build/vega.min.js",
      "vega-lite/build/vega-lite.min.js",
      "vega-embed/build/vega-embed.min.js",
    ]) {
      expect(html).toContain(`<script>${readFileSync(join("node_modules", file), "utf8")}</script>`);
    }
    // The page's own markup and styles point at nothing outside the file.
    const page = renderReport(reportSummary(), { withLibraries: false });
    expect(page).not.toMatch(/<script[^>]*\ssrc=|<link\b|<img\b|@import|url\(|https?:/i);
  });

  it("writes the file as the page renderRunReport returns, byte for byte (libraries written as read)", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-html-"));
    const summary = reportSummary();
    const path = await htmlReport.run({ runDir, summary });
    const page = await renderRunReport(runDir, summary);
    expect(readFileSync(path).equals(Buffer.from(page))).toBe(true);
    expect(page).toContain(inlineLibraries());
    // Non-ASCII text around the libraries keeps its encoding.
    expect(page).toContain("–");
  });
});

describe("a library inlined into the page", () => {
  it("is refused when it holds </script in any letter case, which would end its element early", () => {
    for (const text of ["a</script>b", "x</SCRIPT", "</ScRiPt", 'f("</script")']) {
      expect(endsScript(Buffer.from(text)), text).toBe(true);
    }
    for (const text of ["</scrip", "</svg></style>", "<script>", "<\\/script>", "</scr1pt>", "</", ""]) {
      expect(endsScript(Buffer.from(text)), text).toBe(false);
    }
  });
});
