/**
 * LLM judges end to end: a local server plays both the model under test (an OpenAI-compatible
 * stream) and the judge (OpenAI chat completions, whole responses) whose verdicts follow the
 * graded text: a pointwise score, an unparsable verdict, a 500, a fair pairwise preference and a
 * position-biased one. Checked: scores and reasons, the `judge_call` events and the evaluation
 * overhead kept out of the model's cost, `--resume` not paying judged calls again, and a missing
 * judge key named before any call (or, with --skip-missing-keys, its scorers skipped and said so).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JudgeCallEvent, JudgeStartEvent } from "../../src/core/judge.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { readCalls, readEvents, runCli } from "../helpers/cli.ts";
import {
  type FaultServer,
  type ReceivedRequest,
  type Reply,
  sseEvent,
  startFaultServer,
} from "../helpers/fault-server.ts";

const JUDGE_KEY = "sk-opbench-SECRET-judge-4d5e6f";

/** The text between a judge prompt's `<<<LABEL` and `>>>LABEL` markers. */
function block(prompt: string, label: string): string {
  const start = prompt.indexOf(`<<<${label}\n`);
  const end = prompt.indexOf(`\n>>>${label}`);
  return start < 0 || end < 0 ? "" : prompt.slice(start + label.length + 4, end);
}

const completion = (content: string): Reply => ({
  kind: "json",
  body: {
    id: "judge-1",
    object: "chat.completion",
    model: "referee",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  },
});

/** The judge: verdicts follow the graded text (see the file's comment). */
function judgeReply(prompt: string): Reply {
  if (prompt.startsWith("Grade the RESPONSE")) {
    const response = block(prompt, "RESPONSE");
    if (response.includes("boom"))
      return { kind: "json", status: 500, body: { error: { message: "judge down" } } };
    if (response.includes("junk")) return completion("I would rather not grade this one.");
    const score = response.includes("good") ? 5 : 2;
    return completion(`{"reasoning": "graded ${response}", "score": ${score}}`);
  }
  const a = block(prompt, "A");
  const b = block(prompt, "B");
  if (a.includes("boom") || b.includes("boom"))
    return { kind: "json", status: 500, body: { error: { message: "judge down" } } };
  if (a.includes("junk") || b.includes("junk")) return completion("Both are fine, really.");
  // Fair when one answer says "good"; else biased to the first position.
  const winner = a.includes("good") ? "A" : b.includes("good") ? "B" : "A";
  return completion(`Sure. {"reasoning": "picked ${winner}", "winner": "${winner}"}`);
}

/** The model under test answers "<q> answer", streamed. */
function modelReply(request: ReceivedRequest): Reply {
  const body = JSON.parse(request.body) as { messages: { role: string; content: string }[] };
  const q = body.messages.at(-1)!.content.replace("Answer ", "");
  const text = [
    sseEvent({ id: "m1", model: "small", choices: [{ index: 0, delta: { content: `${q} answer` } }] }),
    sseEvent({ id: "m1", model: "small", choices: [{ index: 0, delta: {}, finish_reason: "stop" }] }),
    sseEvent({ id: "m1", model: "small", choices: [], usage: { prompt_tokens: 5, completion_tokens: 2 } }),
    "data: [DONE]\n\n",
  ].join("");
  return { kind: "sse", text };
}

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer((request) => {
    const body = JSON.parse(request.body) as { model: string; messages: { role: string; content: string }[] };
    return body.model === "referee" ? judgeReply(body.messages.at(-1)!.content) : modelReply(request);
  });
});
afterAll(() => server.close());

const judgeRequests = (since: number) =>
  server.requests.slice(since).filter((r) => (JSON.parse(r.body) as { model: string }).model === "referee");

