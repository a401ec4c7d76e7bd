/**
 * `opbench report` and the Markdown outputs as a user meets them: report.md and the GitHub job
 * summary written by `run`, `report` for one directory or several (one comparison table), and
 * bad run directories — no log, a cut-off last line, a log of a newer opbench, a run without
 * calls — each a clear message or a report saying what is missing, never a stack trace.
 */
import {
  appendFileSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderRunMarkdown } from "../../reports/markdown-text.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { runCli } from "../helpers/cli.ts";
import { type FaultServer, sseEvent, startFaultServer } from "../helpers/fault-server.ts";

const CHAT_STREAM = [
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: { content: "one" } }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
  "data: [DONE]\n\n",
].join("");

const env = { OPENAI_API_KEY: "sk-local-test" };

let server: FaultServer;
let dir: string;
let suite: string;
/** A finished run directory, made once by `run` (with a job summary file set). */
let runDir: string;
let stepSummary: string;
let runResult: Awaited<ReturnType<typeof runCli>>;

beforeAll(async () => {
  server = await startFaultServer(() => ({ kind: "sse", text: CHAT_STREAM }));
  dir = mkdtempSync(join(tmpdir(), "opbench-report-cli-"));
  suite = join(dir, "suite.yaml");
  writeFileSync(
    suite,
    [
      "name: report",
      "retry: {attempts: 1}",
      "defaults: {max_tokens: 4}",
      "models:",
      `  - {id: api_one, runner: openai, model: tiny, base_url: "${server.url}/v1"}`,
      "tasks:",
      "  - {id: t, prompt: 'Say {{q}}', dataset: [{q: one, a: one}, {q: two, a: two}], expected: '{{a}}'}",
    ].join("\n"),
  );
  runDir = join(dir, "run");
  stepSummary = join(dir, "step-summary.md");
  writeFileSync(stepSummary, "# earlier step\n");
  runResult = await runCli(["run", suite, "--out", runDir], { ...env, GITHUB_STEP_SUMMARY: stepSummary });
});
afterAll(() => server.close());

const summaryOf = (path: string) => JSON.parse(readFileSync(join(path, "summary.json"), "utf8")) as Summary;

/** A copy of the finished run's log in a new directory, for a test to damage. */
function copyRun(name: string): string {
  const copy = join(dir, name);
  mkdirSync(copy);
  copyFileSync(join(runDir, "events.jsonl"), join(copy, "events.jsonl"));
  return copy;
}

describe("run writes report.md and the GitHub job summary", () => {
  it("by default: report.md in the run directory, appended to $GITHUB_STEP_SUMMARY", () => {
    expect(runResult.code, runResult.stderr).toBe(0);
    const report = readFileSync(join(runDir, "report.md"), "utf8");
    expect(report).toBe(renderRunMarkdown(summaryOf(runDir)));
    expect(report).toContain("| api\\_one | t | 2/2 |");
    expect(readFileSync(stepSummary, "utf8")).toBe(`# earlier step\n${report}\n`);
    expect(runResult.stderr).toContain(`Report: ${join(runDir, "report.md")}\n`);
    expect(runResult.stderr).toContain(`GitHub step summary: ${stepSummary}\n`);
  });

  it("without $GITHUB_STEP_SUMMARY: no job summary, nothing said about one", async () => {
    const out = join(dir, "no-step-summary");
    const result = await runCli(["run", suite, "--out", out], env);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(out, "report.md"))).toBe(true);
    expect(result.stderr).not.toContain("GitHub");
  });
});

