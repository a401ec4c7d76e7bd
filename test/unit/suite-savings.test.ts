/** `savings:` pairs are checked before any call: their models, and the scorers they name. */
import { describe, expect, it } from "vitest";
import type { SuiteError } from "../../src/suite/errors.ts";
import { loadSuiteText } from "../../src/suite/load.ts";

const HEAD = [
  "name: s",
  "models:",
  "  - {id: local, runner: llamacpp, url: 'http://127.0.0.1:1'}",
  "  - {id: api, runner: openai, model: gpt-4.1-mini}",
  "tasks:",
  "  - id: classify",
  "    prompt: '{{q}}'",
  "    dataset: [{q: a, expected: b}]",
  "    scorers: [exact, {type: one_of, name: valid_label, labels: [b]}]",
  "  - id: extract",
  "    prompt: '{{q}}'",
  "    dataset: [{q: a}]",
  "    json_schema: {type: object}",
];

async function issuesOf(savings: string[]) {
  const error = await loadSuiteText([...HEAD, "savings:", ...savings].join("\n"), "suite.yaml").then(
    () => expect.unreachable("the suite loaded"),
    (e: unknown) => e as SuiteError,
  );
  return error.issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message} [expected ${i.expected}]`);
}

describe("savings pairs", () => {
  it("reports a scorer and a scorer_failed that no task has, at their values, with the scorers there are", async () => {
    const issues = await issuesOf([
      "  - candidate: local",
      "    baseline: api",
      "    scorer: exactt",
      "    escalate_on: {scorer_failed: valid_lable, error: true}",
      "  - {candidate: local, baseline: api, escalate_on: {scorer_failed: json_schema}}",
    ]);
    const there = "the tasks' scorers are classify: exact, valid_label; extract: json_valid";
    const expected = '[expected one of "exact", "valid_label", "json_valid"]';
    expect(issues).toEqual([
      `17:13 savings[0].scorer: no task has a scorer named "exactt" (did you mean "exact"?); ${there} ${expected}`,
      `18:34 savings[0].escalate_on.scorer_failed: no task has a scorer named "valid_lable" (did you mean "valid_label"?); ${there} ${expected}`,
      `19:68 savings[1].escalate_on.scorer_failed: no task has a scorer named "json_schema"; ${there} ${expected}`,
    ]);
  });

  it("accepts scorers that some task has, by name or by type", async () => {
    const suite = await loadSuiteText(
      [
        ...HEAD,
        "savings:",
        "  - {candidate: local, baseline: api, scorer: exact, escalate_on: {scorer_failed: valid_label}}",
        "  - {candidate: local, baseline: api, scorer: json_valid}",
      ].join("\n"),
      "suite.yaml",
    );
    expect(suite.savings.map((s) => [s.scorer, s.validityScorer])).toEqual([
      ["exact", "valid_label"],
      ["json_valid", undefined],
    ]);
  });

  it("does not call a scorer missing while a task's default scorers depend on a dataset that did not load", async () => {
    const text = [
      "name: s",
      "models: [{id: local, runner: embedded}, {id: api, runner: openai, model: gpt-4.1-mini}]",
      "tasks: [{id: t, prompt: '{{q}}', dataset: absent.jsonl}]",
      "savings: [{candidate: local, baseline: api, scorer: exact}]",
    ].join("\n");
    const error = await loadSuiteText(text, "suite.yaml").then(
      () => expect.unreachable("the suite loaded"),
      (e: unknown) => e as SuiteError,
    );
    expect(error.issues.map((i) => i.key)).toEqual(["tasks[0].dataset"]);
  });
});
