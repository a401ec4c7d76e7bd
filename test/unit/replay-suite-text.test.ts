/**
 * What `init --from` writes per task shape: labels, JSON, tool use and free text told apart from
 * the sampled calls, each with its expected answer; and the suite text's scorers (tool_call for
 * tool use; judge_pairwise for free text with --judge, else offered commented), the recorded
 * baseline as the savings pair, `reference: recorded`.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseJudge } from "../../src/cli/init-from.ts";
import type { LoggedCall } from "../../src/replay/logged-call.ts";
import { type ReplayJudge, type ReplayTask, renderReplaySuite } from "../../src/replay/replay-yaml.ts";
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
  const render = (judge?: ReplayJudge) =>
    renderReplaySuite({
      name: "calls-replay",
      schema: "./suite.schema.json",
      source: "calls.jsonl",
      model: "gpt-4.1",
      answers: "./answers.jsonl",
      tasks,
      ...(judge && { judge }),
      notes: [],
    });

  it("scores each shape against the recorded answer; free text by ROUGE-L, the judge offered commented", () => {
    const text = render();
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
    expect(suite.judges).toBeUndefined();
    expect(text).toContain("# - {type: judge_pairwise, judge: judge}");
    expect(text).toContain("# judges:\n#   - {id: judge, runner: openai, model: gpt-4.1}");
    for (const t of suite.tasks) expect(t.messages_field).toBe("messages");
  });

  it("with --judge, free text is judged pairwise against the recorded answer first", () => {
    const suite = parse(render({ runner: "anthropic", model: "claude-sonnet-4-5" }));
    expect(suite.judges).toEqual([{ id: "judge", runner: "anthropic", model: "claude-sonnet-4-5" }]);
    const text = suite.tasks.find((t: { id: string }) => t.id === "text");
    expect(text.scorers).toEqual([{ type: "judge_pairwise", judge: "judge" }, "rouge_l"]);
  });

  it("--judge takes an OpenAI model name or <api runner>:<model>", () => {
    expect(parseJudge("gpt-4.1")).toEqual({ runner: "openai", model: "gpt-4.1" });
    expect(parseJudge("anthropic:claude-sonnet-4-5")).toEqual({
      runner: "anthropic",
      model: "claude-sonnet-4-5",
    });
    expect(parseJudge("gemini:gemini-2.5-flash")).toEqual({ runner: "gemini", model: "gemini-2.5-flash" });
    expect(() => parseJudge("llamacpp:qwen")).toThrow(/not an API runner/);
  });
});