describe("opbench report", () => {
  it("writes report.md again from the log alone, and csv when asked", async () => {
    const copy = copyRun("again");
    const calls = server.requests.length;
    const result = await runCli(["report", copy]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(join(copy, "report.md"), "utf8")).toBe(
      readFileSync(join(runDir, "report.md"), "utf8"),
    );
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`Report: ${join(copy, "report.md")}\n`);
    expect(server.requests.length).toBe(calls);

    const csv = await runCli(["report", copy, "-o", "csv"]);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = readFileSync(join(copy, "calls.csv"), "utf8").trim().split("\n");
    expect(lines[0]).toMatch(/^model,task,case_id,repeat,attempt,/);
    expect(lines.length).toBe(3);
    expect(lines[1]).toMatch(/^api_one,t,/);
    expect(readFileSync(join(copy, "summary.csv"), "utf8").trim().split("\n").length).toBe(2);
    expect(csv.stderr).toContain(`CSV: ${join(copy, "calls.csv")}\nCSV: ${join(copy, "summary.csv")}\n`);
  });

  it("several directories: each gets its report, one comparison page, and one comparison table to stdout or --out-file", async () => {
    const a = copyRun("cmp-a");
    const b = copyRun("cmp-b");
    const result = await runCli(["report", a, b], {}, false, dir);
    expect(result.code, result.stderr).toBe(0);
    expect(existsSync(join(a, "report.md")) && existsSync(join(b, "report.md"))).toBe(true);
    // The comparison page: comparison.html in the working directory, each run under its name.
    expect(result.stderr).toContain("Comparison report: comparison.html\n");
    const page = readFileSync(join(dir, "comparison.html"), "utf8");
    expect(page).toContain("<strong>cmp-a</strong> (reference)");
    expect(page).toContain("cmp-b · api_one");
    expect(result.stdout).toContain("## opbench: comparison of runs");
    const rows = result.stdout
      .split("\n")
      .filter((line) => line.startsWith("| ") && line.includes(" | t | "));
    expect(rows.length).toBe(2);
    expect(rows[0]).toMatch(/^\| cmp-a \| api\\_one \|/);
    expect(rows[1]).toMatch(/^\| cmp-b \| api\\_one \|/);

    const file = join(dir, "comparison.md");
    const toFile = await runCli(["report", a, b, "--out-file", file], {}, false, dir);
    expect(toFile.code, toFile.stderr).toBe(0);
    expect(toFile.stdout).toBe("");
    expect(readFileSync(file, "utf8")).toBe(result.stdout);
    expect(toFile.stderr).toContain(`Comparison: ${file}\n`);
  });

  it("--out-file with one directory: a copy of report.md; without markdown: a clear refusal", async () => {
    const file = join(dir, "one.md");
    const result = await runCli(["report", runDir, "--out-file", file]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(readFileSync(join(runDir, "report.md"), "utf8"));
    const refused = await runCli(["report", runDir, "-o", "csv", "--out-file", file]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--out-file takes the Markdown report");
  });

  it("-o or --out-file naming a .html file: the HTML report there (a copy for one run, the comparison for several)", async () => {
    const one = join(dir, "one.html");
    const single = await runCli(["report", runDir, "-o", one]);
    expect(single.code, single.stderr).toBe(0);
    expect(readFileSync(one, "utf8")).toBe(readFileSync(join(runDir, "report.html"), "utf8"));
    const a = copyRun("html-a");
    const b = copyRun("html-b");
    const page = join(dir, "compare.html");
    const several = await runCli([
      "report",
      a,
      b,
      "--label",
      "before",
      "--label",
      "after",
      "--out-file",
      page,
    ]);
    expect(several.code, several.stderr).toBe(0);
    expect(several.stderr).toContain(`Comparison report: ${page}\n`);
    expect(readFileSync(page, "utf8")).toContain("<strong>before</strong> (reference)");
    const clash = await runCli(["report", a, b, "--label", "same", "--label", "same"]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('would both be labelled "same": give --label for each');
  });
});

describe("bad run directories (report and summary)", () => {
  const noTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

  it("a directory without a log: exit 2, says so", async () => {
    const empty = join(dir, "not-a-run");
    mkdirSync(empty);
    for (const command of ["report", "summary"]) {
      const result = await runCli([command, empty]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`opbench: ${empty} has no events.jsonl; is it a run directory?\n`);
    }
    // Several directories: nothing is written when one of them cannot be read.
    const good = copyRun("before-bad");
    const result = await runCli(["report", good, empty]);
    expect(result.code).toBe(2);
    expect(existsSync(join(good, "report.md"))).toBe(false);
  });

  it("a cut-off last line: the report of what was recorded, the line named on stderr", async () => {
    const torn = copyRun("torn");
    const events = readFileSync(join(torn, "events.jsonl"), "utf8").trim().split("\n");
    // The run_end event cut in the middle of its write.
    const last = events.pop()!;
    writeFileSync(join(torn, "events.jsonl"), `${events.join("\n")}\n${last.slice(0, 20)}`);
    const result = await runCli(["report", torn]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `opbench: ${torn}/events.jsonl: line ${events.length + 1} is not JSON (cut off mid-write?); it was skipped\n`,
    );
    const report = readFileSync(join(torn, "report.md"), "utf8");
    expect(report).toContain("| api\\_one | t | 2/2 |");
    expect(report).toContain("> Run status: incomplete");
    noTrace(result.stderr);
  });

  it("a log of a newer opbench: exit 2, says to upgrade", async () => {
    const newer = copyRun("newer");
    appendFileSync(join(newer, "events.jsonl"), `${JSON.stringify({ v: 2, type: "something_new" })}\n`);
    for (const command of ["report", "summary"]) {
      const result = await runCli([command, newer]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `opbench: ${newer}/events.jsonl was written by a newer opbench (log version 2; this opbench reads version 1): upgrade opbench to read it\n`,
      );
    }
    expect(existsSync(join(newer, "report.md"))).toBe(false);
  });

  it("a run without calls: a report that says so; a log without run_start: exit 2", async () => {
    const noCalls = join(dir, "no-calls");
    mkdirSync(noCalls);
    const [first] = readFileSync(join(runDir, "events.jsonl"), "utf8").split("\n");
    writeFileSync(join(noCalls, "events.jsonl"), `${first}\n`);
    const result = await runCli(["report", noCalls]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`opbench: ${noCalls}: the run recorded no calls (status: incomplete)\n`);
    expect(readFileSync(join(noCalls, "report.md"), "utf8")).toContain(
      "**No calls were recorded in this run**",
    );
    const summary = await runCli(["summary", noCalls, "-o", "table"]);
    expect(summary.code, summary.stderr).toBe(0);

    const blank = join(dir, "blank");
    mkdirSync(blank);
    writeFileSync(join(blank, "events.jsonl"), "");
    const none = await runCli(["report", blank]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `opbench: ${blank}/events.jsonl holds no run_start event: the run did not get as far as starting\n`,
    );
  });

  it("a load sweep: load writes report.html, and report writes it again", async () => {
    const out = join(dir, "load");
    const load = await runCli(["load", suite, "--concurrency", "1", "--requests", "1", "--out", out], env);
    expect(load.code, load.stderr).toBe(0);
    const html = join(out, "report.html");
    expect(readFileSync(html, "utf8")).toContain("opbench load report");
    rmSync(html);
    const result = await runCli(["report", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(html, "utf8")).toContain("opbench load report");
    const table = await runCli(["report", out, "-o", "load-json"]);
    expect(table.code, table.stderr).toBe(0);
    rmSync(out, { recursive: true });
  });
});
