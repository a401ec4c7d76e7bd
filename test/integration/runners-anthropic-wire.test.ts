/**
 * The anthropic runner on the wire, against a local server replaying Anthropic's documented
 * Messages formats (fixtures/api/anthropic): the request (headers, body, thinking, structured
 * output) and what llama-server never sends (thinking deltas, cache writes, error events).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AnthropicModel } from "../../runners/anthropic.ts";
import { ANTHROPIC_VERSION, createAnthropicRunner } from "../../runners/anthropic.ts";
import type { CallError } from "../../src/core/errors.ts";
import type { Runner } from "../../src/core/runner.ts";
import { apiFixture, type FaultServer, startFaultServer } from "../helpers/fault-server.ts";
import { collect, expectWellFormed, failure, only, request, textOf } from "../helpers/runner-events.ts";

const KEY = "sk-ant-opbench-wire-3c0d";
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
vi.stubEnv("ANTHROPIC_API_KEY", KEY);

function claude(extra: Partial<AnthropicModel> = {}): Runner {
  return createAnthropicRunner({
    id: "claude",
    runner: "anthropic",
    model: "claude-sonnet-4-5",
    base_url: api.url,
    ...extra,
  } as AnthropicModel);
}

const sse = (path: string) => ({ kind: "sse", text: apiFixture(path) }) as const;
const sentBody = () => JSON.parse(api.requests[0]!.body) as Record<string, unknown>;

describe("anthropic runner on the wire", () => {
  it("sends x-api-key, anthropic-version, and the Messages body", async () => {
    api.reply(sse("anthropic/messages-stream.sse"));
    const runner = claude({ headers: { "anthropic-beta": "test-beta-2025-01-01" } });
    await collect(
      runner,
      request({
        system: "Be brief.",
        prompt: "Hi",
        maxTokens: 64,
        temperature: 0.3,
        topP: 0.9,
        topK: 5,
        seed: 1,
        stop: ["END"],
      }),
    );
    const received = api.requests[0]!;
    expect(received.url).toBe("/v1/messages");
    expect(received.headers["x-api-key"]).toBe(KEY);
    expect(received.headers["anthropic-version"]).toBe(ANTHROPIC_VERSION);
    expect(received.headers["anthropic-beta"]).toBe("test-beta-2025-01-01");
    expect(received.headers.authorization).toBeUndefined();
    expect(sentBody()).toEqual({
      model: "claude-sonnet-4-5",
      max_tokens: 64,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      temperature: 0.3,
      top_p: 0.9,
      top_k: 5,
      stop_sequences: ["END"],
    }); // no seed: the API has none
  });

  it("turns on thinking with its budget, leaving out temperature and top_k the API then refuses", async () => {
    api.reply(sse("anthropic/messages-thinking-stream.sse"));
    await collect(claude({ thinking_budget: 2048 }), request({ maxTokens: 4096, temperature: 0, topK: 3 }));
    const body = sentBody();
    expect(body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(body.temperature).toBeUndefined();
    expect(body.top_k).toBeUndefined();
  });

  it("asks for JSON through output_config.format", async () => {
    api.reply({ kind: "json", body: apiFixture("anthropic/message.json") });
    const schema = { type: "object", properties: { label: { type: "string" } }, required: ["label"] };
    await collect(claude(), request({ stream: false, structured: { type: "json_schema", schema } }));
    expect(sentBody().output_config).toEqual({ format: { type: "json_schema", schema } });
  });

  it("reads a stream: text deltas (ping ignored), canonical usage with cache reads and writes", async () => {
    api.reply(sse("anthropic/messages-stream.sse"));
    const events = await collect(claude(), request());
    expectWellFormed(events);
    expect(textOf(events)).toBe("Hello, wörld 👋");
    // Anthropic's input_tokens (25) excludes cache reads (2000) and writes (40): canonical input is all three.
    expect(only(events, "usage").usage).toEqual({
      inputTokens: 2065,
      cachedInputTokens: 2000,
      cacheWriteInputTokens: 40,
      outputTokens: 15,
    });
    expect(only(events, "response")).toEqual({
      type: "response",
      id: "msg_01XFDUDYJgAACzvnptvVoYEL",
      model: "claude-sonnet-4-5-20250929",
      finishReason: "stop",
    });
  });

  it("reads thinking deltas to the reasoning channel and max_tokens as length", async () => {
    api.reply(sse("anthropic/messages-thinking-stream.sse"));
    const events = await collect(claude({ thinking_budget: 1024 }), request());
    expectWellFormed(events);
    expect(textOf(events, "reasoning")).toBe("Let me work this out.\n27 * 453 = 12231.");
    expect(textOf(events)).toBe("12231");
    const channels = events.filter((e) => e.type === "delta").map((e) => e.channel);
    expect(channels).toEqual(["reasoning", "reasoning", "content"]);
    expect(only(events, "usage").usage).toMatchObject({ inputTokens: 40, outputTokens: 96 });
    expect(only(events, "response").finishReason).toBe("length");
  });

  it("reads a whole message's thinking and text blocks", async () => {
    api.reply({ kind: "json", body: apiFixture("anthropic/message.json") });
    const events = await collect(claude(), request({ stream: false }));
    expectWellFormed(events);
    expect(textOf(events, "reasoning")).toBe("Short question, short answer.");
    expect(textOf(events)).toBe('{"label": "refund"}');
    expect(only(events, "usage").usage).toEqual({
      inputTokens: 312,
      cachedInputTokens: 300,
      cacheWriteInputTokens: 0,
      outputTokens: 30,
    });
    expect(only(events, "response").model).toBe("claude-haiku-4-5-20251001");
  });

  it("classes an overloaded_error event mid-stream as a 529 server error", async () => {
    api.reply(sse("anthropic/stream-overloaded.sse"));
    const error = (await failure(claude(), request())) as CallError;
    expect(error).toMatchObject({ errorClass: "http_5xx", status: 529 });
    expect(error.message).toMatch(/Overloaded \(overloaded_error\)/);
  });

  it("turns a 429 into http_429 with the wait from Anthropic's reset headers", async () => {
    const reset = new Date(Date.now() + 60_000).toISOString();
    api.reply({
      kind: "json",
      status: 429,
      headers: {
        "anthropic-ratelimit-input-tokens-limit": "50000",
        "anthropic-ratelimit-input-tokens-remaining": "0",
        "anthropic-ratelimit-input-tokens-reset": reset,
      },
      body: apiFixture("anthropic/error-429.json"),
    });
    const error = (await failure(claude(), request())) as CallError;
    expect(error).toMatchObject({ errorClass: "http_429", status: 429 });
    expect(error.message).toMatch(/exceed the rate limit/);
    expect(error.retryAfterMs).toBeGreaterThan(50_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  });
});
