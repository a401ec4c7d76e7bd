/**
 * report.html as `run` writes it (its cases and latency distributions folded while the log was
 * written) and as `opbench report DIR` and `rescore` write it (read back from the log): the
 * same bytes, with failed calls and disagreeing models in the case browser.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.ts";
import { type FaultServer, sseEvent, startFaultServer } from "../helpers/fault-server.ts";

const stream = (text: string) =>
  [
    sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: { content: text } }] }),
    sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
    sseEvent({ id: "c1", model: "tiny", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
    "data: [DONE]\n\n",
  ].join("");

const env = { OPENAI_API_KEY: "sk-local-test" };
let server: FaultServer;
let dir: string;
let suite: string;
let runDir: string;

beforeAll(async () => {
  // Model "small" answers "one" to everything; "big" answers right, and fails case three.
  server = await startFaultServer((request) => {
    const body = request.body;
    if (body.includes('"small"')) return { kind: "sse", text: stream("one") };
    if (body.includes("three")) return { kind: "json", status: 500, body: { error: "down" } };
    return { kind: "sse", text: stream(body.includes("two") ? "two" : "one") };
  });
  dir = mkdtempSync(join(tmpdir(), "opbench-report-fold-"));
  suite = join(dir, "suite.yaml");
  writeFileSync(
    suite,
    [
      "name: report-fold",
      "retry: {attempts: 1}",
      "defaults: {max_tokens: 4}",
      "models:",
      `  - {id: small, runner: openai, model: small, base_url: "${server.url}/v1"}`,
      `  - {id: big, runner: openai, model: big, base_url: "${server.url}/v1"}`,
      "tasks:",
      "  - {id: t, prompt: 'Say {{q}}', dataset: [{q: one, a: one}, {q: two, a: two}, {q: three, a: three}], expected: '{{a}}'}",
    ].join("\n"),
  );
  runDir = join(dir, "run");
  const run = await runCli(["run", suite, "--out", runDir], env);
  expect(run.code, run.stderr).toBe(0);
});
afterAll(() => server.close());

describe("report.html folded by run, and read back from the log", () => {
  it("is the same page either way", async () => {
    const written = readFileSync(join(runDir, "report.html"));
    const page = written.toString("utf8");
    expect(page).toContain("failed call");
    expect(page).toContain("scorers disagree");
    const copy = join(dir, "again");
    mkdirSync(copy);
    for (const file of ["events.jsonl", "summary.json"]) copyFileSync(join(runDir, file), join(copy, file));
    const report = await runCli(["report", copy, "-o", "html"]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(copy, "report.html")).equals(written)).toBe(true);
  });

  it("rescore's report, folded as it writes its log, is the page `report` writes from that log", async () => {
    const out = join(dir, "rescored");
    const rescored = await runCli(["rescore", runDir, "--out", out]);
    expect(rescored.code, rescored.stderr).toBe(0);
    const written = readFileSync(join(out, "report.html"));
    expect(written.toString("utf8")).toContain("failed call");
    const report = await runCli(["report", out, "-o", "html"]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(out, "report.html")).equals(written)).toBe(true);
  });

  it("a run into a directory whose log it appends to writes the page `report` writes from that whole log", async () => {
    const twice = join(dir, "twice");
    for (let i = 0; i < 2; i++) {
      const run = await runCli(["run", suite, "--out", twice], env);
      expect(run.code, run.stderr).toBe(0);
    }
    const written = readFileSync(join(twice, "report.html"));
    const copy = join(dir, "twice-again");
    mkdirSync(copy);
    for (const file of ["events.jsonl", "summary.json"]) copyFileSync(join(twice, file), join(copy, file));
    const report = await runCli(["report", copy, "-o", "html"]);
    expect(report.code, report.stderr).toBe(0);
    expect(readFileSync(join(copy, "report.html")).equals(written)).toBe(true);
  });
});