function writeSuite(): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-judges-"));
  const suite = join(dir, "suite.yaml");
  writeFileSync(
    suite,
    [
      "name: judged",
      "retry: {attempts: 1}",
      "defaults: {max_tokens: 16}",
      "models:",
      `  - {id: small, runner: openai-compatible, model: small, base_url: "${server.url}/v1"}`,
      "judges:",
      `  - {id: referee, runner: openai, model: referee, base_url: "${server.url}/v1", api_key_env: JUDGE_KEY, concurrency: 4, price: {input_per_mtok: 1, output_per_mtok: 2}}`,
      "tasks:",
      "  - id: t",
      "    prompt: 'Answer {{q}}'",
      "    dataset: [{q: good, expected: plain reference}, {q: bad, expected: plain reference}, {q: junk, expected: x}, {q: boom, expected: x}]",
      "    scorers:",
      "      - {type: judge, judge: referee, rubric: 'Says good things.'}",
      "      - {type: judge_pairwise, judge: referee}",
    ].join("\n"),
  );
  return suite;
}

const scoresOf = (runDir: string) =>
  Object.fromEntries(
    readCalls(runDir).map((c) => [c.case_id, Object.fromEntries(c.scores.map((s) => [s.scorer, s]))]),
  );

describe("LLM judges in a run", () => {
  let runDir: string;
  let stdout: string;
  let before: number;
  beforeAll(async () => {
    const suite = writeSuite();
    runDir = join(mkdtempSync(join(tmpdir(), "opbench-judges-run-")), "run");
    before = server.requests.length;
    const result = await runCli(["run", suite, "--out", runDir], { JUDGE_KEY });
    expect(result.stderr).not.toContain("Error:");
    expect(result.code).toBe(0);
    stdout = result.stdout;
  }, 60_000);

  it("scores pointwise and pairwise verdicts, and records what it could not read or call", () => {
    const scores = scoresOf(runDir);
    expect(scores["1"]!.judge).toMatchObject({ score: 1 });
    expect(scores["1"]!.judge!.reason).toContain("graded good answer");
    expect(scores["2"]!.judge).toMatchObject({ score: 0.25 });
    // Unparsable verdict: null, the judge's words in the reason.
    expect(scores["3"]!.judge!.score).toBeNull();
    expect(scores["3"]!.judge!.reason).toContain("I would rather not grade this one.");
    expect(scores["3"]!.judge_pairwise!.score).toBeNull();
    // The judge failed (500): a scoring error, and the run went on to score the other cases.
    expect(scores["4"]!.judge!.score).toBeNull();
    expect(scores["4"]!.judge!.reason).toMatch(/^scorer failed: .*judge referee/);
    // Pairwise: a win in both orders; a judge that always picks A is inconsistent → 0.5.
    expect(scores["1"]!.judge_pairwise).toMatchObject({ score: 1 });
    expect(scores["1"]!.judge_pairwise!.reason).toContain("win in both orders");
    expect(scores["2"]!.judge_pairwise).toMatchObject({ score: 0.5 });
    expect(scores["2"]!.judge_pairwise!.reason).toContain("inconsistent");
    expect(scores["2"]!.judge_pairwise!.reason).toMatch(/output as A: win .*output as B: loss/);
  });

  it("asks pairwise questions in both orders, deterministically, with a verdict schema", () => {
    const bodies = judgeRequests(before).map(
      (r) =>
        JSON.parse(r.body) as {
          temperature: number;
          seed: number;
          messages: { content: string }[];
          response_format?: unknown;
        },
    );
    expect(bodies).toHaveLength(12);
    for (const body of bodies) {
      expect(body.temperature).toBe(0);
      expect(body.seed).toBe(0);
      expect(body.response_format).toMatchObject({ type: "json_schema" });
    }
    const pairwise = bodies.map((b) => b.messages.at(-1)!.content).filter((p) => p.startsWith("Compare"));
    const good = pairwise.filter((p) => p.includes("good answer"));
    expect(good.map((p) => block(p, "A") === "good answer").sort()).toEqual([false, true]);
  });

  it("logs each judge call as its own event and reports it as overhead, apart from the model", () => {
    const events = readEvents(runDir);
    const starts = events.filter((e): e is JudgeStartEvent => e.type === "judge_start");
    expect(starts).toMatchObject([{ judge: "referee", runner: "openai" }]);
    const judged = events.filter((e): e is JudgeCallEvent => e.type === "judge_call");
    expect(judged).toHaveLength(12);
    expect(judged.filter((e) => !e.ok)).toHaveLength(3);
    expect(judged.every((e) => e.item.startsWith("small|t|0|") && e.model === "small")).toBe(true);
    expect(new Set(judged.filter((e) => e.scorer === "judge_pairwise").map((e) => e.label))).toEqual(
      new Set(["AB", "BA"]),
    );
    const ok = judged.find((e) => e.ok)!;
    expect(ok).toMatchObject({ input_tokens: 100, output_tokens: 20 });
    expect(ok.cost_usd).toBeCloseTo((100 * 1 + 20 * 2) / 1e6, 12);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as Summary;
    expect(summary.judges).toMatchObject([
      { judge: "referee", calls: 12, failed_calls: 3, input_tokens: 900, output_tokens: 180, error: null },
    ]);
    expect(summary.judges![0]!.cost_usd).toBeCloseTo((9 * 140) / 1e6, 12);
    // The model under test is local-priced (openai-compatible, no price): no judge cost leaks in.
    const model = summary.by_model.find((g) => g.model === "small")!;
    expect(JSON.stringify(model)).not.toContain("0.00126");
    expect(stdout).toContain("Evaluation overhead");
    expect(stdout).toMatch(/judge referee: 12 calls \(3 failed\)/);
    expect(readFileSync(join(runDir, "events.jsonl"), "utf8")).not.toContain(JUDGE_KEY);
  });

  it("--resume does not pay judged calls again", async () => {
    // An unfinished copy of the run: the last two call records and run_end are gone.
    const lines = readFileSync(join(runDir, "events.jsonl"), "utf8").trim().split("\n");
    const callLines = lines.filter((l) => l.includes('"type":"call"'));
    const dropped = new Set(callLines.slice(-2));
    const kept = lines.filter((l) => !dropped.has(l) && !l.includes('"type":"run_end"'));
    const resumeDir = join(mkdtempSync(join(tmpdir(), "opbench-judges-resume-")), "run");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(resumeDir);
    writeFileSync(join(resumeDir, "events.jsonl"), `${kept.join("\n")}\n`);
    const since = server.requests.length;
    const result = await runCli(["run", "--resume", resumeDir], { JUDGE_KEY });
    expect(result.code).toBe(0);
    const droppedItems = [...dropped].map((l) => (JSON.parse(l) as { item: string }).item);
    // Three judge questions per re-made call (pointwise, pairwise ×2), none for finished ones.
    expect(judgeRequests(since)).toHaveLength(3 * droppedItems.length);
    const events = readEvents(resumeDir);
    const secondStart = events.findLastIndex((e) => e.type === "run_start");
    const newJudged = events.slice(secondStart).filter((e): e is JudgeCallEvent => e.type === "judge_call");
    expect(new Set(newJudged.map((e) => e.item))).toEqual(new Set(droppedItems));
    expect(scoresOf(resumeDir)).toEqual(scoresOf(runDir));
    // A complete run resumed starts no judge at all.
    const idle = server.requests.length;
    const again = await runCli(["run", "--resume", resumeDir], { JUDGE_KEY });
    expect(again.code).toBe(0);
    expect(judgeRequests(idle)).toHaveLength(0);
  }, 60_000);
});

