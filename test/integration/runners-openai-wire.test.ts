/**
 * The openai runners on the wire, against a local server replaying OpenAI's documented formats
 * (fixtures/api/openai): what is sent (path, headers, body fields of each API) and what is read
 * from payloads llama-server never produces (reasoning summaries, cached and reasoning token
 * details, incomplete and failed responses, snapshot ids).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { OpenAICompatibleModel, OpenAIModel } from "../../runners/openai.ts";
import { createOpenAIRunner } from "../../runners/openai.ts";
import type { CallError } from "../../src/core/errors.ts";
import type { Runner } from "../../src/core/runner.ts";
import { apiFixture, type FaultServer, startFaultServer } from "../helpers/fault-server.ts";
import { collect, expectWellFormed, failure, only, request, textOf } from "../helpers/runner-events.ts";

const KEY = "sk-opbench-wire-test-4be1";
let api: FaultServer;

beforeAll(async () => {
  api = await startFaultServer();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
});
vi.stubEnv("OPENAI_API_KEY", KEY);

function openai(extra: Partial<OpenAIModel> = {}): Runner {
  return createOpenAIRunner({
    id: "gpt",
    runner: "openai",
    model: "gpt-4.1-mini",
    base_url: `${api.url}/v1`,
    ...extra,
  } as OpenAIModel);
}

const sse = (path: string) => ({ kind: "sse", text: apiFixture(path) }) as const;
const json = (path: string) => ({ kind: "json", body: apiFixture(path) }) as const;
const sentBody = (i = 0) => JSON.parse(api.requests[i]!.body) as Record<string, unknown>;
const schema = { type: "object", properties: { a: { type: "integer" } }, required: ["a"] };

describe("openai runner, Chat Completions", () => {
  it("sends model, both turns, max_completion_tokens, usage for streams, the key and extra headers", async () => {
    api.reply(sse("openai/chat-stream.sse"));
    const runner = openai({ headers: { "openai-organization": "org-test" }, reasoning_effort: "low" });
    await collect(
      runner,
      request({
        system: "Be brief.",
        prompt: "Capital?",
        maxTokens: 9,
        temperature: 0,
        topK: 5,
        seed: 3,
        stop: ["\n"],
      }),
    );
    const received = api.requests[0]!;
    expect(received.url).toBe("/v1/chat/completions");
    expect(received.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(received.headers["openai-organization"]).toBe("org-test");
    expect(sentBody()).toEqual({
      model: "gpt-4.1-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Capital?" },
      ],
      max_completion_tokens: 9,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0,
      seed: 3,
      stop: ["\n"],
      reasoning_effort: "low",
    }); // no top_k: OpenAI has none
  });

  it("asks for JSON through a strict json_schema response_format, and merges extra_body last", async () => {
    api.reply(json("openai/chat.json"));
    await collect(
      openai({ extra_body: { service_tier: "flex", store: false } }),
      request({ stream: false, structured: { type: "json_schema", schema } }),
    );
    expect(sentBody()).toMatchObject({
      stream: false,
      response_format: { type: "json_schema", json_schema: { name: "output", schema, strict: true } },
      service_tier: "flex",
      store: false,
    });
    expect(sentBody().stream_options).toBeUndefined();
  });

  it("reads a stream: visible deltas only, cached tokens, snapshot id, finish reason", async () => {
    api.reply(sse("openai/chat-stream.sse"));
    const events = await collect(openai(), request());
    expectWellFormed(events);
    expect(events.filter((e) => e.type === "delta")).toHaveLength(3); // the empty role chunk is no delta
    expect(textOf(events)).toBe("Paris is the capital of France — été.");
    expect(only(events, "usage").usage).toEqual({
      inputTokens: 1320,
      cachedInputTokens: 1152,
      outputTokens: 9,
      reasoningTokens: 0,
    });
    expect(only(events, "response")).toEqual({
      type: "response",
      id: "chatcmpl-Ck3tZ8hQ1vJq0TfYwz4cVbXnEaRuo",
      model: "gpt-4.1-mini-2025-04-14",
      finishReason: "stop",
    });
  });

  it("reads a whole response with reasoning tokens inside the output count", async () => {
    api.reply(json("openai/chat.json"));
    const events = await collect(openai(), request({ stream: false }));
    expectWellFormed(events);
    expect(textOf(events)).toBe('{"answer": 42}');
    expect(only(events, "usage").usage).toEqual({
      inputTokens: 57,
      cachedInputTokens: 0,
      outputTokens: 212,
      reasoningTokens: 192,
    });
    expect(only(events, "response").model).toBe("o4-mini-2025-04-16");
  });

  it("classes an error sent mid-stream as the server error it is", async () => {
    api.reply(sse("openai/chat-stream-error.sse"));
    const error = (await failure(openai(), request())) as CallError;
    expect(error).toMatchObject({ errorClass: "http_5xx", status: 500 });
    expect(error.message).toMatch(/server had an error/);
  });

  it("refuses a GBNF grammar before sending anything", async () => {
    const error = (await failure(
      openai(),
      request({ structured: { type: "grammar", grammar: "root ::= [0-9]" } }),
    )) as CallError;
    expect(error).toMatchObject({ errorClass: "http_4xx" });
    expect(error.message).toMatch(/GBNF grammar/);
    expect(api.requests).toHaveLength(0);
  });
});

describe("openai runner, Responses API", () => {
  it("sends instructions, input, max_output_tokens, store false, reasoning effort, text.format", async () => {
    api.reply(sse("openai/responses-stream.sse"));
    const runner = openai({ api: "responses", reasoning_effort: "high" });
    await collect(
      runner,
      request({
        system: "Answer briefly.",
        prompt: "2+2?",
        maxTokens: 512,
        topP: 0.5,
        seed: 9,
        structured: { type: "json_schema", schema },
      }),
    );
    expect(api.requests[0]!.url).toBe("/v1/responses");
    expect(api.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sentBody()).toEqual({
      model: "gpt-4.1-mini",
      instructions: "Answer briefly.",
      input: "2+2?",
      max_output_tokens: 512,
      stream: true,
      store: false,
      top_p: 0.5,
      reasoning: { effort: "high" },
      text: { format: { type: "json_schema", name: "output", schema, strict: true } },
    }); // no seed: the Responses API has none
  });

  it("reads reasoning summary deltas to the reasoning channel, before the visible text", async () => {
    api.reply(sse("openai/responses-stream.sse"));
    const events = await collect(openai({ api: "responses" }), request());
    expectWellFormed(events);
    expect(textOf(events, "reasoning")).toBe("**Adding numbers**\n\nTwo plus two is four.");
    expect(textOf(events)).toBe("2 + 2 = 4");
    const deltas = events.filter((e) => e.type === "delta");
    expect(deltas.map((d) => d.channel)).toEqual(["reasoning", "reasoning", "content", "content"]);
    expect(only(events, "usage").usage).toEqual({
      inputTokens: 2048,
      cachedInputTokens: 1920,
      outputTokens: 150,
      reasoningTokens: 128,
    });
    expect(only(events, "response")).toEqual({
      type: "response",
      id: "resp_68c1f0a2b3c4d5e6f708192a3b4c5d6e",
      model: "o4-mini-2025-04-16",
      finishReason: "stop",
    });
  });

  it("ends an incomplete response (max_output_tokens) as a success with finish reason length", async () => {
    api.reply(sse("openai/responses-incomplete.sse"));
    const events = await collect(openai({ api: "responses" }), request());
    expectWellFormed(events);
    expect(textOf(events)).toBe("Once upon a time");
    expect(only(events, "response").finishReason).toBe("length");
  });

  it("reads a whole response's reasoning and message items", async () => {
    api.reply(json("openai/responses.json"));
    const events = await collect(openai({ api: "responses" }), request({ stream: false }));
    expectWellFormed(events);
    expect(textOf(events, "reasoning")).toBe("The user wants a greeting.");
    expect(textOf(events)).toBe("Hello there!");
    expect(only(events, "usage").usage).toMatchObject({ outputTokens: 80, reasoningTokens: 64 });
  });

  it("classes response.failed and error events by their code", async () => {
    api.reply(sse("openai/responses-failed.sse"), sse("openai/responses-stream-error.sse"));
    const failed = (await failure(openai({ api: "responses" }), request())) as CallError;
    expect(failed).toMatchObject({ errorClass: "http_5xx" });
    expect(failed.message).toMatch(/failed to generate a response.*server_error/);
    const limited = (await failure(openai({ api: "responses" }), request())) as CallError;
    expect(limited).toMatchObject({ errorClass: "http_429" });
  });

  it("refuses stop sequences, which the Responses API has no field for", async () => {
    const error = (await failure(openai({ api: "responses" }), request({ stop: ["END"] }))) as CallError;
    expect(error).toMatchObject({ errorClass: "http_4xx" });
    expect(error.message).toMatch(/stop sequences/);
    expect(api.requests).toHaveLength(0);
  });
});

describe("openai-compatible runner", () => {
  function compatible(extra: Partial<OpenAICompatibleModel> = {}): Runner {
    return createOpenAIRunner({
      id: "local",
      runner: "openai-compatible",
      model: "qwen3-4b",
      base_url: `${api.url}/api/v1/`,
      ...extra,
    } as OpenAICompatibleModel);
  }

  it("sends no Authorization header without api_key_env, and max_tokens with top_k", async () => {
    api.reply(sse("openai/chat-stream.sse"));
    expectWellFormed(await collect(compatible(), request({ maxTokens: 4, topK: 40 })));
    expect(api.requests[0]!.url).toBe("/api/v1/chat/completions");
    expect(api.requests[0]!.headers.authorization).toBeUndefined();
    expect(sentBody()).toMatchObject({ model: "qwen3-4b", max_tokens: 4, top_k: 40 });
    expect(sentBody().max_completion_tokens).toBeUndefined();
  });

  it("sends the key of the variable api_key_env names", async () => {
    vi.stubEnv("OPBENCH_TEST_ROUTER_KEY", "sk-or-v1-opbench-test");
    api.reply(sse("openai/chat-stream.sse"));
    await collect(compatible({ api_key_env: "OPBENCH_TEST_ROUTER_KEY" }), request());
    expect(api.requests[0]!.headers.authorization).toBe("Bearer sk-or-v1-opbench-test");
  });

  it("reads reasoning from `reasoning` (Ollama, OpenRouter) as well as `reasoning_content`", async () => {
    const chunk = (delta: object) => `data: ${JSON.stringify({ choices: [{ delta }] })}\n\n`;
    api.reply({
      kind: "sse",
      text: `${chunk({ reasoning: "think" })}${chunk({ reasoning_content: " more" })}${chunk({ content: "ok" })}data: [DONE]\n\n`,
    });
    const events = await collect(compatible(), request());
    expect(textOf(events, "reasoning")).toBe("think more");
    expect(textOf(events)).toBe("ok");
  });
});
