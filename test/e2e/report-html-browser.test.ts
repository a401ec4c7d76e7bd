/**
 * report.html in a real browser (Debian's `chromium`, driven by playwright-core; never a
 * downloaded browser): opened from file:// with every request outside the file blocked and
 * recorded, every chart draws an SVG with marks, the console stays clean, nothing leaves the
 * page, and markup in model names and output shows as text. Skipped with a message where
 * /usr/bin/chromium is absent, except under CI (.ci/run installs it), where that fails.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlReport } from "../../reports/html.ts";
import { CHROMIUM, openReport as open, chromiumPresent as present } from "../helpers/browser.ts";
import { runCli } from "../helpers/cli.ts";
import { loadReportSummary } from "../helpers/load-report-summary.ts";
import { hostileSummary, INJECTED } from "../helpers/report-summary.ts";
import { call, failedCall, start } from "../helpers/summary-log.ts";

describe.skipIf(!present)("report.html in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("draws every chart offline, with a clean console, and shows injected markup as text", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-html-browser-"));
    // A log for the case browser: hostile output on a disagreement, and a failed call.
    const events = [
      start,
      call(INJECTED, 0, {
        output: INJECTED,
        scores: [
          { scorer: "exact", score: 0, reason: INJECTED },
          { scorer: "valid", score: 1, reason: "" },
        ],
      }),
      call("api", 0),
      call(INJECTED, 1),
      failedCall("api", 1, { error: { class: "http_5xx", message: "upstream down", status: 503 } }),
    ];
    writeFileSync(join(runDir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
    const file = await htmlReport.run({ runDir, summary: hostileSummary() });
    const filtered: Record<string, string[]> = {};
    const seen = await open(browser, file, async (page) => {
      const visible = () =>
        page.$$eval("article.case", (cases) =>
          cases.filter((c) => !c.hasAttribute("hidden")).map((c) => c.getAttribute("data-kinds") ?? ""),
        );
      filtered.all = await visible();
      await page.fill("#case-query", "upstream");
      filtered.query = await visible();
      await page.fill("#case-query", "");
      await page.selectOption("#case-kind", "disagree");
      filtered.kind = await visible();
      await page.fill("#case-query", "no such text");
      filtered.none = await visible();
      filtered.count = [(await page.locator("#case-count").textContent()) ?? ""];
      filtered.preText = await page.$$eval("article.case pre", (pres) =>
        pres.map((p) => `${p.childElementCount}:${p.textContent}`),
      );
    });
    expect(filtered).toEqual({
      all: ["disagree", "failed"],
      query: ["failed"],
      kind: ["disagree"],
      none: [],
      count: ["0 of 2 shown"],
      preText: [`0:${INJECTED}`, "0:a", "0:a"],
    });
    expect(seen.charts).toBe(7); // 5 from the summary, the latency and TPOT CDFs from the log
    for (const chart of seen.marks) expect(chart.marks, chart.id).toBeGreaterThan(0);
    expect(seen.console).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(seen.images).toBe(0);
    expect(seen.text).toContain(INJECTED);
  });

  it("draws a load sweep's charts offline, with a clean console, and shows injected markup as text", async () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-html-browser-load-"));
    const load = loadReportSummary();
    load.model = INJECTED;
    const file = await htmlReport.load({ runDir, load });
    const seen = await open(browser, file);
    expect(seen.charts).toBe(2);
    for (const chart of seen.marks) expect(chart.marks, chart.id).toBeGreaterThan(0);
    expect(seen.console).toEqual([]);
    expect(seen.requests).toEqual([]);
    expect(seen.dialogs).toEqual([]);
    expect(seen.images).toBe(0);
    expect(seen.text).toContain(INJECTED);
  });

  it("ends a quickstart run (demo model) with a report.html that draws", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "opbench-html-quickstart-")), "run");
    const result = await runCli(["run", "suites/quickstart.yaml", "--limit", "2", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const file = join(out, "report.html");
    expect(result.stderr).toContain(`HTML report: ${file}`);
    const seen = await open(browser, file);
    expect(seen.charts).toBeGreaterThan(0);
    for (const chart of seen.marks) expect(chart.marks, chart.id).toBeGreaterThan(0);
    expect(seen.console).toEqual([]);
    expect(seen.requests).toEqual([]);
  });
});