describe("opbench rescore with judges", () => {
  it("judges the recorded outputs again, records its own judge calls, and keeps the log's order", async () => {
    const suite = writeSuite();
    const runDir = join(mkdtempSync(join(tmpdir(), "opbench-judges-rs-")), "run");
    expect((await runCli(["run", suite, "--out", runDir], { JUDGE_KEY })).code).toBe(0);
    const since = server.requests.length;
    const outDir = join(mkdtempSync(join(tmpdir(), "opbench-judges-rs-")), "again");
    const result = await runCli(["rescore", runDir, "--out", outDir], { JUDGE_KEY });
    expect(result.stderr).toContain("Re-scored 4 call(s)");
    expect(result.code).toBe(0);
    expect(judgeRequests(since)).toHaveLength(12);
    const events = readEvents(outDir);
    expect(events[0]!.type).toBe("run_start");
    // The source's judge events are not copied: these are the re-score's own.
    expect(events.filter((e) => e.type === "judge_start")).toHaveLength(1);
    expect(events.filter((e) => e.type === "judge_call")).toHaveLength(12);
    expect(readCalls(outDir).map((c) => c.case_id)).toEqual(readCalls(runDir).map((c) => c.case_id));
    expect(scoresOf(outDir)).toEqual(scoresOf(runDir));
    const summary = JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")) as Summary;
    expect(summary.judges).toMatchObject([{ judge: "referee", calls: 12, failed_calls: 3 }]);
  }, 60_000);

  it("refuses before any judge call when the judge's key is missing", async () => {
    const suite = writeSuite();
    const runDir = join(mkdtempSync(join(tmpdir(), "opbench-judges-rs-")), "run");
    expect((await runCli(["run", suite, "--out", runDir], { JUDGE_KEY })).code).toBe(0);
    const since = server.requests.length;
    const env = { ...process.env };
    delete env.JUDGE_KEY;
    const result = await runCli(["rescore", runDir], env, true);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("JUDGE_KEY (judge referee)");
    expect(server.requests.length).toBe(since);
  }, 60_000);
});

