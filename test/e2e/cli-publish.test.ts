/**
 * `opbench publish` as a user meets it: 20 runs of two models over time become a site whose
 * index, trend page and run pages render in Chromium from file:// and from a sub-path over HTTP
 * with a clean console and no request leaving the site; a run published twice is one point;
 * `--keep` prunes reports but not points; runs of two suites get a page each; bad input (not a
 * run, a corrupt history.json) is a clear exit 2 that leaves the site as it was.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HISTORY_FILE, readHistory } from "../../reports/site/history.ts";
import { serveFolder } from "../../src/cli/view-command.ts";
import type { LogEvent } from "../../src/core/records.ts";
import { CHROMIUM, chromiumPresent, openReport } from "../helpers/browser.ts";
import { runCli } from "../helpers/cli.ts";
import { call, start } from "../helpers/summary-log.ts";

/** A run directory of suite `suite` (hash `hash`) started on day `day`, two models on 10 cases. */
function runDir(root: string, day: number, suite = "s", hash = "h"): string {
  const at = new Date(Date.UTC(2026, 10, 1 + day, 9)).toISOString();
  const dir = join(root, `${suite}-${day}`);
  mkdirSync(dir, { recursive: true });
  const events: LogEvent[] = [
    { ...start, run_id: `${suite}-run-${day}`, started_at: at, suite: { ...start.suite, name: suite, hash } },
  ];
  for (let i = 0; i < 10; i++) {
    const right = (model: string) => (model === "api" || (i + day) % 3 !== 0 ? 1 : 0);
    for (const model of ["local", "api"]) {
      events.push(
        call(model, i, {
          e2e_ms: model === "api" ? 900 + day * 5 : 200 + day,
          ...(model === "api" && {
            cost_usd: 0.002,
            energy_j: 10,
            energy_source: "published-estimate" as const,
          }),
          scores: [
            { scorer: "exact", score: right(model), reason: "" },
            { scorer: "valid", score: 1, reason: "" },
          ],
        }),
      );
    }
  }
  writeFileSync(join(dir, "events.jsonl"), `${events.map((e) => JSON.stringify(e)).join("\n")}\n`);
  return dir;
}

let root: string;
let site: string;
let runs: string[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "opbench-publish-"));
  site = join(root, "public", "site");
  runs = Array.from({ length: 20 }, (_, day) => runDir(root, day, "s", day < 12 ? "h" : "h2"));
  const first = await runCli(["publish", ...runs.slice(0, 15), "--site", site]);
  expect(first.code, first.stderr).toBe(0);
  // Again, with five more: the fifteen already there are replaced, not added.
  const second = await runCli(["publish", ...runs.slice(10), "--site", site]);
  expect(second.code, second.stderr).toBe(0);
  expect(second.stderr).toContain("(20 run(s) of 1 suite(s); 5 new, 5 already there)");
}, 240_000);

