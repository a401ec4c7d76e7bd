/**
 * What `init --from` writes per task shape: labels, JSON, tool use and free text told apart from
 * the sampled calls, each with its expected answer; and the suite text's scorers: tool_call and
 * judge_pairwise live only when this opbench has them (else commented, with a fallback), the
 * recorded baseline as the savings pair, `reference: recorded`.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { LoggedCall } from "../../src/replay/logged-call.ts";
import { type ReplayTask, renderReplaySuite } from "../../src/replay/replay-yaml.ts";
import { expectedOf, shapesOf } from "../../src/replay/task-shape.ts";

const call = (output: string, extra: Partial<LoggedCall> = {}): LoggedCall => ({
  model: "gpt-4.1",
  messages: [{ role: "user", content: `q ${output}` }],
  params: {},
  answer: { output, toolCalls: [], usage: {} },
  ...extra,
});

describe("task shapes", () => {
  it("tools → tool-use, JSON format → json, short repeated answers → labels, the rest → text", () => {
    const tool = call("", {
      tools: [{ name: "f" }],
      answer: { output: "", toolCalls: [{ name: "f", arguments: '{"a":1}' }], usage: {} },
    });
    const json = call('{"a":1}', { responseFormat: { type: "json_object" } });
    const labels = ["yes", "no", "yes", "no", "yes"].map((o) => call(o));
    expect(shapesOf([tool, json, ...labels])).toEqual(["tool-use", "json", ...labels.map(() => "labels")]);
    const prose = [
      "A long answer about many things.",
      "Another long answer, different.",
      "A third one, unlike the others.",
    ];
    expect(shapesOf(prose.map((o) => call(o)))).toEqual(["text", "text", "text"]);
    expect(expectedOf(tool, "tool-use")).toBe('{"name":"f","arguments":{"a":1}}');
    expect(expectedOf(call(""), "tool-use")).toBe("[]");
    expect(expectedOf(json, "json")).toBe('{"a":1}');
  });
});

describe("replay suite text", () => {
  const tasks: ReplayTask[] = (["labels", "json", "tool-use", "text"] as const).map((shape) => ({
    shape,
    dataset: `./cases-${shape}.jsonl`,
    cases: 3,
    maxTokens: 32,
  }));
  const render = (scorers: string[]) =>
    renderReplaySuite({
      name: "calls-replay",
      schema: "./suite.schema.json",
      source: "calls.jsonl",
      model: "gpt-4.1",
      answers: "./answers.jsonl",
      tasks,
      scorers: new Set(scorers),
      notes: [],
    });

  it("uses tool_call and offers judge_pairwise when they are registered", () => {
    const text = render(["normalized_exact", "json_fields", "tool_call", "judge_pairwise", "rouge_l"]);
    const suite = parse(text);
    expect(suite.reference).toBe("recorded");
    expect(suite.models[1]).toEqual({
      id: "recorded-gpt-4.1",
      runner: "recorded",
      answers: "./answers.jsonl",
      model: "gpt-4.1",
      params: { stream: false },
    });
    expect(suite.savings).toEqual([{ candidate: "local", baseline: "recorded-gpt-4.1" }]);
    const byId = Object.fromEntries(suite.tasks.map((t: { id: string }) => [t.id, t]));
    expect(byId.labels.scorers).toEqual(["normalized_exact", "exact"]);
    expect(byId.json.scorers[0]).toEqual({ type: "json_fields", extract_json: true });
    expect(byId["tool-use"].scorers).toEqual(["tool_call"]);
    expect(byId["tool-use"].tools_field).toBe("tools");
    expect(byId.text.scorers).toEqual(["rouge_l"]);
    expect(text).toContain("# - {type: judge_pairwise, judge: judge}");
    expect(text).toContain("# judges:\n#   - {id: judge, runner: openai, model: gpt-4.1}");
    for (const t of suite.tasks) expect(t.messages_field).toBe("messages");
  });

  it("without a tool_call scorer the tool-use task falls back, its tool_call line commented", () => {
    const suite = parse(render(["normalized_exact", "json_fields", "rouge_l"]));
    const tool = suite.tasks.find((t: { id: string }) => t.id === "tool-use");
    expect(tool.scorers).toEqual(["json_valid"]);
    expect(render([])).toContain("# - tool_call");
  });
});
