/**
 * `opbench rescore` as a user meets it: a run made against a scripted server, then graded again
 * with a changed suite — new scores and summary in a new directory that names its source, the
 * source untouched, no request sent — plus truncated outputs, bad directories and bad scorer
 * options (positioned, before any call, through `opbench validate` too).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallRecord, LogEvent, RunStartEvent } from "../../src/core/records.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { runCli } from "../helpers/cli.ts";
import { type FaultServer, sseEvent, startFaultServer } from "../helpers/fault-server.ts";

/** The answer the scripted model gives to every prompt: chatty, with the capital in it. */
const ANSWER = "Sure! The capital is Paris. Score: 1 (the grader must ignore this).";

const CHAT_STREAM = [
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: { content: ANSWER } }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
  sseEvent({ id: "c1", model: "tiny", choices: [], usage: { prompt_tokens: 5, completion_tokens: 12 } }),
  "data: [DONE]\n\n",
].join("");

const env = { OPENAI_API_KEY: "sk-local-test" };

let server: FaultServer;
let dir: string;
let runDir: string;
let requestsAfterRun: number;

function suiteText(server: string, scorers: string, extra: string[] = []): string {
  return [
    "name: capitals",
    "retry: {attempts: 1}",
    "defaults: {max_tokens: 16}",
    ...extra,
    "models:",
    `  - {id: api_one, runner: openai, model: tiny, base_url: "${server}/v1"}`,
    "tasks:",
    "  - id: capital",
    "    prompt: 'Capital of {{q}}?'",
    "    expected: '{{a}}'",
    "    dataset: [{q: France, a: Paris}, {q: Italy, a: Rome}, {q: Japan, a: Tokyo}]",
    `    scorers: ${scorers}`,
  ].join("\n");
}