describe("the site", () => {
  it("holds one history record per run, and a report for each", () => {
    const history = readHistory(site);
    expect(history.map((r) => r.run_id)).toEqual(runs.map((_, day) => `s-run-${day}`));
    expect(history[0]!.figures.map((f) => f.model)).toEqual(["local", "api"]);
    for (const r of history) expect(existsSync(join(site, r.report!))).toBe(true);
    const text = readFileSync(join(site, HISTORY_FILE), "utf8");
    expect(text.split("\n").length).toBe(20 + 4); // opening lines, a record per line, closing
  });

  describe.skipIf(!chromiumPresent)("in Chromium", () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM });
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("the index, the trend page and a run page render from file://, and every link resolves", async () => {
      const trend = join(site, "suites", "s", "index.html");
      const pages = [join(site, "index.html"), trend, join(site, readHistory(site)[3]!.report!)];
      for (const page of pages) {
        let links: string[] = [];
        const seen = await openReport(
          browser,
          page,
          async (p) => {
            links = await p.$$eval("a[href]", (as) => as.map((a) => (a as unknown as { href: string }).href));
          },
          undefined,
          site,
        );
        expect(seen.console, page).toEqual([]);
        expect(seen.requests, page).toEqual([]);
        for (const chart of seen.marks) expect(chart.marks, `${page} ${chart.id}`).toBeGreaterThan(0);
        for (const link of links) {
          expect(link.startsWith("file://"), link).toBe(true);
          expect(existsSync(decodeURIComponent(new URL(link).pathname)), link).toBe(true);
        }
      }
      const seen = await openReport(browser, trend, undefined, undefined, site);
      expect(seen.charts).toBe(6);
      expect(seen.text).toContain("20 run(s)");
    });

    it("works under a sub-path over HTTP, fetching nothing outside the site", async () => {
      const server = await serveFolder(join(root, "public"), "index.html", 0);
      const { port } = server.address() as { port: number };
      const context = await browser.newContext();
      const outside: string[] = [];
      const problems: string[] = [];
      await context.route("**/*", (route) => {
        const url = route.request().url();
        if (url.startsWith(`http://127.0.0.1:${port}/site/`)) return route.continue();
        outside.push(url);
        return route.abort();
      });
      try {
        const page = await context.newPage();
        page.on("console", (m) => {
          if (m.type() === "error" || m.type() === "warning") problems.push(m.text());
        });
        await page.goto(`http://127.0.0.1:${port}/site/index.html`);
        await page.click('a[href="suites/s/index.html"]');
        await page.waitForFunction('document.querySelectorAll(".vega svg").length === 6', undefined, {
          timeout: 20_000,
        });
        expect(page.url()).toBe(`http://127.0.0.1:${port}/site/suites/s/index.html`);
        await page.click('a:text-is("s-run-19")');
        expect(page.url()).toMatch(
          new RegExp(`^http://127\\.0\\.0\\.1:${port}/site/runs/s-run-19-\\d+/report\\.html$`),
        );
        expect(problems).toEqual([]);
        expect(outside).toEqual([]);
      } finally {
        await context.close();
        server.close();
      }
    });
  });

  it("--baseline <site> (a folder or its address) gates against the suite's newest published run, paired", async () => {
    const checks = ["--gate", "accuracy drop <= 50 points"];
    const local = await runCli(["gate", runs[0]!, "--baseline", site, ...checks]);
    expect(local.code, local.stderr).toBe(0);
    const newest = readHistory(site).find((r) => r.run_id === "s-run-19")!;
    expect(local.stdout + local.stderr).toContain(`Gates against baseline ${site} (${newest.baseline})`);
    expect(local.stdout + local.stderr).toMatch(/McNemar exact, paired on 10 shared cases/);
    const server = await serveFolder(join(root, "public"), "index.html", 0);
    try {
      const { port } = server.address() as { port: number };
      const url = `http://127.0.0.1:${port}/site/`;
      const remote = await runCli(["gate", runs[0]!, "--baseline", url, ...checks]);
      expect(remote.code, remote.stderr).toBe(0);
      expect(remote.stdout + remote.stderr).toContain(`Gates against baseline ${url} (${newest.baseline})`);
    } finally {
      server.close();
    }
    const other = runDir(root, 5, "unpublished-suite", "z");
    const none = await runCli(["gate", other, "--baseline", site, ...checks]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("the site has no published run of suite unpublished-suite");
  });

  it("--keep prunes older reports but keeps every point; another suite gets its own page", async () => {
    const copy = join(root, "kept");
    expect((await runCli(["publish", ...runs, "--site", copy, "--keep", "5"])).code).toBe(0);
    const history = readHistory(copy);
    expect(history).toHaveLength(20);
    expect(history.filter((r) => r.report !== null).map((r) => r.run_id)).toEqual(
      runs.slice(15).map((_, i) => `s-run-${15 + i}`),
    );
    expect(readdirSync(join(copy, "runs"))).toHaveLength(5);
    const other = runDir(root, 3, "other-suite", "x");
    expect((await runCli(["publish", other, "--site", copy])).code).toBe(0);
    expect(existsSync(join(copy, "suites", "other-suite", "index.html"))).toBe(true);
    expect(readFileSync(join(copy, "index.html"), "utf8")).toContain("other-suite");
    expect(readFileSync(join(copy, "suites", "s", "index.html"), "utf8")).not.toContain("other-suite");
  });

  it("bad input: a directory that is not a run, a corrupt history.json — exit 2, the site untouched", async () => {
    const broken = join(root, "broken");
    mkdirSync(broken);
    const notRun = await runCli(["publish", resolve(dirname(broken)), "--site", broken]);
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toContain("has no events.jsonl; is it a run directory?");
    const corrupt = '{"history_version": 1,\n"records": [\n{"run_id": "a", oops}\n]}\n';
    writeFileSync(join(broken, HISTORY_FILE), corrupt);
    const result = await runCli(["publish", runs[0]!, "--site", broken]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`${join(broken, HISTORY_FILE)}:3 is not valid JSON .*it was left as it is`),
    );
    expect(readFileSync(join(broken, HISTORY_FILE), "utf8")).toBe(corrupt);
    expect(existsSync(join(broken, "index.html"))).toBe(false);
    // publish and --baseline <site> hold a history to the same format.
    const incomplete =
      '{"history_version": 1,\n"records": [\n{"run_id": "a", "suite": "s", "started_at": "x"}\n]}\n';
    writeFileSync(join(broken, HISTORY_FILE), incomplete);
    const gated = await runCli([
      "gate",
      runs[0]!,
      "--baseline",
      broken,
      "--gate",
      "accuracy drop <= 50 points",
    ]);
    expect(gated.code).toBe(2);
    expect(gated.stderr).toContain(`${HISTORY_FILE}:3: record 1 lacks run_id, suite, started_at or figures`);
    const republished = await runCli(["publish", runs[0]!, "--site", broken]);
    expect(republished.code).toBe(2);
    expect(republished.stderr).toContain(`${join(broken, HISTORY_FILE)}:3: record 1 lacks`);
  });
});
