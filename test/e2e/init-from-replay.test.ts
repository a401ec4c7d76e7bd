/**
 * Logged traffic to a savings report, as a user runs it: `init --from` a chat-completions log
 * (with --redact), then `opbench run` of the written suite with a real llama-server and the tiny
 * model as the candidate against the recorded baseline: the recorded calls replay the logged
 * answers, usage (priced) and latency (null where the log has none), the savings line states
 * agreement, not correctness, and the report shows disagreements first. Bad input is a message.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Summary } from "../../src/metrics/summary.ts";
import { readCalls, runCli } from "../helpers/cli.ts";
import { startLlamaServer, type TestServer } from "../helpers/llama-server.ts";

const fixture = (name: string) => join(import.meta.dirname, "..", "..", "fixtures", "replay", name);
const noTrace = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe("init --from → run → savings against the recorded traffic", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startLlamaServer({ slots: 2 });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("writes a redacted suite, runs it against llama-server, and states agreement with the logged model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-replay-e2e-"));
    const out = join(dir, "suite");
    const init = await runCli([
      "init",
      "--from",
      fixture("openai-chat.jsonl"),
      "--out",
      out,
      "--redact",
      "--seed",
      "3",
    ]);
    expect(init.code, init.stderr).toBe(0);
    noTrace(init.stderr);
    expect(init.stderr).toContain(
      "7 call(s); skipped: 1 image or audio input, 1 no response, 1 malformed line, 1 truncated last line",
    );
    expect(init.stderr).toContain("standing for 7 call(s)");
    expect(init.stderr).toMatch(/Redacted: 1 EMAIL, 1 PHONE/);
    // Nothing written holds the customer's e-mail or phone number; the log itself is not copied.
    for (const file of readdirSync(out)) {
      const text = readFileSync(join(out, file), "utf8");
      expect(text).not.toContain("jane.doe@example.com");
      expect(text).not.toContain("7946 0958");
    }
    expect(JSON.parse(readFileSync(join(out, "redactions.json"), "utf8")).replaced).toEqual({
      EMAIL: 1,
      PHONE: 1,
    });
    const suitePath = join(out, "suite.yaml");
    const suite = readFileSync(suitePath, "utf8");
    expect(suite).toContain("reference: recorded");
    expect(suite).toMatch(/runner: recorded\n\s+answers: "\.\/answers\.jsonl"\n\s+model: "gpt-4\.1"/);
    writeFileSync(suitePath, suite.replace("http://localhost:8080", server.url));

    const run = await runCli([
      "run",
      suitePath,
      "--out",
      join(dir, "run"),
      "--format",
      "table,json,html,summary-json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    noTrace(run.stderr);
    const calls = readCalls(join(dir, "run"));
    const recorded = calls.filter((c) => c.model === "recorded-gpt-4.1" && c.task === "labels");
    expect(recorded).toHaveLength(5);
    for (const call of recorded) {
      expect(call.ok).toBe(true);
      expect(call.model_snapshot).toBe("gpt-4.1-2025-04-14");
      expect(call.input_tokens).toBe(40);
      expect(call.cost_usd).toBeGreaterThan(0);
      expect(call.scores[0]!.score).toBe(1);
    }
    // The log has latencies of 420, 380, 350 and 510 ms, and none for one call: that one stays null.
    expect(recorded.map((c) => c.e2e_ms).sort()).toEqual([350, 380, 420, 510, null].sort());
    const local = calls.filter((c) => c.model === "local" && c.task === "labels");
    expect(local).toHaveLength(5);
    expect(run.stdout + run.stderr).toMatch(
      /local vs recorded-gpt-4\.1 on labels: keeps \d+\.\d% \[[^\]]+\] agreement with recorded-gpt-4\.1's logged answers \(normalized_exact; agreement, not correctness; over the \d+ logged calls its \d+ cases stand for\), at 1\/\d+ of the cost/,
    );
    // The log repeats one request exactly: its case weighs 2, and accuracy counts both calls.
    expect(recorded.map((c) => c.case_weight ?? 1).sort()).toEqual([1, 1, 1, 1, 2]);
    const summary = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8")) as Summary;
    const labels = summary.results.find((r) => r.model === "local" && r.task === "labels")!;
    expect(labels.accuracy[0]).toMatchObject({ n: 5, calls: 6 });
    const html = readFileSync(join(dir, "run", "report.html"), "utf8");
    expect(html).toContain("Disagreements first");
    expect(html).toContain("5 (weighted: 6 calls)");
  }, 180_000);

  it("--judge grades free text against the recorded answers; without its key the judge is skipped, said and recorded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-replay-e2e-"));
    const out = join(dir, "suite");
    const init = await runCli([
      "init",
      "--from",
      fixture("openai-responses.jsonl"),
      "--out",
      out,
      "--judge",
      "gpt-4.1",
    ]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toContain("Tasks: tool-use (1), text (1)");
    expect(init.stderr).toContain("free-text answers are judged by gpt-4.1 against the recorded ones");
    const suitePath = join(out, "suite.yaml");
    writeFileSync(suitePath, readFileSync(suitePath, "utf8").replace("http://localhost:8080", server.url));
    const env = { ...process.env, OPENAI_API_KEY: "" };
    const refused = await runCli(["run", suitePath, "--out", join(dir, "refused")], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("OPENAI_API_KEY");
    const run = await runCli(["run", suitePath, "--out", join(dir, "run"), "--skip-missing-keys"], env);
    expect(run.code, run.stderr).toBe(0);
    noTrace(run.stderr);
    expect(run.stderr).toMatch(/judge judge skipped: OPENAI_API_KEY is not set/);
    const summary = JSON.parse(readFileSync(join(dir, "run", "summary.json"), "utf8"));
    expect(summary.judges).toEqual([
      expect.objectContaining({
        judge: "judge",
        skipped: true,
        calls: 0,
        error: expect.stringContaining("scorers not run: text: judge_pairwise"),
      }),
    ]);
    const calls = readCalls(join(dir, "run")).filter((c) => c.model === "recorded-o4-mini" && !c.warmup);
    const byTask = Object.fromEntries(calls.map((c) => [c.task, c]));
    // The recorded answers agree with themselves: the tool call by tool_call, the text by ROUGE-L.
    expect(byTask["tool-use"]!.scores.map((s) => [s.scorer, s.score])).toEqual([["tool_call", 1]]);
    expect(byTask.text!.scores.map((s) => [s.scorer, s.score])).toEqual([["rouge_l", 1]]);
  }, 180_000);

  it("an unknown log format and a missing file are messages, not traces", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-replay-e2e-"));
    writeFileSync(join(dir, "notes.jsonl"), '{"hello": "world"}\n');
    const unknown = await runCli(["init", "--from", "notes.jsonl"], {}, false, dir);
    expect(unknown.code).toBe(2);
    noTrace(unknown.stderr);
    expect(unknown.stderr).toContain(
      "not a log format opbench reads (line 1 has keys hello); expected one of:",
    );
    const missing = await runCli(["init", "--from", "nope.jsonl"], {}, false, dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.jsonl does not exist");
  });
});
