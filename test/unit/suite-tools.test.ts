/** A task's `tools:` and `tool_choice:` in a suite: both forms accepted, bad ones refused with positions. */
import { describe, expect, it } from "vitest";
import { isSuiteError, type SuiteError } from "../../src/suite/errors.ts";
import { loadSuiteText } from "../../src/suite/load.ts";

const PATH = "/tmp/opbench-tools-suite.yaml";

function suite(task: string, model = "{ id: m, runner: llamacpp, url: 'http://127.0.0.1:8080' }"): string {
  return `name: tools
models:
  - ${model}
tasks:
  - id: t
    prompt: "{{q}}"
    dataset: [{ q: "weather?", expected: '{"name": "get_weather", "arguments": {"city": "Paris"}}' }]
    scorers: [tool_call]
${task}`;
}

async function issues(text: string): Promise<string[]> {
  try {
    await loadSuiteText(text, PATH);
  } catch (error) {
    if (isSuiteError(error))
      return (error as SuiteError).issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
    throw error;
  }
  return [];
}

describe("task tools", () => {
  it("accepts the OpenAI function form and the bare form, and tool_choice", async () => {
    const loaded = await loadSuiteText(
      suite(`    tools:
      - type: function
        function:
          name: get_weather
          description: Weather at a place
          parameters: { type: object, properties: { city: { type: string } }, required: [city] }
      - { name: get_time }
    tool_choice: { name: get_weather }
`),
      PATH,
    );
    const task = loaded.tasks[0]!;
    expect(task.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather at a place",
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
      { name: "get_time" },
    ]);
    expect(task.toolChoice).toEqual({ name: "get_weather" });
    expect(task.scorers[0]!.name).toBe("tool_call");
  });

  it("grades with tool_call by default when the task offers tools", async () => {
    const text = suite("    tools: [{ name: get_weather }]\n").replace("    scorers: [tool_call]\n", "");
    const loaded = await loadSuiteText(text, PATH);
    expect(loaded.tasks[0]!.scorerConfigs).toEqual([{ type: "tool_call" }]);
  });

  it("refuses parameters that are not an object schema, duplicate names and a tool_choice naming no tool", async () => {
    const found = await issues(
      suite(`    tools:
      - { name: get_weather, parameters: { type: string } }
      - { name: get_weather, parameters: { type: object, properties: { a: { type: nonsense } } } }
    tool_choice: { name: book }
`),
    );
    expect(found).toEqual([
      '10:42 tasks[0].tools[0].parameters: a function\'s parameters must be a JSON Schema of an object (type: "object"), got type "string"',
      '11:17 tasks[0].tools[1].name: the function "get_weather" is offered twice (also tools[0])',
      expect.stringMatching(/^11:42 tasks\[0\]\.tools\[1\]\.parameters: invalid JSON Schema: /),
      '12:18 tasks[0].tool_choice: tool_choice names "book", which is not among the task\'s tools',
    ]);
  });

  it("refuses tool_choice: required without tools, and a bad function name", async () => {
    expect(await issues(suite("    tool_choice: required\n"))).toEqual([
      "9:18 tasks[0].tool_choice: tool_choice asks for a tool call, but the task offers no `tools`",
    ]);
    const bad = await issues(suite("    tools: [{ name: 'get weather' }]\n"));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toContain("tasks[0].tools[0]");
  });

  it("refuses tools for a runner that cannot offer them (embedded), before any call", async () => {
    const found = await issues(
      suite("    tools: [{ name: get_time }]\n", "{ id: e, runner: embedded, model: /nonexistent.gguf }"),
    );
    expect(
      found.some((line) => /tasks\[0\]\.tools: model "e" \(runner embedded\) cannot offer tools/.test(line)),
    ).toBe(true);
  });
});
