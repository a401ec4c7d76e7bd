/**
 * The HTML report's provenance and what-if parts: each savings figure's "source:" line, cost and
 * energy per correct answer (with the reason when unknown), and the cascade what-if per pair —
 * every name escaped.
 */
import { describe, expect, it } from "vitest";
import { costSource, energySource, renderCards, savingsCards } from "../../reports/html/cards.ts";
import { cascadeViews, renderCascades } from "../../reports/html/cascade.ts";
import { renderReport } from "../../reports/html/page.ts";
import { perCorrectRows, renderPerCorrectTable } from "../../reports/html/per-correct.ts";
import { hostileSummary, INJECTED, reportSummary } from "../helpers/report-summary.ts";

describe("the savings cards' sources", () => {
  it("say where cost, energy, latency and accuracy come from, per side", () => {
    const summary = reportSummary();
    const byLabel = Object.fromEntries(savingsCards(summary)[0]!.figures.map((f) => [f.label, f.source]));
    expect(byLabel.Cost).toBe(
      "local: modelled: energy × $0.2/kWh × PUE 1 + hardware $3.6/h; api: priced per token, @pydantic/genai-prices 0.1.8 (bundled)",
    );
    expect(byLabel["Saved over 1M calls"]).toBe(byLabel.Cost);
    expect(byLabel.Energy).toBe("local: not measured or estimated; api: published estimate");
    expect(byLabel["Latency (p50 end-to-end)"]).toMatch(/^measured per call/);
    expect(byLabel["Time to first token (p50)"]).toMatch(/first streamed token/);
    expect(byLabel["Accuracy retained"]).toBe("scored by exact on the cases both ran");
    expect(renderCards(savingsCards(summary))).toContain(
      '<div class="detail source">source: local: not measured or estimated; api: published estimate</div>',
    );
  });

  it("call accuracy agreement against replayed traffic, and a slower candidate's extra waiting more waiting", () => {
    const summary = reportSummary();
    const pair = summary.savings[0]!;
    pair.reference = "recorded";
    pair.comparison.projected_latency_hours_saved = -243;
    const figures = savingsCards(summary)[0]!.figures;
    const agreement = figures.find((f) => f.label === "Agreement retained");
    expect(agreement?.source).toBe(
      `agreement with ${pair.baseline}'s logged answers, not correctness; scored by exact on the cases both ran`,
    );
    expect(figures.some((f) => f.label === "Accuracy retained")).toBe(false);
    // The agreement and its own interval, not the ratio's (a point when every answer disagrees).
    Object.assign(pair.comparison, {
      accuracy_retained: 0,
      accuracy_retained_lower: 0,
      accuracy_retained_upper: 0,
    });
    Object.assign(pair.comparison.candidate, { accuracy: 0, accuracy_lower: 0, accuracy_upper: 0.49 });
    const none = savingsCards(summary)[0]!.figures.find((f) => f.label === "Agreement retained");
    expect(none?.known && [none.value, none.detail]).toEqual([
      "0%",
      `95% CI 0–49%, ${pair.comparison.scored_pairs} paired cases`,
    ]);
    pair.comparison.weighted = { cases: 6, calls: 13 };
    const weighted = savingsCards(summary)[0]!.figures.find((f) => f.label === "Agreement retained");
    expect(weighted?.known && weighted.detail).toBe("95% CI 0–49%, 6 paired cases (13 logged calls)");
    const saved = figures.find((f) => f.label === "Saved over 1M calls");
    expect(saved?.known && saved.detail).toContain("243 h more waiting");
  });

  it("name the energy meter, the marginal local cost, and missing price data", () => {
    const summary = reportSummary();
    const local = summary.results.find((g) => g.model === "local")!;
    const api = summary.results.find((g) => g.model === "api")!;
    local.energy.source = "measured-gpu";
    summary.models = [
      {
        model: "local",
        runner: "llamacpp",
        backend: null,
        error: null,
        energy: { method: "nvml" } as NonNullable<(typeof summary.models)[number]["energy"]>,
      },
    ];
    expect(energySource(summary, local)).toBe("measured (GPU meter: nvml)");
    local.energy.source = "modelled";
    expect(energySource(summary, local)).toBe("modelled");
    local.cost.local!.mode = "marginal";
    expect(costSource(summary, local)).toBe("modelled: energy × $0.2/kWh × PUE 1 (hardware time left out)");
    summary.prices = null;
    expect(costSource(summary, api)).toBe("priced per token (no price data recorded)");
    expect(costSource(summary, null)).toBe("no cost recorded");
  });

  it("say a projected baseline's cost is projected at its list price", () => {
    const summary = reportSummary();
    summary.savings[0]!.baseline_kind = "projected";
    const cost = savingsCards(summary)[0]!.figures.find((f) => f.label === "Cost")!;
    expect(cost.source).toMatch(/; api: projected from the candidate's tokens at its list price$/);
  });
});

describe("cost and energy per correct answer", () => {
  it("give each model × task its figures with their source, or the reason they are unknown", () => {
    const summary = reportSummary();
    const rows = perCorrectRows(summary);
    expect(rows.map((r) => [r.model, r.task, r.correct])).toEqual([
      ["local", "t", 4],
      ["api", "t", 4],
    ]);
    expect(rows[0]!.cost).toEqual({ known: false, reason: "no energy reading, so no local cost" });
    expect(rows[0]!.energy).toEqual({ known: false, reason: "energy not measured or estimated" });
    expect(rows[1]!.cost).toMatchObject({ known: true, value: 0.002 });
    expect(rows[1]!.energy).toEqual({ known: true, value: 40, source: "published estimate" });
    const html = renderPerCorrectTable(summary, rows);
    expect(html).toContain('<td class="num" title="no energy reading, so no local cost">—</td>');
    expect(html).toContain('<td class="num" title="source: published estimate">40 J</td>');
    expect(html).toContain("$0.002</td>");
  });

  it("say why when nothing was correct, or a price was missing", () => {
    const summary = reportSummary();
    const api = summary.results.find((g) => g.model === "api")!;
    Object.assign(api, { correct: 0 });
    Object.assign(api.cost, { per_correct_usd: null });
    Object.assign(api.energy, { per_correct_j: null });
    expect(perCorrectRows(summary)[1]).toMatchObject({
      cost: { known: false, reason: "no correct answers" },
      energy: { known: false, reason: "no correct answers" },
    });
    Object.assign(api, { correct: 3 });
    Object.assign(api.cost, { total_usd: null, unknown_calls: 2 });
    expect(perCorrectRows(summary)[1]!.cost).toEqual({ known: false, reason: "2 call(s) without a price" });
    expect(renderPerCorrectTable(summary, [])).toBe("");
  });
});

describe("the cascade what-if", () => {
  it("shows the share kept on the candidate, accuracy and cost against the baseline alone", () => {
    const summary = reportSummary();
    const [view] = cascadeViews(summary);
    expect(view).toMatchObject({
      candidate: "local",
      baseline: "api",
      task: "t",
      calls: 4,
      kept: 1,
      accuracy: 1,
      baselineAccuracy: 1,
      costPerCall: null,
      baselineCostPerCall: 0.002,
      costReason: expect.stringMatching(/cascade: cost unknown for 4 of 4 calls/),
    });
    expect(view!.description).toMatch(/^Cascade on task t: every case goes to local first/);
    expect(view!.description).toMatch(
      /100% of 4 calls stay on local; accuracy 100% against 100% for api alone/,
    );
    Object.assign(summary.savings[0]!.cascade, {
      escalated_fraction: 0.25,
      cost_per_call_usd: 0.0005,
      cost_ratio: 4,
      accuracy: 0.9,
    });
    const [known] = cascadeViews(summary);
    expect(known!.costReason).toBeNull();
    expect(known!.description).toMatch(
      /75% of 4 calls stay on local; accuracy 90% against 100% for api alone; it costs \$0\.0005\/call, 4\.0× cheaper than \$0\.002\/call for api alone\.$/,
    );
    const html = renderCascades([known!]);
    expect(html).toContain(
      '<th scope="row">local → api</th><td class="num">75%</td><td class="num">90%</td>',
    );
    expect(html).toContain("escalate when the call failed or finish_reason is &quot;length&quot;");
  });

  it("leaves out projected baselines, and says so when no pair is left", () => {
    const summary = reportSummary();
    summary.savings[0]!.baseline_kind = "projected";
    expect(cascadeViews(summary)).toEqual([]);
    expect(renderCascades([])).toMatch(/No cascade what-if/);
  });
});

describe("the page's new parts", () => {
  it("are in the report, with markup in model names escaped", () => {
    const page = renderReport(reportSummary(), { withLibraries: false });
    expect(page).toContain('<section id="per-correct-section">');
    expect(page).toContain('<table class="accuracy per-correct">');
    expect(page).toContain('<table class="accuracy cascade">');
    const hostile = renderReport(hostileSummary(), { withLibraries: false });
    expect(hostile).not.toContain("<img");
    expect(hostile).not.toContain(INJECTED);
    const parts = [
      renderPerCorrectTable(hostileSummary(), perCorrectRows(hostileSummary())),
      renderCascades(cascadeViews(hostileSummary())),
      renderCards(savingsCards(hostileSummary())),
    ];
    for (const part of parts) {
      expect(part).not.toContain(INJECTED);
      expect(part).toContain("&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;");
    }
  });
});