const events = (path: string) =>
  readFileSync(join(path, "events.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as LogEvent);
const calls = (path: string) => events(path).filter((e): e is CallRecord => e.type === "call");
const summaryOf = (path: string) => JSON.parse(readFileSync(join(path, "summary.json"), "utf8")) as Summary;

beforeAll(async () => {
  server = await startFaultServer(() => ({ kind: "sse", text: CHAT_STREAM }));
  dir = mkdtempSync(join(tmpdir(), "opbench-rescore-cli-"));
  writeFileSync(join(dir, "suite.yaml"), suiteText(server.url, "[exact]"));
  runDir = join(dir, "run");
  const result = await runCli(["run", join(dir, "suite.yaml"), "--out", runDir, "-o", "summary-json"], env);
  expect(result.code, result.stderr).toBe(0);
  requestsAfterRun = server.requests.length;
});
afterAll(() => server.close());

describe("opbench rescore", () => {
  it("grades the recorded outputs with the changed suite's scorers into a new run directory", async () => {
    const before = readFileSync(join(runDir, "events.jsonl"), "utf8");
    expect(calls(runDir).map((c) => c.scores[0]?.score)).toEqual([0, 0, 0]);
    const changed = join(dir, "changed.yaml");
    writeFileSync(
      changed,
      suiteText(
        server.url,
        "[{type: contains}, {type: token_f1, name: f1}, {type: starts_with, value: Sure}]",
      ),
    );
    const out = join(dir, "rescored");
    const result = await runCli([
      "rescore",
      runDir,
      "--suite",
      changed,
      "--out",
      out,
      "-o",
      "summary-json,markdown",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      `Re-scored 3 call(s) of run run with the scorers of ${changed}: 3 changed.`,
    );
    expect(server.requests.length).toBe(requestsAfterRun);
    expect(readFileSync(join(runDir, "events.jsonl"), "utf8")).toBe(before);

    const original = calls(runDir);
    const rescored = calls(out);
    expect(rescored.map((c) => c.output)).toEqual(original.map((c) => c.output));
    expect(rescored.map((c) => c.e2e_ms)).toEqual(original.map((c) => c.e2e_ms));
    expect(rescored.map((c) => c.scores.map((s) => [s.scorer, s.score]))).toEqual([
      // token F1 against "Paris": 1 of the output's 10 SQuAD tokens, recall 1: 2 × 0.1 ÷ 1.1.
      [
        ["contains", 1],
        ["f1", expect.closeTo(2 / 11, 9)],
        ["starts_with", 1],
      ],
      [
        ["contains", 0],
        ["f1", 0],
        ["starts_with", 1],
      ],
      [
        ["contains", 0],
        ["f1", 0],
        ["starts_with", 1],
      ],
    ]);
    // The other events are copied; run_start says where the outputs came from.
    const types = (path: string) => events(path).map((e) => e.type);
    expect(types(out)).toEqual(types(runDir));
    const start = events(out)[0] as RunStartEvent;
    expect(start.rescored_from).toMatchObject({ run_id: "run", run_dir: runDir, suite_path: changed });
    expect(start.run_id).toBe("rescored");

    const summary = summaryOf(out);
    expect(summary.run.rescored_from?.run_id).toBe("run");
    const accuracy = summary.results[0]!.accuracy.map((a) => [a.scorer, a.mean]);
    expect(accuracy).toEqual([
      ["contains", expect.closeTo(1 / 3, 9)],
      ["f1", expect.closeTo(2 / 33, 9)],
      ["starts_with", 1],
    ]);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("Re-scored from run run");
  });

  it("without --suite, uses the run's suite file as it reads now; the default directory sits beside the run", async () => {
    const result = await runCli(["rescore", runDir, "-o", "summary-json"]);
    expect(result.code, result.stderr).toBe(0);
    const out = /Summary: (.+)\/summary\.json/.exec(result.stderr)?.[1];
    expect(out).toMatch(/run-rescored-\d{8}-\d{6}$/);
    expect(calls(out!).map((c) => c.scores[0])).toEqual(calls(runDir).map((c) => c.scores[0]));
  });

  it("says when a stored output was cut at max_output_bytes", async () => {
    const suite = join(dir, "small.yaml");
    writeFileSync(suite, suiteText(server.url, "[{type: contains, value: Paris}]", ["max_output_bytes: 20"]));
    const small = join(dir, "small-run");
    expect((await runCli(["run", suite, "--out", small, "-o", "summary-json"], env)).code).toBe(0);
    // The run's scorer saw the whole output; the record kept its first 20 bytes.
    expect(calls(small).every((c) => c.output_truncated && c.scores[0]?.score === 1)).toBe(true);
    const out = join(dir, "small-rescored");
    const result = await runCli(["rescore", small, "--out", out, "-o", "summary-json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("3 of them from outputs cut at max_output_bytes");
    const [first] = calls(out);
    expect(first!.scores[0]!.score).toBe(0); // "Sure! The capital is" lacks "Paris"
    expect(first!.scores[0]!.reason).toBe(
      `does not contain "Paris" [re-scored on the stored output: its first 20 of ${Buffer.byteLength(ANSWER)} bytes (max_output_bytes)]`,
    );
  });

  it("refuses what it cannot re-score with a clear message and exit code 2, leaving nothing behind", async () => {
    const none = await runCli(["rescore", join(dir, "nowhere")]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/nowhere has no events\.jsonl; is it a run directory\?/);

    const taken = join(dir, "taken");
    mkdirSync(taken);
    writeFileSync(join(taken, "notes.txt"), "mine");
    const busy = await runCli(["rescore", runDir, "--out", taken]);
    expect(busy.code).toBe(2);
    expect(busy.stderr).toContain("exists and is not empty");

    const load = join(dir, "load-run");
    mkdirSync(load);
    const start = events(runDir)[0];
    writeFileSync(join(load, "events.jsonl"), `${JSON.stringify(start)}\n{"v":1,"type":"load_start"}\n`);
    const sweep = await runCli(["rescore", load, "--out", join(dir, "load-out")]);
    expect(sweep.code).toBe(2);
    expect(sweep.stderr).toContain("it is a load sweep");
    expect(existsSync(join(dir, "load-out"))).toBe(false);
  });

  it("reports bad scorer options at file:line:col before grading anything, as validate does", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      suiteText(server.url, "[{type: rouge_l, threshold: 2}, {type: numeric, pick: middle}]"),
    );
    const validate = await runCli(["validate", bad]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toMatch(
      /bad\.yaml:11:42: tasks\[0\]\.scorers\[0\]\.threshold: expected a number <= 1, got 2/,
    );
    expect(validate.stderr).toMatch(
      /bad\.yaml:11:68: tasks\[0\]\.scorers\[1\]\.pick: expected one of "last" \| "first" \| "only", got "middle"/,
    );
    const rescore = await runCli(["rescore", runDir, "--suite", bad, "--out", join(dir, "never")]);
    expect(rescore.code).toBe(2);
    expect(rescore.stderr).toContain("tasks[0].scorers[0].threshold");
    expect(existsSync(join(dir, "never"))).toBe(false);
  });
});