describe("a judge whose key is missing", () => {
  it("--dry-run prices the judges' worst case on their own line and names the key they miss", async () => {
    const env = { ...process.env };
    delete env.JUDGE_KEY;
    const since = server.requests.length;
    const result = await runCli(["run", writeSuite(), "--dry-run"], env, true);
    expect(result.code).toBe(0);
    // 4 measured outputs: one pointwise question each, and two pairwise ones (all 4 have a reference).
    const line =
      /LLM judge referee \(evaluation overhead, worst case\): 12 calls, input tokens ≈ (\d+), output tokens ≤ 6144, API cost ≤ \$(\d+\.\d{4})/.exec(
        result.stdout,
      );
    expect(line).not.toBeNull();
    // Priced at $1 / $2 per million input / output tokens.
    expect(Number(line![2])).toBeCloseTo((Number(line![1]) * 1 + 6144 * 2) / 1e6, 4);
    // The model under test has no price, so the total cannot be bounded.
    expect(result.stdout).toContain("Estimated API cost at most: unknown");
    expect(result.stdout).toContain("Missing API keys: JUDGE_KEY (judge referee)");
    expect(server.requests.length).toBe(since);
  });

  it("is named before any call", async () => {
    const since = server.requests.length;
    const env = { ...process.env };
    delete env.JUDGE_KEY;
    const result = await runCli(
      ["run", writeSuite(), "--out", join(mkdtempSync(join(tmpdir(), "opbench-j-")), "r")],
      env,
      true,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("JUDGE_KEY (judge referee)");
    expect(server.requests.length).toBe(since);
  });

  it("with --skip-missing-keys: its scorers are skipped, said on stderr, in the summary and the table", async () => {
    const since = server.requests.length;
    const env = { ...process.env };
    delete env.JUDGE_KEY;
    const runDir = join(mkdtempSync(join(tmpdir(), "opbench-j-")), "r");
    const result = await runCli(["run", writeSuite(), "--out", runDir, "--skip-missing-keys"], env, true);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /judge referee skipped: JUDGE_KEY is not set .*scorers not run: t: judge, t: judge_pairwise/,
    );
    expect(judgeRequests(since)).toHaveLength(0);
    expect(readCalls(runDir).every((c) => c.ok && c.scores.length === 0)).toBe(true);
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as Summary;
    expect(summary.judges).toMatchObject([{ judge: "referee", skipped: true, calls: 0 }]);
    expect(summary.judges![0]!.error).toContain("JUDGE_KEY is not set");
    expect(result.stdout).toContain("judge referee: skipped: JUDGE_KEY is not set");
  });
});
