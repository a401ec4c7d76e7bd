/**
 * Projected baselines (`savings: [{baseline: {projected: gpt-4.1}}]`): validated against the price
 * data, priced from the candidate's token counts, labelled as projected, replaced by a real model.
 */
import { describe, expect, it } from "vitest";
import type { LogEvent, RunStartEvent } from "../../src/core/records.ts";
import { lookupListPrice } from "../../src/cost/list-price.ts";
import { type ProjectedBaseline, projectedCallCost } from "../../src/savings/projected.ts";
import type { SuiteDescription } from "../../src/suite/describe.ts";
import type { SuiteError } from "../../src/suite/errors.ts";
import { loadSuiteText } from "../../src/suite/load.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";
import { build, call, description, localEnergy as energy, start } from "../helpers/summary-log.ts";

const HEAD = [
  "name: s",
  "models:",
  "  - {id: local, runner: llamacpp, url: 'http://127.0.0.1:1'}",
  "tasks:",
  "  - id: t",
  "    prompt: '{{q}}'",
  "    dataset: [{q: a, expected: b}]",
];

const load = (lines: string[]) => loadSuiteText(lines.join("\n"), "suite.yaml");

async function issuesOf(lines: string[]) {
  const error = await load(lines).then(
    () => expect.unreachable("the suite loaded"),
    (e: unknown) => e as SuiteError,
  );
  return error.issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
}

describe("projected baseline: the suite", () => {
  it("resolves {projected: gpt-4.1} to its genai-prices list price", async () => {
    const suite = await load([...HEAD, "savings:", "  - {candidate: local, baseline: {projected: gpt-4.1}}"]);
    expect(suite.savings).toHaveLength(1);
    const pair = suite.savings[0]!;
    expect(pair).toMatchObject({ candidate: "local", baseline: "gpt-4.1", auto: false });
    expect(pair.projected).toMatchObject({
      model: "gpt-4.1",
      provider: null,
      tokens_source: "candidate's counts, estimated",
      price: {
        provider_id: "openai",
        model_id: "gpt-4.1",
        input_per_mtok: 2,
        output_per_mtok: 8,
        tiered: false,
      },
    });
  });

  it("takes a provider, and a plain model id as before", async () => {
    const suite = await load([
      ...HEAD.slice(0, 3),
      "  - {id: api, runner: openai, model: gpt-4.1-mini}",
      ...HEAD.slice(3),
      "savings:",
      "  - {candidate: local, baseline: {projected: claude-sonnet-4-0, provider: anthropic}}",
      "  - {candidate: local, baseline: api}",
    ]);
    expect(suite.savings.map((s) => [s.baseline, s.projected?.price.provider_id ?? null])).toEqual([
      ["claude-sonnet-4-0", "anthropic"],
      ["api", null],
    ]);
  });

  it("reports a model name not in the price data at its value, with close names", async () => {
    const issues = await issuesOf([
      ...HEAD,
      "savings:",
      "  - candidate: local",
      "    baseline: {projected: gpt-4.2}",
    ]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatch(
      /^10:27 savings\[0\]\.baseline\.projected: gpt-4\.2 is not in the genai-prices [\d.]+ data/,
    );
    expect(issues[0]).toMatch(/close names: [^)]*gpt-4\.1/);
  });

  it("reports an unknown provider and an unknown key", async () => {
    expect(
      await issuesOf([
        ...HEAD,
        "savings:",
        "  - {candidate: local, baseline: {projected: gpt-4.1, provider: nope}}",
      ]),
    ).toEqual([
      '9:65 savings[0].baseline.provider: provider "nope" is not in the genai-prices 0.1.8 data: a projected baseline is priced from its list price',
    ]);
    const issues = await issuesOf([
      ...HEAD,
      "savings:",
      "  - {candidate: local, baseline: {projectd: gpt-4.1}}",
    ]);
    expect(issues.join("\n")).toMatch(/savings\[0\]\.baseline/);
  });

  it("gives way to a real model of the same name: the pair compares the real one, with a note", async () => {
    const withApi = [...HEAD.slice(0, 3), "  - {id: api, runner: openai, model: gpt-4.1}", ...HEAD.slice(3)];
    const replaced = await load([
      ...withApi,
      "savings:",
      "  - {candidate: local, baseline: {projected: gpt-4.1}}",
    ]);
    expect(replaced.savings).toEqual([
      expect.objectContaining({
        candidate: "local",
        baseline: "api",
        note: "projected baseline gpt-4.1 replaced by model api, run in this suite",
      }),
    ]);
    expect(replaced.savings[0]!.projected).toBeUndefined();
    const dropped = await load([
      ...withApi,
      "savings:",
      "  - {candidate: local, baseline: api}",
      "  - {candidate: local, baseline: {projected: gpt-4.1}}",
    ]);
    expect(dropped.savings).toHaveLength(1);
    expect(dropped.savings[0]).toMatchObject({ baseline: "api" });
    expect(dropped.savings[0]!.note).toMatch(/projected entry was dropped/);
  });
});

