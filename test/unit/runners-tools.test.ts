/**
 * Tools on every protocol: what each body sends for `messages`, `tools` and `toolChoice`, and the
 * `tool_call` events read from streamed and whole responses (fixtures/api, documented formats).
 * Streams are fed in small byte chunks, so argument fragments span several batches.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  messagesBody,
  messagesResponseEvents,
  messagesStreamEvents,
} from "../../runners/anthropic-messages.ts";
import { chatHistory } from "../../runners/embedded.ts";
import {
  geminiResponseEvents,
  geminiStreamEvents,
  generateContentBody,
} from "../../runners/gemini-content.ts";
import { chatBody } from "../../runners/llamacpp-body.ts";
import { chatResponseEvents, chatStreamEvents, openaiChatBody } from "../../runners/openai-chat.ts";
import {
  responsesBody,
  responsesResponseEvents,
  responsesStreamEvents,
} from "../../runners/openai-responses.ts";
import { readSse, type SseBatch } from "../../runners/sse.ts";
import type { ChatMessage, GenerationRequest, RunnerEvent, ToolDefinition } from "../../src/core/runner.ts";

const fixture = (path: string) =>
  readFileSync(new URL(`../../fixtures/api/${path}`, import.meta.url), "utf8");

async function* chunks(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function events(
  parse: (batches: AsyncIterable<SseBatch>) => AsyncGenerator<RunnerEvent>,
  path: string,
): Promise<RunnerEvent[]> {
  const out: RunnerEvent[] = [];
  const batches = readSse(chunks(fixture(path), 37), new AbortController().signal);
  for await (const event of parse(batches)) out.push(event);
  return out;
}

const callsOf = (list: Iterable<RunnerEvent>) =>
  [...list]
    .filter((e) => e.type === "tool_call")
    .map((e) => (e as Extract<RunnerEvent, { type: "tool_call" }>).call);

const weather: ToolDefinition = {
  name: "get_weather",
  description: "Weather at a place",
  parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] },
};

const conversation: ChatMessage[] = [
  { role: "system", content: "Use tools." },
  { role: "user", content: "Weather in Paris and Rome?" },
  {
    role: "assistant",
    content: "",
    toolCalls: [
      { id: "call_1", name: "get_weather", arguments: '{"location":"Paris"}' },
      { id: "call_2", name: "get_weather", arguments: '{"location":"Rome"}' },
    ],
  },
  { role: "tool", toolCallId: "call_1", content: '{"temp":21}' },
  { role: "tool", toolCallId: "call_2", content: "sunny" },
];

const request = (overrides: Partial<GenerationRequest> = {}): GenerationRequest => ({
  prompt: "unused when messages are given",
  maxTokens: 16,
  stream: true,
  signal: new AbortController().signal,
  ...overrides,
});

describe("OpenAI Chat Completions (and llama-server's chat endpoint)", () => {
  it("sends the conversation verbatim, the tools as functions and tool_choice", () => {
    const body = openaiChatBody(
      request({ messages: conversation, tools: [weather], toolChoice: { name: "get_weather" } }),
      {
        maxTokensField: "max_tokens",
        topK: false,
      },
    );
    expect(body.messages).toEqual([
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Paris"}' },
          },
          {
            id: "call_2",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Rome"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"temp":21}' },
      { role: "tool", tool_call_id: "call_2", content: "sunny" },
    ]);
    expect(body.tools).toEqual([{ type: "function", function: weather }]);
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    const llama = chatBody(request({ tools: [weather], toolChoice: "required" }), { cachePrompt: false });
    expect(llama.tool_choice).toBe("required");
    expect(llama.messages).toEqual([{ role: "user", content: "unused when messages are given" }]);
  });

  it("sends no tools field without tools", () => {
    const body = openaiChatBody(request(), { maxTokensField: "max_tokens", topK: false });
    expect(body).not.toHaveProperty("tools");
    expect(body).not.toHaveProperty("tool_choice");
  });

  it("joins streamed argument fragments per call index, before the closing events", async () => {
    const list = await events(chatStreamEvents, "openai/chat-tools-stream.sse");
    expect(callsOf(list)).toEqual([
      { id: "call_DdmO9pD3xa9XTPNJ32zg2hcA", name: "get_weather", arguments: '{"location":"Paris, France"}' },
      { id: "call_Second0000000000000000", name: "get_time", arguments: '{"tz":"Europe/Paris"}' },
    ]);
    expect(list.filter((e) => e.type === "delta")).toEqual([]);
    expect(list.find((e) => e.type === "response")).toMatchObject({ finishReason: "tool_calls" });
    expect(list.at(-1)?.type).toBe("end");
  });

  it("reads the calls of a whole response", () => {
    const list = [...chatResponseEvents(JSON.parse(fixture("openai/chat-tools.json")), 5)];
    expect(list[0]).toEqual({
      type: "tool_call",
      call: { id: "call_12345xyz", name: "get_weather", arguments: '{"location":"Paris, France"}' },
      t: 5,
    });
  });
});

describe("OpenAI Responses", () => {
  it("sends the conversation as input items, function tools and tool_choice", () => {
    const body = responsesBody(
      request({ messages: conversation, tools: [weather], toolChoice: "required" }),
      {
        model: "gpt-4.1",
      },
    );
    expect(body).not.toHaveProperty("instructions");
    expect(body.input).toEqual([
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather in Paris and Rome?" },
      { type: "function_call", call_id: "call_1", name: "get_weather", arguments: '{"location":"Paris"}' },
      { type: "function_call", call_id: "call_2", name: "get_weather", arguments: '{"location":"Rome"}' },
      { type: "function_call_output", call_id: "call_1", output: '{"temp":21}' },
      { type: "function_call_output", call_id: "call_2", output: "sunny" },
    ]);
    expect(body.tools).toEqual([{ type: "function", ...weather, strict: false }]);
    expect(body.tool_choice).toBe("required");
    const named = responsesBody(request({ tools: [weather], toolChoice: { name: "get_weather" } }), {
      model: "m",
    });
    expect(named.tool_choice).toEqual({ type: "function", name: "get_weather" });
  });

  it("reads function_call items streamed and whole", async () => {
    const streamed = await events(responsesStreamEvents, "openai/responses-tools-stream.sse");
    expect(callsOf(streamed)).toEqual([
      { id: "call_12345xyz", name: "get_weather", arguments: '{"location":"Paris, France"}' },
    ]);
    const whole = [...responsesResponseEvents(JSON.parse(fixture("openai/responses-tools.json")), 1)];
    expect(callsOf(whole)).toEqual([
      { id: "call_67890abc", name: "get_weather", arguments: '{"location":"Bogotá, Colombia"}' },
    ]);
  });
});

describe("Anthropic Messages", () => {
  it("sends system on top, tool_use blocks, tool results in one user turn, input_schema tools", () => {
    const body = messagesBody(request({ messages: conversation, tools: [weather], toolChoice: "required" }), {
      model: "claude",
    });
    expect(body.system).toBe("Use tools.");
    expect(body.messages).toEqual([
      { role: "user", content: "Weather in Paris and Rome?" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "call_1", name: "get_weather", input: { location: "Paris" } },
          { type: "tool_use", id: "call_2", name: "get_weather", input: { location: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "call_1", content: '{"temp":21}' },
          { type: "tool_result", tool_use_id: "call_2", content: "sunny" },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      { name: "get_weather", description: "Weather at a place", input_schema: weather.parameters },
    ]);
    expect(body.tool_choice).toEqual({ type: "any" });
    expect(
      messagesBody(request({ tools: [weather], toolChoice: { name: "x" } }), { model: "c" }).tool_choice,
    ).toEqual({
      type: "tool",
      name: "x",
    });
  });

  it("joins input_json_delta fragments and reads whole tool_use blocks", async () => {
    const streamed = await events(messagesStreamEvents, "anthropic/messages-tools-stream.sse");
    expect(callsOf(streamed)).toEqual([
      {
        id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
        name: "get_weather",
        arguments: '{"location": "San Francisco, CA"}',
      },
    ]);
    expect(streamed.find((e) => e.type === "response")).toMatchObject({ finishReason: "tool_calls" });
    const whole = [...messagesResponseEvents(JSON.parse(fixture("anthropic/message-tools.json")), 2)];
    expect(callsOf(whole)).toEqual([
      {
        id: "toolu_01A09q90qw90lq917835lq9",
        name: "get_weather",
        arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
      },
    ]);
    expect(whole.find((e) => e.type === "delta")).toMatchObject({ text: "I'll check the weather." });
  });
});

describe("Gemini", () => {
  it("sends functionDeclarations, toolConfig, model turns with functionCall and functionResponse parts", () => {
    const body = generateContentBody(
      request({ messages: conversation, tools: [weather], toolChoice: { name: "get_weather" } }),
      {},
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: "Use tools." }] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
      {
        role: "model",
        parts: [
          { functionCall: { name: "get_weather", args: { location: "Paris" }, id: "call_1" } },
          { functionCall: { name: "get_weather", args: { location: "Rome" }, id: "call_2" } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", id: "call_1", response: { temp: 21 } } },
          { functionResponse: { name: "get_weather", id: "call_2", response: { result: "sunny" } } },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Weather at a place",
            parametersJsonSchema: weather.parameters,
          },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] },
    });
  });

  it("reads functionCall parts streamed and whole, arguments as JSON text", async () => {
    const streamed = await events(geminiStreamEvents, "gemini/stream-tools.sse");
    expect(callsOf(streamed)).toEqual([{ name: "get_weather", arguments: '{"location":"Boston, MA"}' }]);
    const whole = [...geminiResponseEvents(JSON.parse(fixture("gemini/generate-tools.json")), 3)];
    expect(callsOf(whole).map((c) => c.name)).toEqual(["get_weather", "get_time"]);
  });
});

describe("embedded (node-llama-cpp)", () => {
  it("turns a text conversation into its chat history, and refuses tool turns", () => {
    const history = chatHistory(
      request({
        messages: [
          { role: "system", content: "S" },
          { role: "user", content: "U1" },
          { role: "assistant", content: "A1" },
          { role: "user", content: "U2" },
        ],
      }),
    );
    expect(history).toEqual([
      { type: "system", text: "S" },
      { type: "user", text: "U1" },
      { type: "model", response: ["A1"] },
      { type: "user", text: "U2" },
      { type: "model", response: [] },
    ]);
    expect(() => chatHistory(request({ messages: conversation }))).toThrow(/cannot replay tool calls/);
  });
});
