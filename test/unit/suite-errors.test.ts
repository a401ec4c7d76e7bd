/** One malformed fixture per kind of suite problem: exact positions, keys and expectations. */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { isSuiteError, SUITE_ERROR_EXIT_CODE, SuiteError, type SuiteIssue } from "../../src/suite/errors.ts";
import { loadSuite, loadSuiteText } from "../../src/suite/load.ts";

const DIR = "fixtures/suites/malformed";
const suitePath = (name: string) => resolve(DIR, name);
const dataPath = (name: string) => resolve(DIR, "data", name);

async function issuesOf(name: string): Promise<{ error: SuiteError; issues: readonly SuiteIssue[] }> {
  const error = await loadSuite(`${DIR}/${name}`).then(
    () => expect.unreachable(`${name} loaded without error`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SuiteError);
  return { error: error as SuiteError, issues: (error as SuiteError).issues };
}

/** file:line:column, key, and the rest of the issue, for compact exact assertions. */
function where(issue: SuiteIssue): string {
  return `${issue.file}:${issue.line}:${issue.column} ${issue.key}`;
}

describe("suite errors", () => {
  it("reports YAML parser errors at yaml's own position", async () => {
    const { issues } = await issuesOf("syntax.yaml");
    expect(issues).toHaveLength(1);
    expect(where(issues[0]!)).toBe(`${suitePath("syntax.yaml")}:10:5 `);
    expect(issues[0]!.message).toBe("YAML syntax: Map keys must be unique");
  });

  it("reports YAML syntax errors with a hint for the usual cause", async () => {
    const text = [
      "name: s",
      "tasks:",
      "  - id: t",
      "    prompt: Translate: {{text}}",
      "    dataset: x.jsonl",
    ].join("\n");
    const error = await loadSuiteText(text, `${DIR}/inline.yaml`).catch((e: unknown) => e);
    const [issue] = (error as SuiteError).issues;
    expect(issue).toMatchObject({ file: suitePath("inline.yaml"), line: 4, column: 13, key: "" });
    expect(issue!.message).toMatch(/^YAML syntax: Nested mappings are not allowed in compact mappings/);
    expect(issue!.message).toContain('quote text that contains ": "');
  });

  it("names unknown keys at the key, lists the allowed ones and suggests the closest", async () => {
    const { issues, error } = await issuesOf("unknown-keys.yaml");
    expect(issues.map(where)).toEqual([
      `${suitePath("unknown-keys.yaml")}:2:1 max_tokens`,
      `${suitePath("unknown-keys.yaml")}:7:7 models[0].spawn.modle`,
      `${suitePath("unknown-keys.yaml")}:13:5 tasks[0].max_token`,
    ]);
    expect(issues[0]!.message).toContain("unknown key `max_tokens`, did you mean `defaults.max_tokens`?");
    expect(issues[1]!.message).toContain("unknown key `modle`, did you mean `model`?");
    expect(issues[2]!.message).toContain("did you mean `max_tokens`?");
    expect(issues[2]!.expected).toContain(
      "`prompt`, `messages_field`, `tools_field`, `params_field`, `dataset`",
    );
    expect(issues[1]!.message).toContain("Allowed keys: binary, model, args,");
    expect(error.message.split("\n")[2]).toMatch(
      /^fixtures\/suites\/malformed\/unknown-keys\.yaml:13:5: tasks\[0\]\.max_token: unknown key `max_token`, did you mean `max_tokens`\?/,
    );
  });

  it("reports wrong types and values at the value, with what was expected and what was found", async () => {
    const { issues, error } = await issuesOf("wrong-types.yaml");
    const file = suitePath("wrong-types.yaml");
    expect(issues.map((i) => [where(i), i.expected])).toEqual([
      [`${file}:9:15 models[1].endpoint`, 'one of "completion" | "chat"'],
      [`${file}:14:17 tasks[0].max_tokens`, "number"],
      [`${file}:15:14 tasks[0].timeout`, expect.stringContaining("a duration")],
      [`${file}:16:18 tasks[0].temperature`, "a number <= 2"],
      [`${file}:17:22 tasks[0].scorers[1]`, expect.stringContaining('one of "exact" | "normalized_exact"')],
      [`${file}:17:38 tasks[0].scorers[2].type`, expect.stringContaining('"regex" | "one_of"')],
    ]);
    expect(error.message.split("\n")[0]).toBe(
      'fixtures/suites/malformed/wrong-types.yaml:9:15: models[1].endpoint: expected one of "completion" | "chat", got "foo"',
    );
    expect(issues[1]!.message).toBe('expected number, got "many"');
    expect(issues[2]!.message).toContain('got "3 weeks"');
    expect(issues[3]!.message).toBe("expected a number <= 2, got 7");
    expect(issues[5]!.message).toContain('got "contans" (did you mean "contains"?)');
  });

  it("refuses a hardware.power_w of 0, negative or over 5 kW with the key and the reason (exit 2)", async () => {
    const text = (watts: number) =>
      [
        "name: s",
        "models:",
        "  - id: m",
        "    runner: embedded",
        `    hardware: { power_w: ${watts} }`,
        "tasks:",
        "  - id: t",
        "    prompt: hi",
        "    dataset: x.jsonl",
      ].join("\n");
    for (const [watts, reason] of [
      [
        0,
        /expected a number > 0 \(the device's power while busy, in watts: it can't be 0 or negative\), got 0/,
      ],
      [-40, /expected a number > 0 .*got -40/],
      [
        6000,
        /expected a number <= 5000 \(more than 5 kW is not one device's power: watts, not milliwatts\?\), got 6000/,
      ],
    ] as const) {
      const error = (await loadSuiteText(text(watts), `${DIR}/inline.yaml`).catch(
        (e: unknown) => e,
      )) as SuiteError;
      expect(isSuiteError(error)).toBe(true);
      expect(error.exitCode).toBe(SUITE_ERROR_EXIT_CODE);
      const issue = error.issues.find((i) => i.key === "models[0].hardware.power_w");
      expect(issue?.message).toMatch(reason);
    }
  });

  it("reports missing required keys at the parent object", async () => {
    const { issues } = await issuesOf("missing-keys.yaml");
    const file = suitePath("missing-keys.yaml");
    expect(issues.map(where)).toEqual([`${file}:3:5 models[0].runner`, `${file}:6:5 tasks[0].prompt`]);
    expect(issues[0]!.message).toBe(
      'missing required key `runner` (expected one of "llamacpp" | "embedded" | "openai" | "openai-compatible" | "anthropic" | "gemini" | "recorded")',
    );
    expect(issues[1]!.message).toBe(
      "missing required key `prompt` (a template; or `messages_field`, a column of conversations)",
    );
  });

  it("reports missing dataset files at the dataset value, with the absolute path", async () => {
    const { issues } = await issuesOf("missing-dataset.yaml");
    const file = suitePath("missing-dataset.yaml");
    expect(issues.map(where)).toEqual([
      `${file}:9:14 tasks[0].dataset`,
      `${file}:12:22 tasks[1].dataset.path`,
    ]);
    expect(issues[0]!.message).toBe(`dataset file not found: ${dataPath("nope.jsonl")}`);
    expect(issues[1]!.message).toBe(`dataset file not found: ${dataPath("nope.csv")}`);
    expect(issues[0]!.expected).toBe("an existing file");
  });

  it("reports unparseable rows at their line in the data file", async () => {
    const { issues } = await issuesOf("bad-rows.yaml");
    expect(issues.map(where)).toEqual([
      `${dataPath("bad.csv")}:3:1 tasks[1].dataset`,
      `${dataPath("bad.json")}:3:3 tasks[2].dataset`,
      `${dataPath("bad.jsonl")}:2:16 tasks[0].dataset`,
      `${dataPath("bad.jsonl")}:4:1 tasks[0].dataset`,
    ]);
    expect(issues[0]!.message).toContain("Invalid Record Length: columns length is 2, got 3");
    expect(issues[1]!.message).toBe('row 2: expected a JSON object, got string "not a row"');
    expect(issues[2]!.message).toBe("invalid JSON: Expected double-quoted property name");
    expect(issues[3]!.message).toBe("expected a JSON object, got an array");
  });

  it("reports undefined template variables at the template, with the columns and first row lacking it", async () => {
    const { issues } = await issuesOf("undefined-var.yaml");
    const file = suitePath("undefined-var.yaml");
    expect(issues.map(where)).toEqual([`${file}:8:13 tasks[0].prompt`, `${file}:11:13 tasks[1].system`]);
    expect(issues[0]!.message).toBe(
      "undefined template variable `questoin`: not a column of the dataset (first row lacking it: 1); columns: question, persona, expected",
    );
    expect(issues[1]!.message).toBe(
      "undefined template variable `persona`: row 2 (questions.jsonl:2) lacks it; its columns: question, expected",
    );
  });

  it("reports invalid regexes and flags of regex scorers", async () => {
    const { issues } = await issuesOf("bad-regex.yaml");
    const file = suitePath("bad-regex.yaml");
    expect(issues.map(where)).toEqual([
      `${file}:12:18 tasks[0].scorers[0].pattern`,
      `${file}:13:46 tasks[0].scorers[1].flags`,
    ]);
    expect(issues[0]!.message).toContain("Unterminated group");
    expect(issues[1]!.message).toContain("Invalid flags");
  });

  it("reports a task json_schema that ajv cannot compile", async () => {
    const { issues } = await issuesOf("bad-json-schema.yaml");
    expect(issues.map(where)).toEqual([`${suitePath("bad-json-schema.yaml")}:11:7 tasks[0].json_schema`]);
    expect(issues[0]!.message).toMatch(/^invalid JSON Schema: .*data\/type must be/);
  });

  it("reports duplicate model, task and case ids at the later one", async () => {
    const { issues } = await issuesOf("duplicates.yaml");
    const file = suitePath("duplicates.yaml");
    expect(issues.map(where)).toEqual([
      `${file}:6:9 models[1].id`,
      `${file}:12:9 tasks[1].id`,
      `${file}:14:14 tasks[1].case_id`,
    ]);
    expect(issues.map((i) => i.message)).toEqual([
      'duplicate model id "same" (also models[0])',
      'duplicate task id "t" (also tasks[0])',
      'duplicate case id "one" (rows 1 and 3)',
    ]);
  });

  it("reports a missing labels_file with its absolute path", async () => {
    const { issues } = await issuesOf("labels-missing.yaml");
    expect(issues.map(where)).toEqual([
      `${suitePath("labels-missing.yaml")}:12:22 tasks[0].scorers[0].labels_file`,
    ]);
    expect(issues[0]!.message).toBe(`labels file not found: ${dataPath("no-labels.txt")}`);
  });

  it("collects problems from every stage after validation into one error", async () => {
    const text = [
      "name: mixed",
      "models:",
      "  - {id: m, runner: llamacpp, url: 'http://127.0.0.1:1'}",
      "  - {id: m, runner: embedded}",
      "tasks:",
      "  - {id: a, prompt: '{{q}}', dataset: data/absent.jsonl}",
      "  - {id: b, prompt: '{{nope}}', dataset: [{q: 1}]}",
    ].join("\n");
    const error = await loadSuiteText(text, `${DIR}/inline.yaml`).catch((e: unknown) => e);
    expect(isSuiteError(error)).toBe(true);
    const issues = (error as SuiteError).issues;
    expect(issues.map((i) => `${i.line}:${i.column} ${i.key}`)).toEqual([
      "4:10 models[1].id",
      "6:39 tasks[0].dataset",
      "7:21 tasks[1].prompt",
    ]);
  });

  it("is a SuiteError with exit code 2 and one line per issue", async () => {
    const { error } = await issuesOf("duplicates.yaml");
    expect(error.name).toBe("SuiteError");
    expect(error.exitCode).toBe(SUITE_ERROR_EXIT_CODE);
    expect(SUITE_ERROR_EXIT_CODE).toBe(2);
    expect(error.message.split("\n")).toHaveLength(error.issues.length);
    expect(isSuiteError(new Error("other"))).toBe(false);
  });

  it("reports a missing suite file and an empty suite", async () => {
    const missing = await loadSuite(`${DIR}/does-not-exist.yaml`).catch((e: unknown) => e);
    expect((missing as SuiteError).issues[0]!.message).toBe(
      `suite file not found: ${suitePath("does-not-exist.yaml")}`,
    );
    const empty = await loadSuiteText("# nothing\n", `${DIR}/empty.yaml`).catch((e: unknown) => e);
    expect((empty as SuiteError).issues[0]!.message).toMatch(/^the suite is empty/);
  });
});
