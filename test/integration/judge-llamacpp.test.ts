/**
 * A real llama-server as the judge (and as the model under test): the tiny random-weights model
 * cannot judge, so its verdict is noise: a null score with the raw text (or, by chance, a
 * score). Its vocabulary takes no grammar (llama-server answers 400 to any json_schema), so the
 * verdict is asked for by the prompt alone (`structured: false`). What is tested is the plumbing:
 * judge calls through llama.cpp, recorded as `judge_call` events with
 * tokens and time, and folded into the summary's evaluation overhead.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JudgeCallEvent } from "../../src/core/judge.ts";
import type { Summary } from "../../src/metrics/summary.ts";
import { readCalls, readEvents, runCli } from "../helpers/cli.ts";
import { startLlamaServer, type TestServer } from "../helpers/llama-server.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startLlamaServer({ slots: 2 });
}, 120_000);
afterAll(() => server?.stop());

describe("the tiny model on llama-server as a judge", () => {
  it("makes, records and reports the judge calls; the noise verdicts are scores or recorded nulls", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-judge-llama-"));
    const suite = join(dir, "suite.yaml");
    writeFileSync(
      suite,
      [
        "name: judged-llama",
        "retry: {attempts: 1}",
        "defaults: {max_tokens: 8, temperature: 0}",
        "models:",
        `  - {id: tiny, runner: llamacpp, url: "${server.url}", energy: {method: none}}`,
        "judges:",
        `  - {id: tiny-judge, runner: llamacpp, url: "${server.url}", energy: {method: none}}`,
        "tasks:",
        "  - id: t",
        "    prompt: 'Summarise: {{q}}'",
        "    dataset: [{q: cats sleep a lot, expected: cats nap}, {q: rain is wet, expected: rain wets}]",
        "    scorers:",
        "      - {type: judge, judge: tiny-judge, rubric: 'Short and faithful.', max_tokens: 48, structured: false}",
        "      - {type: judge_pairwise, judge: tiny-judge, max_tokens: 48, structured: false}",
      ].join("\n"),
    );
    const runDir = join(dir, "run");
    const result = await runCli(["run", suite, "--out", runDir]);
    expect(result.stderr).not.toContain("Error:");
    expect(result.code).toBe(0);
    const judged = readEvents(runDir).filter((e): e is JudgeCallEvent => e.type === "judge_call");
    expect(judged).toHaveLength(2 * 3);
    for (const call of judged) {
      expect(call).toMatchObject({ judge: "tiny-judge", model: "tiny", ok: true, cost_usd: null });
      expect(call.output_tokens).toBeGreaterThan(0);
      expect(call.e2e_ms).toBeGreaterThan(0);
    }
    for (const record of readCalls(runDir)) {
      expect(record.scores.map((s) => s.scorer)).toEqual(["judge", "judge_pairwise"]);
      for (const score of record.scores) {
        if (score.score === null) expect(score.reason).toMatch(/unparsable/);
        else expect(score.reason).toMatch(/^judge tiny-judge: /);
      }
    }
    const summary = JSON.parse(readFileSync(join(runDir, "summary.json"), "utf8")) as Summary;
    const [overhead] = summary.judges!;
    expect(overhead).toMatchObject({ judge: "tiny-judge", runner: "llamacpp", calls: 6, failed_calls: 0 });
    expect(overhead!.output_tokens).toBe(judged.reduce((sum, c) => sum + c.output_tokens!, 0));
    expect(result.stdout).toContain("judge tiny-judge: 6 calls");
  }, 180_000);
});
