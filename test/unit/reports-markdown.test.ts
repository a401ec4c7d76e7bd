/**
 * The Markdown report (report.md, the GitHub job summary, `opbench report`'s comparison): the
 * escaping of ids and labels, the tables, the savings sentences as the terminal words them, and
 * what a run without calls or an unfinished run says.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { githubSummary } from "../../reports/github-summary.ts";
import { OUTPUT_NAMES, REPORT_OUTPUTS } from "../../reports/index.ts";
import { markdown as markdownOutput } from "../../reports/markdown.ts";
import { escapeMarkdown, renderComparisonMarkdown, renderRunMarkdown } from "../../reports/markdown-text.ts";
import { savingsLine } from "../../src/terminal/savings-lines.ts";
import { build, call, failedCall, start } from "../helpers/summary-log.ts";

const end = { v: 1, type: "run_end", at: "2026-11-23T10:00:20.000Z", status: "completed" } as const;

/** The table rows of `markdown` (lines starting with `|`), split into cells on unescaped `|`. */
function rows(markdown: string): string[][] {
  return markdown
    .split("\n")
    .filter((line) => line.startsWith("|"))
    .map((line) =>
      line
        .slice(2, -2)
        .split(/(?<!\\) \| /)
        .map((cell) => cell.trim()),
    );
}

describe("escapeMarkdown", () => {
  it("escapes what Markdown would read as syntax, | included, and makes line breaks spaces", () => {
    expect(escapeMarkdown("a|b")).toBe("a\\|b");
    expect(escapeMarkdown("*x* _y_ `z` [l](u) <b> ~s~ #1 &amp; \\")).toBe(
      "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\<b\\> \\~s\\~ \\#1 \\&amp; \\\\",
    );
    expect(escapeMarkdown("two\nlines\r\nhere")).toBe("two lines here");
    expect(escapeMarkdown("qwen2.5-0.5b-instruct")).toBe("qwen2.5-0.5b-instruct");
  });
});

describe("renderRunMarkdown", () => {
  const summary = build([
    start,
    call("local", 0),
    call("local", 1, {
      scores: [
        { scorer: "exact", score: 0, reason: "" },
        { scorer: "valid", score: 1, reason: "" },
      ],
    }),
    failedCall("local", 2),
    call("local", 3),
    ...[0, 1, 2, 3].map((i) => call("api", i, { cost_usd: 0.01 })),
    end,
  ]);
  const markdown = renderRunMarkdown(summary);

  it("has a heading, the savings sentences of the terminal, and a table per model × task", () => {
    expect(markdown.startsWith("## opbench: s\n\nRun r, completed, started 2026")).toBe(true);
    expect(summary.savings.length).toBe(1);
    expect(markdown).toContain(`- **${escapeMarkdown(savingsLine(summary.savings[0]!))}**`);
    const [head, separator, local, api] = rows(markdown);
    expect(head).toEqual([
      "model",
      "task",
      "ok/calls",
      "accuracy \\[95% CI\\]",
      "TTFT p50",
      "e2e p50 / p95",
      "errors",
      "cost / 1k calls",
      "energy / call",
      "compute / call",
    ]);
    expect(separator).toEqual(head!.map(() => "---"));
    expect(local!.slice(0, 3)).toEqual(["local", "t", "3/4"]);
    expect(local![3]).toMatch(/^50\.0% \\\[.+\\\] exact; 75\.0% .*valid$/);
    expect(local![4]).toBe("10.0 ms");
    expect(local![6]).toBe("1 (timeout 1)");
    expect(api!.slice(0, 3)).toEqual(["api", "t", "4/4"]);
    expect(api![7]).toBe("$10.0000");
    expect(api![8]).toBe("unknown");
    expect(api![9]).toBe("–"); // an API model's compute is not measured
    expect(markdown).toContain("### Savings");
    expect(markdown.endsWith("\n")).toBe(true);
    expect(markdown).not.toContain("> "); // a completed run with no failed start: no notes
  });

  it("escapes model ids so they stay in their cell and show as written", () => {
    const odd = build([start, call("a|b*c", 0), end]);
    const text = renderRunMarkdown(odd);
    const [, , row] = rows(text);
    expect(row![0]).toBe("a\\|b\\*c");
    expect(row!.length).toBe(10);
  });

  it("says when there are no calls, and that an unfinished run covers what was recorded", () => {
    const empty = renderRunMarkdown(build([start]));
    expect(empty).toContain("**No calls were recorded in this run**");
    expect(empty).toContain("> Run status: incomplete; the results cover the calls recorded so far.");
    expect(rows(empty)).toEqual([]);
  });
});

describe("renderComparisonMarkdown", () => {
  it("puts several runs in one table, a row per run × model × task", () => {
    const one = build([start, call("local", 0), call("api", 0), end]);
    const two = build([start, call("local", 0)]);
    const text = renderComparisonMarkdown([
      { name: "runs/one", summary: one },
      { name: "runs/two", summary: two },
      { name: "runs/empty", summary: build([start]) },
    ]);
    const table = rows(text);
    expect(table[0]!.slice(0, 3)).toEqual(["run", "model", "task"]);
    expect(table.slice(2).map((r) => r.slice(0, 3))).toEqual([
      ["runs/one", "local", "t"],
      ["runs/one", "api", "t"],
      ["runs/two", "local", "t"],
      ["runs/empty", "no calls recorded", ""],
    ]);
    expect(text).toContain("- runs/two: run status incomplete");
    expect(text).toContain("- runs/empty: run status incomplete");
  });
});

describe("the markdown and github-summary outputs", () => {
  afterEach(() => vi.unstubAllEnvs());
  const summary = build([start, call("local", 0), end]);

  it("markdown writes report.md into the run directory", () => {
    const runDir = mkdtempSync(join(tmpdir(), "opbench-md-"));
    expect(markdownOutput.run({ runDir, summary })).toBe(join(runDir, "report.md"));
    expect(readFileSync(join(runDir, "report.md"), "utf8")).toBe(renderRunMarkdown(summary));
  });

  it("github-summary appends to $GITHUB_STEP_SUMMARY, and does nothing without it", () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-gh-"));
    const path = join(dir, "step-summary.md");
    writeFileSync(path, "earlier step\n");
    vi.stubEnv("GITHUB_STEP_SUMMARY", path);
    expect(githubSummary.run({ runDir: dir, summary })).toBe(path);
    expect(readFileSync(path, "utf8")).toBe(`earlier step\n${renderRunMarkdown(summary)}\n`);
    vi.stubEnv("GITHUB_STEP_SUMMARY", "");
    expect(githubSummary.run({ runDir: dir, summary })).toBeNull();
    expect(existsSync(join(dir, "report.md"))).toBe(false);
  });

  it("report's defaults are the registered report formats, markdown first", () => {
    expect(REPORT_OUTPUTS[0]).toBe("markdown");
    for (const name of REPORT_OUTPUTS) expect(OUTPUT_NAMES).toContain(name);
  });
});
