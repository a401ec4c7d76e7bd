import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Scorer } from "../../src/core/scorer.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { scoreAll } from "../../src/scoring/score-all.ts";
import type { SuiteError } from "../../src/suite/errors.ts";
import { loadSuiteText } from "../../src/suite/load.ts";

const context = { baseDir: "." };
const fixed = (name: string, score: number | null): Scorer => ({
  name,
  score: () => ({ score, reason: `${name} says` }),
});
const input = { output: "x", expected: undefined };

describe("weighted scorer", () => {
  const weighted = (threshold?: number) =>
    createScorer(
      { type: "weighted", weights: { tests: 3, style: 1 }, ...(threshold !== undefined && { threshold }) },
      context,
    );

  it("records the weighted mean first and keeps every combined score", async () => {
    const records = await scoreAll([weighted(), fixed("tests", 1), fixed("style", 0.2)], input);
    expect(records).toEqual([
      {
        scorer: "weighted",
        score: 0.8,
        reason: "weighted score 0.800; tests 1.000×0.750 + style 0.200×0.250",
      },
      { scorer: "tests", score: 1, reason: "tests says" },
      { scorer: "style", score: 0.2, reason: "style says" },
    ]);
  });

  it("applies the pass threshold", async () => {
    const [pass] = await scoreAll([weighted(0.8), fixed("tests", 1), fixed("style", 0.2)], input);
    expect(pass).toMatchObject({
      score: 1,
      reason: expect.stringMatching(/^weighted score 0.800 ≥ threshold 0.8;/),
    });
    const [fail] = await scoreAll([weighted(0.8), fixed("tests", 0.5), fixed("style", 1)], input);
    expect(fail).toMatchObject({
      score: 0,
      reason: expect.stringMatching(/^weighted score 0.625 < threshold 0.8;/),
    });
  });

  it("cannot score when a combined scorer could not, or failed", async () => {
    const [missing] = await scoreAll([weighted(), fixed("tests", null), fixed("style", 1)], input);
    expect(missing).toEqual({
      scorer: "weighted",
      score: null,
      reason: '"tests" could not score: tests says',
    });
    const throws: Scorer = {
      name: "style",
      score: () => {
        throw new Error("boom");
      },
    };
    const [failed] = await scoreAll([weighted(), fixed("tests", 1), throws], input);
    expect(failed).toMatchObject({
      score: null,
      reason: '"style" could not score: scorer failed: Error: boom',
    });
  });
});

const fixtures = fileURLToPath(new URL("../fixtures/custom-scorers/suite.yaml", import.meta.url));

async function issuesOf(scorers: string[]): Promise<string[]> {
  const text = [
    "name: s",
    "models: [{id: local, runner: llamacpp, url: 'http://127.0.0.1:1'}]",
    "tasks:",
    "  - id: t",
    "    prompt: '{{q}}'",
    "    dataset: [{q: a, expected: b, tests: ['f() === 1']}]",
    "    scorers:",
    ...scorers.map((line) => `      - ${line}`),
  ].join("\n");
  const error = await loadSuiteText(text, fixtures).then(
    () => expect.unreachable("the suite loaded"),
    (e: unknown) => e as SuiteError,
  );
  return error.issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message} [expected ${i.expected}]`);
}

describe("scorer problems found when the suite loads", () => {
  it("positions a weight naming no scorer of the task", async () => {
    expect(await issuesOf(["{type: weighted, weights: {exact: 1, tset: 1}}", "exact"])).toEqual([
      '8:46 tasks[0].scorers[0].weights.tset: "tset" is not a scorer of this task that weighted can combine [expected the name of another scorer of this task (exact)]',
    ]);
  });

  it("positions a custom module that is missing or lacks the export", async () => {
    const issues = await issuesOf([
      "{type: custom, name: a, module: 'file:./missing.ts#f'}",
      "{type: custom, name: b, module: 'file:./length-ratio.ts#nope'}",
      "{type: custom, name: c, module: 'length-ratio.ts'}",
    ]);
    expect(issues).toEqual([
      expect.stringMatching(
        /^8:41 tasks\[0\]\.scorers\[0\]\.module: cannot read .*missing\.ts: ENOENT \[expected file:/,
      ),
      expect.stringMatching(
        /^9:41 tasks\[0\]\.scorers\[1\]\.module: .*length-ratio\.ts has no export named "nope" \[expected/,
      ),
      '10:41 tasks[0].scorers[2].module: "length-ratio.ts" is not a module reference [expected file:<path to a .ts/.js module>#<exported function>]',
    ]);
  });

  it("positions a code_tests entry that is not a function name", async () => {
    expect(await issuesOf(["{type: code_tests, entry: 'my func'}"])).toEqual([
      '8:35 tasks[0].scorers[0].entry: "my func" is not a function name [expected a JavaScript identifier]',
    ]);
  });

  it("loads a suite whose custom, code_tests and weighted scorers are well formed", async () => {
    const text = [
      "name: s",
      "models: [{id: local, runner: llamacpp, url: 'http://127.0.0.1:1'}]",
      "tasks:",
      "  - id: t",
      "    prompt: '{{q}}'",
      "    dataset: [{q: a, tests: ['f() === 1']}]",
      "    scorers:",
      "      - {type: weighted, name: combined, weights: {tests: 0.7, length: 0.3}, threshold: 0.7}",
      "      - {type: code_tests, name: tests, entry: f}",
      "      - {type: custom, name: length, module: 'file:./length-ratio.ts#lengthRatio', options: {target: 10}}",
    ].join("\n");
    const suite = await loadSuiteText(text, fixtures);
    const scorers = suite.tasks[0]!.scorers;
    expect(scorers.map((s) => [s.name, s.readsRow ?? false, s.combines ?? []])).toEqual([
      ["combined", false, ["tests", "length"]],
      ["tests", true, []],
      ["length", true, []],
    ]);
  });
});
