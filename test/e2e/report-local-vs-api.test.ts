/**
 * The report a user gets for what opbench is for: a local model (the embedded demo model) against
 * two hosted APIs (OpenAI and Anthropic stand-ins answering from the recorded-format fixtures,
 * with known accuracies), on the quickstart's BANKING77 sample, opened in Chromium; then two such
 * runs (the APIs answering worse in the second) compared in one page by `opbench report a b`.
 * With OPBENCH_SCREENSHOTS=<dir> set, each page's full-page PNG is written there (the README's
 * screenshots come from here).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/metrics/summary.ts";
import { type AnsweringModel, answeringRoute } from "../helpers/answering-api.ts";
import { CHROMIUM, chromiumPresent, openReport } from "../helpers/browser.ts";
import { runCli } from "../helpers/cli.ts";
import { type FaultServer, startFaultServer } from "../helpers/fault-server.ts";

const SUITES = join(import.meta.dirname, "..", "..", "suites");
const env = { OPENAI_API_KEY: "sk-fixture", ANTHROPIC_API_KEY: "sk-ant-fixture" };
const shots = process.env.OPBENCH_SCREENSHOTS;

/** The sample's query → label, as the stand-ins grade themselves. */
function sampleLabels(): Map<string, string> {
  const lines = readFileSync(join(SUITES, "data", "banking77-sample.csv"), "utf8")
    .trim()
    .split(/\r?\n/)
    .slice(1);
  return new Map(
    lines.map((line) => {
      const cut = line.lastIndexOf(",");
      return [line.slice(0, cut).replace(/^"|"$/g, "").replace(/""/g, '"'), line.slice(cut + 1)];
    }),
  );
}

/** The quickstart suite with two API models added and compared with the local one. */
function writeSuite(dir: string, url: string): string {
  mkdirSync(join(dir, "data"), { recursive: true });
  for (const file of ["banking77-sample.csv", "banking77-labels.json"]) {
    copyFileSync(join(SUITES, "data", file), join(dir, "data", file));
  }
  const quickstart = readFileSync(join(SUITES, "quickstart.yaml"), "utf8");
  const models = [
    "models:",
    "  - id: demo",
    "    runner: embedded",
    // The hosted APIs cannot apply the task's GBNF grammar: they get the prompt alone.
    `  - {id: gpt-4.1-mini, runner: openai, model: gpt-4.1-mini, base_url: "${url}/v1", ignore_grammar: true}`,
    `  - {id: claude-haiku, runner: anthropic, model: claude-3-5-haiku-20241022, base_url: "${url}", ignore_grammar: true}`,
    "savings:",
    "  - {candidate: demo, baseline: gpt-4.1-mini}",
    "  - {candidate: demo, baseline: claude-haiku}",
    "tasks:",
  ].join("\n");
  const suite = quickstart.replace(/^models:[\s\S]*?^tasks:/m, models).replace(/^warmup: 1$/m, "warmup: 0");
  const path = join(dir, "suite.yaml");
  writeFileSync(path, suite);
  return path;
}

const gpt: AnsweringModel = { accuracy: 0.9, seed: 1, thinkMs: 180, gapMs: 40 };
const claude: AnsweringModel = { accuracy: 0.8, seed: 2, thinkMs: 260, gapMs: 30 };

async function runAgainst(
  dir: string,
  models: Record<string, AnsweringModel>,
): Promise<{ runDir: string; server: FaultServer }> {
  const server = await startFaultServer(
    answeringRoute({ models, labels: sampleLabels(), marker: "Customer query: " }),
  );
  const suite = writeSuite(dir, server.url);
  const runDir = join(dir, "run");
  const result = await runCli(["run", suite, "--out", runDir, "-o", "summary-json,html"], env);
  expect(result.code, result.stderr).toBe(0);
  return { runDir, server };
}

