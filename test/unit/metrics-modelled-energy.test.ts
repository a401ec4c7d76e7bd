/**
 * A local model whose energy is modelled (no meter on the machine): the summary keeps its band,
 * compute (CPU core-seconds) per call and per correct answer, carbon at the grid intensity, and
 * the savings pair states the energy ratio with a band; the terminal labels it all "modelled".
 */
import { describe, expect, it } from "vitest";
import type { LogEvent, ModelEnergyEvent } from "../../src/core/records.ts";
import { DEFAULT_CARBON_G_PER_KWH } from "../../src/energy/carbon.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";
import { printSummary } from "../../src/terminal/summary-table.ts";
import { build, call, description, start } from "../helpers/summary-log.ts";

/** `local`'s four calls, modelled at 100 J each (band ±50 %), 0.5 CPU core-s each. */
const modelled: ModelEnergyEvent = {
  v: 1,
  type: "model_energy",
  model: "local",
  at: "2026-11-23T10:00:10.000Z",
  method: "modelled",
  energy_source: "modelled",
  description: "modelled: AMD EPYC 3rd Gen (2 vCPUs × 0.45–2.02 W per vCPU, Cloud Carbon Footprint)",
  duration_ms: 4000,
  busy_ms: 2000,
  gross_j: 400,
  net_j: 200,
  idle_w: null,
  low_j: 200,
  high_j: 600,
  unattributed_j: null,
  cpu_s: 2,
  gpu_s: null,
  utilisation: 0.5,
  utilisation_source: "/proc/42/stat of the server process (utime + stime)",
  notes: [],
  calls: [0, 1, 2, 3].map((i) => ({
    item: `local|t|0|${i + 1}`,
    attempt: 1,
    energy_j: 100,
    net_energy_j: null,
    cpu_s: 0.5,
    gpu_s: null,
  })),
};

const wrong = {
  scores: [
    { scorer: "exact", score: 0, reason: "" },
    { scorer: "valid", score: 1, reason: "" },
  ],
};

/** The log; `apiBand`: the API calls carry their published estimate's band (500–2000 J). */
function events(carbon?: number, apiBand = true): LogEvent[] {
  const suite = structuredClone(description);
  suite.models[0]!.config = { ...suite.models[0]!.config, hardware: {} };
  if (carbon !== undefined) suite.models[0]!.config.energy = { carbon_g_per_kwh: carbon };
  return [
    { ...start, suite: { ...start.suite, resolved: suite } },
    call("local", 0),
    call("local", 1),
    call("local", 2, wrong),
    call("local", 3),
    modelled,
    ...[0, 1, 2, 3].map((i) =>
      call("api", i, {
        cost_usd: 0.01,
        energy_j: 1000,
        energy_source: "published-estimate",
        ...(apiBand && { energy_low_j: 500, energy_high_j: 2000 }),
      }),
    ),
    { v: 1, type: "run_end", at: "2026-11-23T10:00:20.000Z", status: "completed" },
  ];
}

