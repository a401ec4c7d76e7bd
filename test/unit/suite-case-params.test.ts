/** A replayed request's own parameters (`params_field`): each API's names read, applied over the task's. */
import { describe, expect, it } from "vitest";
import { callParams } from "../../src/engine/attempt.ts";
import type { WorkItem } from "../../src/engine/plan.ts";
import { caseParamsOf, toolChoiceOf } from "../../src/suite/case-params.ts";
import { loadSuiteText } from "../../src/suite/load.ts";

describe("case params", () => {
  it("reads OpenAI, Responses, Anthropic and Gemini names for the same settings; ignores the rest", () => {
    expect(
      caseParamsOf({ max_completion_tokens: 300, temperature: 0.7, top_p: 0.9, seed: 7, stop: "END" }),
    ).toEqual({
      maxTokens: 300,
      temperature: 0.7,
      topP: 0.9,
      seed: 7,
      stop: ["END"],
    });
    expect(caseParamsOf({ max_output_tokens: 50 })).toEqual({ maxTokens: 50 });
    expect(caseParamsOf({ max_tokens: 1024, top_k: 40, stop_sequences: ["\n\nHuman:"] })).toEqual({
      maxTokens: 1024,
      topK: 40,
      stop: ["\n\nHuman:"],
    });
    expect(caseParamsOf({ maxOutputTokens: 64, topP: 0.5 })).toEqual({ maxTokens: 64, topP: 0.5 });
    // Nonsense and what opbench cannot apply are left out, never guessed.
    expect(
      caseParamsOf({ max_tokens: -1, temperature: "hot", seed: 1.5, stop: [1], logprobs: true }),
    ).toEqual({});
    expect(caseParamsOf(null)).toEqual({});
    expect(caseParamsOf([1, 2])).toEqual({});
  });

  it("reads each API's tool_choice", () => {
    expect(toolChoiceOf("required")).toBe("required");
    expect(toolChoiceOf({ type: "function", function: { name: "get_weather" } })).toEqual({
      name: "get_weather",
    });
    expect(toolChoiceOf({ type: "function", name: "lookup" })).toEqual({ name: "lookup" });
    expect(toolChoiceOf({ type: "any" })).toBe("required");
    expect(toolChoiceOf({ type: "tool", name: "lookup" })).toEqual({ name: "lookup" });
    expect(toolChoiceOf({ type: "auto" })).toBe("auto");
    expect(toolChoiceOf({ type: "tool" })).toBeUndefined();
    expect(toolChoiceOf(42)).toBeUndefined();
  });

  it("a case's logged params override the task's, and a model's params override both", async () => {
    const suite = await loadSuiteText(
      `name: replayed
models:
  - { id: m, runner: llamacpp, url: "http://127.0.0.1:8080", params: { temperature: 0 } }
tasks:
  - id: t
    messages_field: messages
    tools_field: tools
    params_field: params
    max_tokens: 16
    dataset:
      - messages: [{ role: user, content: "weather in Paris?" }]
        tools: [{ name: get_weather }]
        params: { max_tokens: 200, temperature: 0.7, tool_choice: { type: function, function: { name: get_weather } } }
      - messages: [{ role: user, content: "hello" }]
        params: { logprobs: true }
`,
      "/tmp/opbench-case-params.yaml",
    );
    const task = suite.tasks[0]!;
    const [first, second] = [...task.cases];
    expect(first!.params).toEqual({ maxTokens: 200, temperature: 0.7 });
    expect(first!.toolChoice).toEqual({ name: "get_weather" });
    expect(second!.params).toBeUndefined();
    const item = (c: typeof first) => ({ task, case: c }) as unknown as WorkItem;
    expect(callParams(item(first), suite.modelParams.m)).toMatchObject({ maxTokens: 200, temperature: 0 });
    expect(callParams(item(second), undefined)).toMatchObject({ maxTokens: 16 });
  });
});