describe.skipIf(!chromiumPresent)("a local model against two API models, in Chromium", () => {
  let browser: Browser;
  const servers: FaultServer[] = [];
  let before: string;
  let after: string;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
    const root = mkdtempSync(join(tmpdir(), "opbench-local-vs-api-"));
    const first = await runAgainst(join(root, "before"), {
      "gpt-4.1-mini": gpt,
      "claude-3-5-haiku-20241022": claude,
    });
    // The second run: the OpenAI stand-in answers far worse, the Anthropic one the same.
    const second = await runAgainst(join(root, "after"), {
      "gpt-4.1-mini": { ...gpt, accuracy: 0.4 },
      "claude-3-5-haiku-20241022": claude,
    });
    servers.push(first.server, second.server);
    before = first.runDir;
    after = second.runDir;
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all(servers.map((s) => s.close()));
  });

  it("states the savings against each API, with its accuracy, and draws every chart", async () => {
    const summary = JSON.parse(readFileSync(join(before, "summary.json"), "utf8")) as Summary;
    expect(summary.savings.map((s) => [s.candidate, s.baseline, s.baseline_kind])).toEqual([
      ["demo", "gpt-4.1-mini", "run"],
      ["demo", "claude-haiku", "run"],
    ]);
    const exact = (model: string) =>
      summary.results.find((g) => g.model === model)?.accuracy.find((a) => a.scorer === "exact")?.mean;
    // 48 cases: the stand-ins' seeded accuracies land near 0.9 and 0.8.
    expect(exact("gpt-4.1-mini")).toBeGreaterThan(0.75);
    expect(exact("claude-haiku")).toBeGreaterThan(0.65);
    // The demo model kept its grammar: every answer is one of the labels.
    const valid = summary.results
      .find((g) => g.model === "demo")
      ?.accuracy.find((a) => a.scorer === "valid_label");
    expect(valid?.mean).toBe(1);
    // The APIs got no grammar (ignore_grammar), so none of their calls failed.
    for (const model of ["gpt-4.1-mini", "claude-haiku"]) {
      expect(summary.results.find((g) => g.model === model)?.failed).toBe(0);
    }
    for (const pair of summary.savings) {
      expect(pair.comparison.paired_cases).toBe(48);
      expect(pair.comparison.mcnemar_p_value).not.toBeNull();
      expect(pair.comparison.e2e_p50_ratio).not.toBeNull();
    }
    const seen = await openReport(
      browser,
      join(before, "report.html"),
      undefined,
      shots && join(shots, "report-local-vs-api.png"),
    );
    expect(seen.console).toEqual([]);
    expect(seen.requests).toEqual([]);
    for (const chart of seen.marks) expect(chart.marks, chart.id).toBeGreaterThan(0);
    expect(seen.text).toContain("demo vs gpt-4.1-mini");
    expect(seen.text).toContain("demo vs claude-haiku");
  });

  it("compares two runs in one page: the drop of the worse run is paired and significant", async () => {
    const page = join(mkdtempSync(join(tmpdir(), "opbench-compare-")), "compare.html");
    const result = await runCli(
      ["report", before, after, "--label", "monday", "--label", "tuesday", "-o", page],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Comparison report: ${page}`);
    let rows: string[][] = [];
    const seen = await openReport(
      browser,
      page,
      async (p) => {
        rows = await p.$$eval("#between-runs table.comparisons tbody tr", (trs) =>
          trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
        );
      },
      shots && join(shots, "report-comparison.png"),
    );
    expect(seen.console).toEqual([]);
    expect(seen.requests).toEqual([]);
    for (const chart of seen.marks) expect(chart.marks, chart.id).toBeGreaterThan(0);
    // One row per model × task of the later run, each against the same model of the first.
    expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([
      ["tuesday · demo", "monday · demo", "48"],
      ["tuesday · gpt-4.1-mini", "monday · gpt-4.1-mini", "48"],
      ["tuesday · claude-haiku", "monday · claude-haiku", "48"],
    ]);
    const significant = Object.fromEntries(rows.map((r) => [r[0], r[10]]));
    expect(significant["tuesday · gpt-4.1-mini"]).toBe("yes");
    // Same seed and accuracy: the same answers, so no difference at all.
    expect(rows[2]?.[7]).toBe("0 pts");
    expect(significant["tuesday · claude-haiku"]).toBe("no");
    expect(seen.text).toContain("monday (reference)");
  });
});
