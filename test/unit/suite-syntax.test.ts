/** YAML syntax errors: an unclosed quote or bracket is reported where it was opened. */
import { describe, expect, it } from "vitest";
import { formatIssue, type SuiteError } from "../../src/suite/errors.ts";
import { loadSuiteText } from "../../src/suite/load.ts";

async function issuesOf(text: string) {
  const error = await loadSuiteText(text, "suite.yaml").then(
    () => expect.unreachable("the suite loaded"),
    (e: unknown) => e as SuiteError,
  );
  return error.issues;
}

describe("YAML syntax errors", () => {
  it("points an unclosed quote at the quote (line 10, column 13), not at the end of the file", async () => {
    const lines = [
      "name: quotes",
      "models:",
      "  - id: m",
      "    runner: openai",
      "    model: gpt-4.1-mini",
      "tasks:",
      "  - id: t",
      "    dataset: [{q: 1}]",
      "    system: Answer briefly.",
      '    prompt: "Answer {{q}}',
      "    max_tokens: 8",
      "    scorers: [exact]",
    ];
    // 12 lines and a final newline: an editor shows 13 lines, yaml gives up at 13:1.
    const issues = await issuesOf(`${lines.join("\n")}\n`);
    expect(issues).toHaveLength(1);
    expect(formatIssue(issues[0]!)).toBe(
      `suite.yaml:10:13: YAML syntax: the " opened here is never closed: ` +
        'expected a closing " (the string runs on to the end of the file)',
    );
  });

  it("says where yaml stopped reading an unclosed quote when a later quote is not the closing one", async () => {
    const issues = await issuesOf("name: 'x\nmodels:\n  - id: 'm'\n");
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "1:7 YAML syntax: the ' opened here is never closed: expected a closing ' (the string runs on to the end of line 1)",
    ]);
  });

  it("points unclosed brackets at their opening bracket, inner and outer alike", async () => {
    const issues = await issuesOf("name: x\ntags: {a: [1, 2}\nmodels: 3\n");
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "2:7 YAML syntax: Flow map in block collection must be sufficiently indented and end with a }: " +
        "the { opened here is still open at the end of line 2",
      "2:11 YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]: " +
        "the [ opened here is still open at line 2, column 16",
    ]);
  });

  it("leaves other syntax errors at yaml's position", async () => {
    const issues = await issuesOf('a: "x\\q"\n');
    expect(issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "1:6 YAML syntax: Invalid escape sequence \\q",
    ]);
  });
});
