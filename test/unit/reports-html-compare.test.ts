/**
 * Several runs in one HTML report: labels, the combined summary (each model named after its
 * run), which models are paired run against run, the paired accuracy difference read from the
 * logs, and the page itself (markup in a label or model inert, every spec compiling cleanly).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BetweenRunsCollector, runPairs } from "../../reports/html/between-runs.ts";
import { writeComparisonReport } from "../../reports/html/compare-page.ts";
import { combineSummaries, type LabelledRun, runLabels } from "../../reports/html/run-set.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { INJECTED } from "../helpers/report-summary.ts";
import { build, call, start } from "../helpers/summary-log.ts";

/** A run directory of `models`, each scoring `right(model, case)` on 40 cases of task "t". */
function run(label: string, models: string[], right: (model: string, index: number) => boolean): LabelledRun {
  const events: LogEvent[] = [start];
  for (const model of models) {
    for (let i = 0; i < 40; i++) {
      const score = right(model, i) ? 1 : 0;
      events.push(
        call(model, i, {
          scores: [
            { scorer: "exact", score, reason: "" },
            { scorer: "valid", score: 1, reason: "" },
          ],
        }),
      );
    }
  }
  const runDir = mkdtempSync(join(tmpdir(), "opbench-compare-unit-"));
  writeFileSync(join(runDir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return { label, runDir, summary: build(events) };
}

describe("run labels", () => {
  it("are the directory names, the paths where names clash, or those given", () => {
    expect(runLabels(["runs/a", "/x/b"])).toEqual(["a", "b"]);
    expect(runLabels(["x/run", "y/run"])).toEqual(["x/run", "y/run"]);
    expect(runLabels(["runs/a", "runs/b"], ["q4", "q8"])).toEqual(["q4", "q8"]);
    expect(runLabels(["runs/a", "runs/b"], ["q4"])).toEqual(["q4", "b"]);
  });

  it("refuse two runs of one label, and more labels than runs", () => {
    expect(() => runLabels(["runs/a", "runs/b"], ["same", "same"])).toThrow(
      /runs\/a and runs\/b would both be labelled "same"/,
    );
    expect(() => runLabels(["runs/a"], ["x", "y"])).toThrow(/2 labels for 1 run directories/);
  });
});

describe("the combined summary", () => {
  it("names every model after its run, in results, roll-ups, models and savings pairs", () => {
    const a = run("A", ["local", "api"], () => true);
    const b = run("B", ["local", "api"], () => true);
    const combined = combineSummaries([a, b]);
    expect(combined.results.map((g) => g.model)).toEqual(["A · local", "A · api", "B · local", "B · api"]);
    expect(combined.by_model.map((g) => g.model)).toEqual(["A · local", "A · api", "B · local", "B · api"]);
    expect(combined.savings.map((s) => `${s.candidate} vs ${s.baseline}`)).toEqual([
      "A · local vs A · api",
      "B · local vs B · api",
    ]);
  });
});

describe("between runs", () => {
  it("pairs a model with the same model of the first run, or the only model of each", () => {
    const a = run("A", ["local", "api"], () => true);
    const b = run("B", ["api", "other"], () => true);
    expect(runPairs([a, b]).map((p) => [p.candidate, p.reference])).toEqual([["B · api", "A · api"]]);
    const q4 = run("q4", ["qwen-q4"], () => true);
    const q8 = run("q8", ["qwen-q8"], () => true);
    expect(runPairs([q4, q8]).map((p) => [p.candidate, p.reference, p.scorer])).toEqual([
      ["q8 · qwen-q8", "q4 · qwen-q4", "exact"],
    ]);
  });

  it("finds a real drop significant on the cases both ran, and no difference where there is none", () => {
    const a = run("A", ["local", "api"], () => true);
    // B's local model gets the last 15 of 40 wrong; its api model is unchanged.
    const b = run("B", ["local", "api"], (model, i) => model === "api" || i < 25);
    const pairs = runPairs([a, b]);
    const collector = new BetweenRunsCollector(pairs);
    for (const side of [a, b]) {
      for (const g of side.summary.results) expect(g.calls).toBe(40);
    }
    const feed = (side: LabelledRun, model: string, right: (i: number) => boolean) => {
      for (let i = 0; i < 40; i++) {
        const score = right(i) ? 1 : 0;
        collector.add(
          call(`${side.label} · ${model}`, i, {
            scores: [
              { scorer: "exact", score, reason: "" },
              { scorer: "valid", score: 1, reason: "" },
            ],
          }),
        );
      }
    };
    feed(a, "local", () => true);
    feed(a, "api", () => true);
    feed(b, "local", (i) => i < 25);
    feed(b, "api", () => true);
    const rows = collector.rows();
    expect(rows.map((r) => [r.candidate, r.pairs, r.diff, r.significant])).toEqual([
      ["B · local", 40, -15 / 40, true],
      ["B · api", 40, 0, false],
    ]);
    expect(rows[0]!.mcnemarP).toBeLessThan(0.001);
  });

  it("make one page from the logs: the between-runs table, each run's record, markup inert", async () => {
    const a = run(INJECTED, ["local"], () => true);
    const b = run("after", ["local"], (_, i) => i < 20);
    const html = await writeComparisonReport([a, b], { withLibraries: false });
    expect(html).not.toContain(INJECTED);
    expect(html).toContain("<strong>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;</strong> (reference)");
    const between = html.slice(
      html.indexOf('<section id="between-runs">'),
      html.indexOf('<section id="tradeoffs">'),
    );
    expect(between).toContain("after · local");
    expect(between).toContain("−50 pts");
    expect(between).toMatch(/<td><span class="yes">yes<\/span><\/td>/);
    // Each run's reproducibility record, under its label.
    expect(html.match(/<h3>after<\/h3>/g)).toHaveLength(1);
  });

  it("say so when no model of a later run matches one of the first", async () => {
    const a = run("A", ["x", "y"], () => true);
    const b = run("B", ["z"], () => true);
    const html = await writeComparisonReport([a, b], { withLibraries: false });
    expect(html).toContain("nothing is compared run against run");
  });
});
