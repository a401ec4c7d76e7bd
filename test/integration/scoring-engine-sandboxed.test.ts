/**
 * `code_tests`, `custom` and `weighted` through the engine: a throw-away runner answers with the
 * code a dataset row holds, the scorers read the row's tests, every score is recorded, and the
 * weighted score, listed first, is the task's accuracy in the summary.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerRunner, unregisterRunner } from "../../runners/index.ts";
import { modelPreparer } from "../../src/cli/model-services.ts";
import { modelFields } from "../../src/core/model-config.ts";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import type { GenerationRequest, RunnerDefinition, RunnerEvent } from "../../src/core/runner.ts";
import { rescoreRun } from "../../src/engine/rescore.ts";
import { runSuite } from "../../src/engine/run.ts";
import { summarizeRun } from "../../src/metrics/summary-file.ts";
import { loadSuite } from "../../src/suite/load.ts";

const ReplyModel = z.strictObject({ ...modelFields, runner: z.literal("reply-test") });
const replyRunner: RunnerDefinition<z.infer<typeof ReplyModel>> = {
  schema: ReplyModel,
  locality: "local",
  create: () => ({
    async *generate(request: GenerationRequest): AsyncIterable<RunnerEvent> {
      yield { type: "sent", t: performance.now() };
      yield { type: "delta", channel: "content", text: request.prompt, t: performance.now() };
      yield { type: "usage", usage: { inputTokens: 1, outputTokens: 1 } };
      yield { type: "end", t: performance.now() };
    },
  }),
};

const SUITE = `
name: sandboxed
models: [{ id: reply, runner: reply-test, energy: { method: none } }]
tasks:
  - id: code
    prompt: "{{answer}}"
    dataset:
      - { answer: "function add(a, b) { return a + b; }", tests: ["add(1, 2) === 3", "add(2, 2) === 4"] }
      - { answer: "function add(a, b) { return a * b; }", tests: ["add(1, 2) === 3", "add(2, 2) === 4"] }
    scorers:
      - { type: weighted, name: combined, weights: { tests: 3, length: 1 } }
      - { type: code_tests, name: tests, entry: add }
      - { type: custom, name: length, module: "file:./length-ratio.ts#lengthRatio", options: { target: 36 } }
`;

afterEach(() => unregisterRunner("reply-test"));

describe("sandboxed scorers in a run", () => {
  it("records every scorer's score and makes the weighted one the accuracy", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-sandboxed-"));
    const fixtures = fileURLToPath(new URL("../fixtures/custom-scorers/", import.meta.url));
    for (const file of ["length-ratio.ts", "ratio.ts"]) copyFileSync(join(fixtures, file), join(dir, file));
    writeFileSync(join(dir, "suite.yaml"), SUITE);
    registerRunner("reply-test", replyRunner);
    const suite = await loadSuite(join(dir, "suite.yaml"));
    const runDir = join(dir, "run");
    const prepareModel = await modelPreparer(suite.models);
    const result = await runSuite({ suite, runDir, prepareModel, signal: new AbortController().signal });
    expect(result.status).toBe("completed");

    const calls = readFileSync(join(runDir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((event): event is CallRecord => event.type === "call" && !event.warmup);
    const scores = calls.map((call) => call.scores.map((s) => [s.scorer, s.score]));
    expect(scores).toEqual([
      [
        ["combined", 1],
        ["tests", 1],
        ["length", 1],
      ],
      [
        ["combined", 0.625],
        ["tests", 0.5],
        ["length", 1],
      ],
    ]);
    const summary = await summarizeRun(runDir);
    const accuracy = summary.results.find((group) => group.task === "code")?.accuracy;
    expect(accuracy?.map((entry) => [entry.scorer, entry.mean])).toEqual([
      ["combined", 0.8125],
      ["tests", 0.75],
      ["length", 1],
    ]);

    // Re-scored with a stricter threshold: the rows are found again, no model is called.
    writeFileSync(
      join(dir, "strict.yaml"),
      SUITE.replace("weights: { tests: 3, length: 1 }", "weights: { tests: 3, length: 1 }, threshold: 0.9"),
    );
    const strict = await loadSuite(join(dir, "strict.yaml"));
    const outDir = join(dir, "rescored");
    mkdirSync(outDir);
    const stats = await rescoreRun({ sourceDir: runDir, outDir, suite: strict, argv: [] });
    expect(stats).toMatchObject({ rescored: 2, changed: 1 });
    const rescored = await summarizeRun(outDir);
    const means = rescored.results
      .find((group) => group.task === "code")
      ?.accuracy.map((entry) => entry.mean);
    expect(means).toEqual([0.5, 0.75, 1]);
  });
});
