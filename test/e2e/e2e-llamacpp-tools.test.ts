/**
 * Tools end to end against a REAL llama-server spawned by opbench (so with `--jinja`): a task
 * offering functions, its requests accepted and completed, tool calls recorded (`tool_calls`),
 * the `tool_call` scorer graded, `rescore` reading the record's calls, and a replayed
 * conversation with an assistant's tool calls and the tool's results sent as is. The tiny model
 * has random weights and no tool-aware chat template, so it answers in text: what is tested is
 * the plumbing, not the model's choice.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AnthropicModel, createAnthropicRunner } from "../../runners/anthropic.ts";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel } from "../../runners/llamacpp-config.ts";
import { createOpenAIRunner, type OpenAIModel } from "../../runners/openai.ts";
import type { ChatMessage, Runner } from "../../src/core/runner.ts";
import { readCalls, runCli } from "../helpers/cli.ts";
import { llamaServerBinary, startLlamaServer, type TestServer, TINY_MODEL } from "../helpers/llama-server.ts";
import { collect, request, runnerContext } from "../helpers/runner-events.ts";

const TOOL = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Weather at a place",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

const CONVERSATION: ChatMessage[] = [
  { role: "system", content: "You answer about weather." },
  { role: "user", content: "Weather in Paris?" },
  {
    role: "assistant",
    content: "",
    toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
  },
  { role: "tool", toolCallId: "call_1", content: '{"temp_c": 21}' },
];

vi.stubEnv("OPBENCH_TEST_TOOLS_KEY", "sk-unchecked");

describe("tools against a real llama-server", () => {
  let server: TestServer;
  let runner: Runner;
  beforeAll(async () => {
    server = await startLlamaServer({ slots: 1 });
    runner = createLlamaCppRunner({ id: "tiny", runner: "llamacpp", url: server.url } as LlamaCppModel);
    await runner.startup?.(runnerContext(1));
  });
  afterAll(async () => {
    await runner?.shutdown?.();
    await server?.stop();
  });

  it("sends a replayed conversation with tool calls and tool results, streamed and whole", async () => {
    for (const stream of [true, false]) {
      const events = await collect(
        runner,
        request({
          stream,
          maxTokens: 6,
          temperature: 0,
          tools: [{ name: "get_weather", parameters: TOOL.function.parameters }],
          toolChoice: "auto",
          messages: [
            { role: "system", content: "You answer about weather." },
            { role: "user", content: "Weather in Paris?" },
            {
              role: "assistant",
              content: "",
              toolCalls: [{ id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' }],
            },
            { role: "tool", toolCallId: "call_1", content: '{"temp_c": 21}' },
          ],
        }),
      );
      expect(events.at(-1)?.type).toBe("end");
      expect(events.find((e) => e.type === "usage")).toMatchObject({ usage: { outputTokens: 6 } });
      // The server saw the whole conversation: more prompt tokens than the last turn alone.
      const usage = events.find((e) => e.type === "usage");
      expect(usage?.type === "usage" && (usage.usage.inputTokens ?? 0)).toBeGreaterThan(20);
    }
  });

  it("sends tools and a replayed conversation through llama-server's Responses and Messages endpoints too", async () => {
    const runners: [string, Runner][] = [
      [
        "openai responses",
        createOpenAIRunner({
          id: "r",
          runner: "openai",
          model: "tiny",
          api: "responses",
          base_url: `${server.url}/v1`,
          api_key_env: "OPBENCH_TEST_TOOLS_KEY",
        } as OpenAIModel),
      ],
      [
        "anthropic",
        createAnthropicRunner({
          id: "a",
          runner: "anthropic",
          model: "tiny",
          base_url: server.url,
          api_key_env: "OPBENCH_TEST_TOOLS_KEY",
        } as AnthropicModel),
      ],
    ];
    for (const [name, apiRunner] of runners) {
      await apiRunner.startup?.(runnerContext(1));
      for (const stream of [true, false]) {
        const events = await collect(
          apiRunner,
          request({
            stream,
            maxTokens: 4,
            temperature: 0,
            tools: [{ name: "get_weather", parameters: TOOL.function.parameters }],
            toolChoice: "auto",
            messages: CONVERSATION,
          }),
        );
        expect(events.at(-1)?.type, `${name} stream=${stream}`).toBe("end");
      }
      await apiRunner.shutdown?.();
    }
  });

  it("runs a task with tools through the CLI on a spawned server: calls recorded, tool_call scored, rescored", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-tools-"));
    const rows = [
      {
        q: "Weather in Paris?",
        expected: JSON.stringify({ name: "get_weather", arguments: { city: "Paris" } }),
      },
      { q: "Say hello.", expected: "[]" },
    ];
    writeFileSync(join(dir, "data.jsonl"), rows.map((r) => JSON.stringify(r)).join("\n"));
    const suite = join(dir, "suite.yaml");
    writeFileSync(
      suite,
      [
        "name: tools-e2e",
        "defaults: {temperature: 0, seed: 1, max_tokens: 8}",
        "models:",
        `  - {id: tiny, runner: llamacpp, spawn: {binary: "${llamaServerBinary()}", model: "${TINY_MODEL}", threads: 1, ctx_size: 1024}}`,
        "tasks:",
        "  - id: weather",
        "    prompt: '{{q}}'",
        "    dataset: data.jsonl",
        `    tools: [${JSON.stringify(TOOL)}]`,
        "    tool_choice: auto",
        "    scorers: [tool_call, {type: tool_call, name: partial, partial_credit: true}]",
      ].join("\n"),
    );
    const out = join(dir, "run");
    const result = await runCli(["run", suite, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    const records = readCalls(out);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record.ok, JSON.stringify(record.error)).toBe(true);
      // A text answer: no call recorded, and the scorer says what it expected.
      expect(record.tool_calls).toBeNull();
      const strict = record.scores.find((s) => s.scorer === "tool_call")!;
      if (record.expected === "[]")
        expect(strict).toMatchObject({ score: 1, reason: "no call expected, none made" });
      else
        expect(strict).toMatchObject({
          score: 0,
          reason: expect.stringContaining("get_weather: not called"),
        });
    }
    const rescored = join(dir, "rescored");
    const again = await runCli(["rescore", out, "--out", rescored]);
    expect(again.code, again.stderr).toBe(0);
    expect(readCalls(rescored).map((r) => r.scores)).toEqual(records.map((r) => r.scores));
  });
});
