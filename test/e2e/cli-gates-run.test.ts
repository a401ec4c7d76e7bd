/**
 * `opbench run` with gates, as a CI job runs it: a local server plays the OpenAI API and answers
 * some cases wrong or with a 500, so each exit code comes from a real run — 0 every gate passes,
 * 3 a gate failed, 4 more failed calls than max_error_rate allows, 2 a malformed gate (before
 * any call), 1 a baseline URL that cannot be fetched (before any call). Gate verdicts land in
 * summary.json, report.md, the step summary and --junit.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/metrics/summary.ts";
import { runCli } from "../helpers/cli.ts";
import { type FaultServer, type Reply, sseEvent, startFaultServer } from "../helpers/fault-server.ts";

const env = { OPENAI_API_KEY: "sk-local-test" };

/** A streamed chat answer of `text`. */
function answer(text: string): Reply {
  const stream = [
    sseEvent({ id: "c", model: "tiny", choices: [{ index: 0, delta: { content: text } }] }),
    sseEvent({ id: "c", model: "tiny", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
    sseEvent({ id: "c", model: "tiny", choices: [], usage: { prompt_tokens: 5, completion_tokens: 1 } }),
    "data: [DONE]\n\n",
  ].join("");
  return { kind: "sse", text: stream };
}

/** Case q<i>: answered "yes" (right) unless i is in `wrong`, a 500 when i is in `broken`. */
const wrong = new Set([3, 7]);
const broken = new Set([5]);

let server: FaultServer;
let dir: string;
beforeAll(async () => {
  server = await startFaultServer((request) => {
    const body = JSON.parse(request.body) as { messages: { content: string }[] };
    const i = Number(/q(\d+)/.exec(body.messages.at(-1)!.content)?.[1]);
    if (broken.has(i)) return { kind: "json", status: 500, body: { error: { message: "boom" } } };
    return answer(wrong.has(i) ? "no" : "yes");
  });
  dir = mkdtempSync(join(tmpdir(), "opbench-gates-run-"));
});
afterAll(() => server.close());

/** A suite of 10 cases (7 answered right, 2 wrong, 1 failing) with these extra top-level lines. */
function suite(name: string, extra: string[] = []): string {
  const path = join(dir, `${name}.yaml`);
  const rows = Array.from({ length: 10 }, (_, i) => `{q: q${i}, a: "yes"}`).join(", ");
  writeFileSync(
    path,
    [
      "name: gated",
      "retry: {attempts: 1}",
      "defaults: {max_tokens: 4}",
      "models:",
      `  - {id: api, runner: openai, model: tiny, base_url: "${server.url}/v1"}`,
      "tasks:",
      `  - {id: t, prompt: 'Say {{q}}', dataset: [${rows}], expected: '{{a}}'}`,
      ...extra,
    ].join("\n"),
  );
  return path;
}

const readSummary = (out: string) => JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as Summary;

describe("opbench run with gates", () => {
  it("exit 0 when every gate passes; verdicts in summary.json, report.md and the step summary", async () => {
    const out = join(dir, "pass");
    const stepSummary = join(dir, "step-summary.md");
    const path = suite("pass", [
      "gates:",
      '  - "accuracy >= 0.6"',
      '  - "error_rate[model=api] <= 0.2"',
      "max_error_rate: 0.2",
    ]);
    const result = await runCli(["run", path, "--out", out], { ...env, GITHUB_STEP_SUMMARY: stepSummary });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("api × t: accuracy (exact) = 0.7");
    expect(result.stderr).toContain("Gates: all 2 checks passed");
    const gates = readSummary(out).gates!;
    expect(gates.status).toBe("pass");
    expect(gates.verdicts.map((v) => [v.gate, v.status, v.value])).toEqual([
      ["accuracy >= 0.6", "pass", 0.7],
      ["error_rate[model=api] <= 0.2", "pass", 0.1],
    ]);
    expect(gates.error_rate).toEqual({ failed: 1, calls: 10, rate: 0.1, exceeded: false });
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("**Gates: passed** (2 checks)");
    expect(readFileSync(stepSummary, "utf8")).toContain("| ✅ pass | accuracy \\>= 0.6 | api | t |");
  });

  it("exit 3 when a gate fails, with the numbers; --junit writes one test case per gate × model × task", async () => {
    const out = join(dir, "fail");
    const junit = join(dir, "reports", "junit.xml");
    const path = suite("fail", ["gates:", '  - "accuracy >= 0.6"']);
    const result = await runCli(
      ["run", path, "--out", out, "--gate", "accuracy >= 0.9", "--junit", junit],
      env,
    );
    expect(result.code, result.stderr).toBe(3);
    expect(result.stderr).toMatch(
      /api × t: accuracy \(exact\) = 0\.7 \[[0-9.]+–[0-9.]+\], n = 10, needs >= 0\.9: FAIL/,
    );
    expect(result.stderr).toContain("Gates: 1 of 2 checks failed (exit 3)");
    expect(readSummary(out).gates?.status).toBe("fail");
    // `opbench summary` rewrites summary.json from the log and keeps the verdicts it held.
    const again = await runCli(["summary", out, "--format", "summary-json"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(readSummary(out).gates?.verdicts.map((v) => [v.gate, v.status])).toEqual([
      ["accuracy >= 0.6", "pass"],
      ["accuracy >= 0.9", "fail"],
    ]);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toContain('<testsuites name="opbench" tests="2" failures="1">');
    expect(xml).toContain('<testcase classname="opbench.gated.api" name="accuracy &gt;= 0.9 [api × t]">');
    expect(xml).toMatch(
      /<failure message="api × t: accuracy \(exact\) = 0\.7 [^"]*needs &gt;= 0\.9: FAIL" type="gate">/,
    );
    expect(result.stderr).toContain(`JUnit: ${junit}`);
  });

  it("exit 4 when more calls failed than max_error_rate allows (even with every gate passing)", async () => {
    const out = join(dir, "errors");
    const path = suite("errors", ["max_error_rate: 0.05"]);
    const result = await runCli(["run", path, "--out", out, "--gate", "accuracy >= 0.5"], env);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toContain("failed calls: 1 of 10 (10.00%), max_error_rate 5.00%: EXCEEDED");
    expect(readSummary(out).gates?.error_rate?.exceeded).toBe(true);
    // The command line overrides the suite's limit.
    const lenient = await runCli(
      ["run", path, "--out", join(dir, "lenient"), "--max-error-rate", "0.1"],
      env,
    );
    expect(lenient.code, lenient.stderr).toBe(0);
  });

  it("exit 2 for a malformed --gate, naming the expression, the column and what was expected; no call made", async () => {
    const calls = server.requests.length;
    const out = join(dir, "malformed");
    const result = await runCli(
      ["run", suite("malformed"), "--out", out, "--gate", "p95 e2e_ms =< 800"],
      env,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'opbench run: gate "p95 e2e_ms =< 800": column 12: expected an operator (>=, <=, >, <), found "="\n  p95 e2e_ms =< 800\n             ^',
    );
    const unknownModel = await runCli(
      ["run", suite("malformed"), "--out", out, "--gate", "accuracy[model=gpt] >= 0.9"],
      env,
    );
    expect(unknownModel.code).toBe(2);
    expect(unknownModel.stderr).toContain(
      'gate "accuracy[model=gpt] >= 0.9" (command line): model=gpt: no such model (there are: api)',
    );
    expect(server.requests.length).toBe(calls);
    expect(existsSync(out)).toBe(false);
  });

  it("exit 2 for a malformed gate in the suite, at its line and column", async () => {
    const path = suite("bad-suite", ["gates:", '  - "accuracy drop <= 2"']);
    const result = await runCli(["validate", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /bad-suite\.yaml:9:5: gates\[0\]: gate "accuracy drop <= 2": column 19: expected the unit "points" \(percentage points of accuracy\), found the end of the expression/,
    );
  });

  it("exit 1 when the baseline URL cannot be fetched (before any call)", async () => {
    const calls = server.requests.length;
    const result = await runCli(
      [
        "run",
        suite("unreachable"),
        "--out",
        join(dir, "unreachable"),
        "--gate",
        "accuracy drop <= 2 points",
        "--baseline",
        "http://127.0.0.1:1/summary.json",
      ],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "opbench run: --baseline http://127.0.0.1:1/summary.json: could not fetch it",
    );
    expect(server.requests.length).toBe(calls);
  });
});
