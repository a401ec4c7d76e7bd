/** One attempt with tools: what the runner is asked (task or case tools, tool choice) and what the record keeps. */
import { describe, expect, it } from "vitest";
import type { GenerationRequest, Runner, RunnerEvent, ToolDefinition } from "../../src/core/runner.ts";
import { runAttempt } from "../../src/engine/attempt.ts";
import type { WorkItem } from "../../src/engine/plan.ts";
import { createScorer } from "../../src/scoring/index.ts";
import type { Case, ResolvedTask } from "../../src/suite/resolved.ts";

const weather: ToolDefinition = {
  name: "get_weather",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** A runner that answers every call with one tool call and no text, and keeps the requests. */
function toolRunner(): Runner & { requests: GenerationRequest[] } {
  const requests: GenerationRequest[] = [];
  return {
    requests,
    async *generate(request: GenerationRequest): AsyncIterable<RunnerEvent> {
      requests.push(request);
      yield { type: "sent", t: 1 };
      yield {
        type: "tool_call",
        call: { id: "c1", name: "get_weather", arguments: '{"city":"Paris"}' },
        t: 5,
      };
      yield { type: "usage", usage: { inputTokens: 10, outputTokens: 7 } };
      yield { type: "response", finishReason: "tool_calls" };
      yield { type: "end", t: 6 };
    },
  };
}

function item(c: Case): WorkItem {
  const task: ResolvedTask = {
    id: "t",
    cases: [c],
    scorers: [createScorer({ type: "tool_call" }, { baseDir: ".", taskTools: [weather] })],
    scorerConfigs: [{ type: "tool_call" }],
    tools: [weather],
    toolChoice: "required",
    params: { maxTokens: 16, stream: true, timeoutMs: 5_000 },
  };
  const model = {
    id: "m",
    label: "m",
    runner: "llamacpp",
    config: { id: "m", runner: "llamacpp" },
    concurrency: 1,
  };
  return { key: "m|t|0|1", model, task, case: c, caseIndex: 0, repeat: 0, warmup: false } as WorkItem;
}

describe("an attempt with tools", () => {
  it("offers the task's tools and tool choice, and records a tool-only answer as a success, scored", async () => {
    const runner = toolRunner();
    const c: Case = {
      id: "1",
      prompt: "Weather?",
      expected: '{"name":"get_weather","arguments":{"city":"paris"}}',
    };
    const work = item(c);
    const { record, error } = await runAttempt(
      runner,
      work,
      work.task.params,
      1,
      null,
      new AbortController().signal,
    );
    expect(error).toBeUndefined();
    expect(runner.requests[0]).toMatchObject({ tools: [weather], toolChoice: "required" });
    expect(record).toMatchObject({
      ok: true,
      output: "",
      tool_calls: [{ id: "c1", name: "get_weather", arguments: '{"city":"Paris"}' }],
      finish_reason: "tool_calls",
    });
    expect(record.scores).toEqual([
      { scorer: "tool_call", score: 1, reason: "the call matches (2/2 checks passed)" },
    ]);
  });

  it("sends a case's own conversation, tools and tool choice in place of the task's", async () => {
    const runner = toolRunner();
    const own: ToolDefinition = { name: "get_weather", description: "case's own" };
    const c: Case = {
      id: "1",
      prompt: "",
      messages: [{ role: "user", content: "hi" }],
      tools: [own],
      toolChoice: { name: "get_weather" },
    };
    const work = item(c);
    await runAttempt(runner, work, work.task.params, 1, null, new AbortController().signal);
    expect(runner.requests[0]).toMatchObject({
      messages: [{ role: "user", content: "hi" }],
      tools: [own],
      toolChoice: { name: "get_weather" },
    });
  });

  it("records null when no tool was called", async () => {
    const runner: Runner = {
      async *generate(): AsyncIterable<RunnerEvent> {
        yield { type: "sent", t: 1 };
        yield { type: "delta", channel: "content", text: "sunny", t: 2 };
        yield { type: "end", t: 3 };
      },
    };
    const work = item({ id: "1", prompt: "Weather?", expected: "[]" });
    const { record } = await runAttempt(
      runner,
      work,
      work.task.params,
      1,
      null,
      new AbortController().signal,
    );
    expect(record.tool_calls).toBeNull();
    expect(record.scores[0]).toMatchObject({ score: 1, reason: "no call expected, none made" });
  });
});
