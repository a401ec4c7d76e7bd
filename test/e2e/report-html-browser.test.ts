/**
 * report.html in a real browser (Debian's `chromium`, driven by playwright-core; never a
 * downloaded browser): opened from file:// with every request outside the file blocked and
 * recorded, every chart draws an SVG with marks, the console stays clean, nothing leaves the
 * page, and markup in model names and output shows as text. Skipped with a message where
 * /usr/bin/chromium is absent, except under CI (.ci/run installs it), where that fails.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlReport } from "../../reports/html.ts";
import { runCli } from "../helpers/cli.ts";
import { loadReportSummary } from "../helpers/load-report-summary.ts";
import { hostileSummary, INJECTED } from "../helpers/report-summary.ts";
import { call, failedCall, start } from "../helpers/summary-log.ts";

const CHROMIUM = "/usr/bin/chromium";
const present = existsSync(CHROMIUM);

if (!present) {
  if (process.env.CI)
    throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`);
  console.warn(`skipping the HTML report's browser tests: ${CHROMIUM} is absent (apt-get install chromium)`);
}

/**
 * What opening `file` showed: the page's console, requests, dialogs and each chart's marks;
 * `interact` runs on the page before it closes.
 */
async function open(browser: Browser, file: string, interact?: (page: Page) => Promise<void>) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const console: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url === `file://${file}`) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") console.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`file://${file}`);
  const charts = await page.locator(".vega").count();
  await page.waitForFunction(`document.querySelectorAll(".vega svg").length === ${charts}`, undefined, {
    timeout: 15_000,
  });
  const marks = await page.$$eval(".vega", (elements) =>
    elements.map((e) => ({
      id: e.id,
      marks: e.querySelectorAll("svg g[class*='mark-'] path, svg g[class*='mark-'] line").length,
    })),
  );
  // What is shown (rendered text), not the text of the scripts.
  // biome-ignore lint/performance/useDomNodeTextContent: playwright's locator, not a DOM node
  const text = await page.locator("body").innerText();
  const images = await page.locator("img").count();
  await interact?.(page);
  await context.close();
  return { charts, marks, console, requests, dialogs, text, images };
}

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