describe("projected baseline: list price and cost", () => {
  it("finds gpt-4.1 at $2/M input and $8/M output (genai-prices 0.1.8)", () => {
    const found = lookupListPrice("gpt-4.1");
    expect(found.found && [found.price.input_per_mtok, found.price.output_per_mtok]).toEqual([2, 8]);
  });

  it("prices a call's counts by hand: 1,000 in × $2/M + 200 out × $8/M = $0.0036; unknown counts → null", () => {
    const price = { input_per_mtok: 2, output_per_mtok: 8 };
    expect(projectedCallCost(1000, 200, price)).toBeCloseTo(0.0036, 15);
    expect(projectedCallCost(null, 200, price)).toBeNull();
    expect(projectedCallCost(1000, null, price)).toBeNull();
  });
});

describe("projected baseline: the summary and the terminal line", () => {
  const projected: ProjectedBaseline = {
    model: "gpt-4.1",
    provider: null,
    price: {
      provider_id: "openai",
      model_id: "gpt-4.1",
      input_per_mtok: 2,
      output_per_mtok: 8,
      tiered: false,
      prices_version: "0.1.8",
      priced_at: "2026-11-23",
    },
    tokens_source: "candidate's counts, estimated",
  };
  const suite: SuiteDescription = {
    ...description,
    models: description.models.filter((m) => m.id === "local"),
    savings: [
      { candidate: "local", baseline: "gpt-4.1", projected, onError: true, onTruncated: true, auto: false },
    ],
  };
  const runStart: RunStartEvent = { ...start, suite: { ...start.suite, resolved: suite } };

  const events = (withEnergy: boolean): LogEvent[] => [
    runStart,
    ...[0, 1, 2, 3].map((i) => call("local", i)),
    ...(withEnergy ? [energy] : []),
    { v: 1, type: "run_end", at: "2026-11-23T10:00:20.000Z", status: "completed" },
  ];

  it("projects cost and energy from the candidate's calls; latency and accuracy not measured", () => {
    const summary = build(events(true));
    expect(summary.savings).toHaveLength(1);
    const s = summary.savings[0]!;
    expect(s.baseline_kind).toBe("projected");
    expect(s.projection).toEqual(projected);
    const c = s.comparison;
    // Each call: 100 in, 10 out. Projected: 100 × $2/M + 10 × $8/M = $0.00028.
    expect(c.baseline.cost_per_call_usd).toBeCloseTo(0.00028, 15);
    // Local: 100 J × $0.2/kWh + 0.5 s busy × $3.6/h = $5.556e-6 + $0.0005.
    const local = (100 / 3.6e6) * 0.2 + 0.0005;
    expect(c.candidate.cost_per_call_usd).toBeCloseTo(local, 15);
    expect(c.cost_ratio).toBeCloseTo(0.00028 / local, 12);
    // gpt-4.1 → Epoch's GPT-4o estimate (proxy): 0.301 Wh / 500 tokens × 10 tokens × 3600 J/Wh.
    expect(c.baseline.energy_per_call_j).toBeCloseTo((0.301 / 500) * 10 * 3600, 9);
    expect(c.baseline.energy_sources).toEqual(["published-estimate"]);
    expect(c.energy_ratio).toBeCloseTo(((0.301 / 500) * 10 * 3600) / 100, 9);
    // The ratio's band is the published estimate's (low = central ÷ 3, high = 1.304 / 0.301 × central):
    // the measured candidate has none of its own.
    expect(c.energy_ratio_low).toBeCloseTo(c.energy_ratio! / 3, 9);
    expect(c.energy_ratio_high).toBeCloseTo((c.energy_ratio! * 1.304) / 0.301, 9);
    expect([c.baseline.e2e_p50_ms, c.e2e_p50_ratio, c.ttft_p50_ratio]).toEqual([null, null, null]);
    expect([c.baseline.accuracy, c.accuracy_retained]).toEqual([null, null]);
    expect(c.notes[0]).toMatch(/^baseline gpt-4\.1 is projected, not run: .*\$2\/M input, \$8\/M output/);
    expect(c.notes.join("\n")).toMatch(/candidate's counts, estimated/);
    expect(c.notes.join("\n")).toMatch(/latency and accuracy not measured/);
    expect(c.notes.join("\n")).not.toMatch(/e2e p50 ratio/);
    expect(savingsLine(s)).toBe(
      "local vs gpt-4.1 (projected, not run) on t: at 1.8× its list-price cost (local's token counts, estimated), " +
        "with 4.6× more energy [1.1–14×] (local measured-cpu, gpt-4.1 published estimate); accuracy and speed not measured.",
    );
  });

  it("says what is unknown when the candidate's energy (and so its local cost) is", () => {
    const s = build(events(false)).savings[0]!;
    expect(s.comparison.cost_ratio).toBeNull();
    expect(savingsLine(s)).toBe(
      "local vs gpt-4.1 (projected, not run) on t: cost ratio unknown (local's cost unknown; " +
        "gpt-4.1 at list price: $0.28 per 1k calls), " +
        "energy ratio unknown (local's energy unknown); accuracy and speed not measured.",
    );
  });

  it("labels a baseline that ran as such", () => {
    const s = build([start, ...[0, 1].flatMap((i) => [call("local", i), call("api", i)])]).savings[0]!;
    expect([s.baseline_kind, s.projection]).toEqual(["run", null]);
  });
});