describe("a modelled local model in the summary", () => {
  const summary = build(events());
  const local = summary.results.find((r) => r.model === "local")!;

  it("keeps the band: per call 100 J, 50–150 J", () => {
    expect(local.energy).toMatchObject({
      source: "modelled",
      total_j: 400,
      per_call_j: 100,
      band: { low: 0.5, high: 1.5 },
    });
    expect(local.energy.per_call_low_j).toBeCloseTo(50, 9);
    expect(local.energy.per_call_high_j).toBeCloseTo(150, 9);
    // Marginal local cost from the modelled energy: 100 J = 2.78e-5 kWh × $0.16 (default).
    expect(local.cost.local?.mode).toBe("marginal");
    expect(local.cost.per_call_usd).toBeCloseTo((100 / 3.6e6) * 0.16, 15);
  });

  it("has compute per call and per correct answer (3 correct of 4)", () => {
    expect(local.compute).toMatchObject({
      cpu_core_s: 2,
      per_call_cpu_core_s: 0.5,
      gpu_s: null,
      per_call_gpu_s: null,
    });
    expect(local.compute!.per_correct_cpu_core_s).toBeCloseTo(2 / 3, 12);
  });

  it("has carbon at the default grid intensity, labelled as the default, or at the configured one", () => {
    const perCall = (100 / 3.6e6) * DEFAULT_CARBON_G_PER_KWH;
    expect(local.carbon).toMatchObject({ g_per_kwh: DEFAULT_CARBON_G_PER_KWH, source: "default" });
    expect(local.carbon!.basis).toMatch(/Ember/);
    expect(local.carbon!.per_call_g).toBeCloseTo(perCall, 12);
    expect(local.carbon!.per_1m_calls_kg).toBeCloseTo(perCall * 1000, 9);
    const configured = build(events(50)).results.find((r) => r.model === "local")!;
    expect(configured.carbon).toMatchObject({ g_per_kwh: 50, source: "configured" });
    expect(configured.carbon!.per_call_g).toBeCloseTo((100 / 3.6e6) * 50, 12);
  });

  it("states the energy ratio with the band of both sides: modelled ±50% against the estimate's ×0.5–×2", () => {
    const c = summary.savings[0]!.comparison;
    expect(c.energy_ratio).toBeCloseTo(10, 9);
    expect(c.candidate.energy_band).toEqual({ low: 0.5, high: 1.5 });
    expect(c.baseline.energy_band).toEqual({ low: 0.5, high: 2 });
    expect(c.candidate.cpu_core_s_per_call).toBeCloseTo(0.5, 12);
    expect(c.energy_ratio_low).toBeCloseTo((10 * 0.5) / 1.5, 9);
    expect(c.energy_ratio_high).toBeCloseTo((10 * 2) / 0.5, 9);
    expect(savingsLine(summary.savings[0]!)).toMatch(
      /with 10× less energy \[3\.3–40×\] \(local modelled ±50%, api published estimate\), local's compute 0\.500 CPU core-s per call\.$/,
    );
    // A side without a band (records from before bands were kept): the ratio, without a band.
    const old = build(events(undefined, false)).savings[0]!;
    expect(old.comparison.energy_ratio_low).toBeNull();
    expect(savingsLine(old)).toMatch(/with 10× less energy \(local modelled ±50%, api published estimate\)/);
  });

  it("prints the labels in the terminal table: modelled ±50%, the cost's band, compute, CO2e and the notes", () => {
    const lines: string[] = [];
    printSummary(summary, (line) => lines.push(line));
    const text = lines.join("\n").replace(/\u001b\[[0-9;]*m/g, "");
    const row = text.split("\n").find((l) => l.includes("local") && l.includes("modelled"))!;
    expect(row).toMatch(/\$0\.00444 ±50%/); // per 1k calls: 1000 × 100 J at $0.16/kWh
    expect(row).toMatch(/0\.0278 Wh/);
    expect(row).toMatch(/modelled ±50%/);
    expect(row).toMatch(/0\.500 CPU-s/);
    expect(row).toMatch(/12\.1 kg\*/); // 100 J × 1M = 27.8 kWh × 436 g = 12.1 kg
    expect(text).toMatch(/\* CO2e at the default grid intensity, 436 gCO2\/kWh/);
    expect(text).toMatch(/local: local cost is electricity only .* give models\[\]\.hardware\.usd_per_hour/);
  });
});

describe("a modelled local model in report.md", () => {
  it("labels the energy with its band and shows the compute", async () => {
    const { renderRunMarkdown } = await import("../../reports/markdown-text.ts");
    const md = renderRunMarkdown(build(events()));
    expect(md).toMatch(/\| 0\.0278 Wh \(modelled ±50%\) \| 0\.500 CPU-s \|/);
  });
});

describe("a modelled local model in summary.csv", () => {
  it("has the band, the source, compute and carbon per call", async () => {
    const { SUMMARY_COLUMNS, summaryRows } = await import("../../reports/csv.ts");
    const summary = build(events());
    const rows = summaryRows(summary).map((r) =>
      Object.fromEntries(SUMMARY_COLUMNS.map((c, i) => [c, r[i]])),
    );
    const local = rows.find((r) => r.model === "local")!;
    expect(local).toMatchObject({
      energy_per_call_j: 100,
      energy_per_call_low_j: 50,
      energy_per_call_high_j: 150,
      energy_source: "modelled",
      cpu_core_s_per_call: 0.5,
      gpu_s_per_call: null,
    });
    expect(local.co2e_g_per_call).toBeCloseTo((100 / 3.6e6) * DEFAULT_CARBON_G_PER_KWH, 12);
    const api = rows.find((r) => r.model === "api")!;
    expect(api).toMatchObject({ energy_source: "published-estimate", cpu_core_s_per_call: null });
  });
});
