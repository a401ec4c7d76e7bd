/**
 * The gemini runner against a local server replaying the Gemini API's documented formats
 * (fixtures/api/gemini): no local server speaks them. The request (URL, key header, body), SSE
 * and whole responses, thought parts, usage conversion, blocked prompts and RetryInfo.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { GeminiModel } from "../../runners/gemini.ts";
import { createGeminiRunner, geminiRunner, modelPath } from "../../runners/gemini.ts";
import type { CallError } from "../../src/core/errors.ts";
import type { Runner } from "../../src/core/runner.ts";
import { apiFixture, type FaultServer, startFaultServer } from "../helpers/fault-server.ts";
import {
  collect,
  expectWellFormed,
  failure,
  only,
  request,
  runnerContext,
  textOf,
} from "../helpers/runner-events.ts";

const KEY = "AIzaSy-opbench-gemini-test-77";
let api: FaultServer;

beforeAll(async () => {
  api = await startFaultServer();
});
afterAll(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  vi.stubEnv("GEMINI_API_KEY", KEY);
  vi.stubEnv("GOOGLE_API_KEY", undefined);
});

function gemini(extra: Partial<GeminiModel> = {}): Runner {
  return createGeminiRunner({
    id: "gem",
    runner: "gemini",
    model: "gemini-2.5-flash",
    base_url: `${api.url}/v1beta`,
    ...extra,
  } as GeminiModel);
}

const sse = (path: string) => ({ kind: "sse", text: apiFixture(path) }) as const;
const sentBody = () => JSON.parse(api.requests[0]!.body) as Record<string, unknown>;
const schema = { type: "object", properties: { label: { type: "string" } }, required: ["label"] };

describe("gemini runner: the request", () => {
  it("streams from models/{model}:streamGenerateContent?alt=sse with the key in x-goog-api-key only", async () => {
    api.reply(sse("gemini/stream.sse"));
    await collect(gemini(), request());
    const received = api.requests[0]!;
    expect(received.url).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(received.headers["x-goog-api-key"]).toBe(KEY);
    expect(received.url).not.toContain(KEY);
  });

  it("calls :generateContent when not streaming", async () => {
    api.reply({ kind: "json", body: apiFixture("gemini/generate.json") });
    await collect(gemini({ model: "models/gemini-2.5-flash-lite" }), request({ stream: false }));
    expect(api.requests[0]!.url).toBe("/v1beta/models/gemini-2.5-flash-lite:generateContent");
  });

  it("sends systemInstruction, the user turn and generationConfig in Gemini's own names", async () => {
    api.reply(sse("gemini/stream.sse"));
    await collect(
      gemini({ thinking_budget: 512 }),
      request({
        system: "Be brief.",
        prompt: "Label this.",
        maxTokens: 100,
        temperature: 0.1,
        topP: 0.8,
        topK: 20,
        seed: 42,
        stop: ["###"],
        structured: { type: "json_schema", schema },
      }),
    );
    expect(sentBody()).toEqual({
      systemInstruction: { parts: [{ text: "Be brief." }] },
      contents: [{ role: "user", parts: [{ text: "Label this." }] }],
      generationConfig: {
        maxOutputTokens: 100,
        temperature: 0.1,
        topP: 0.8,
        topK: 20,
        seed: 42,
        stopSequences: ["###"],
        responseMimeType: "application/json",
        responseJsonSchema: schema,
        thinkingConfig: { thinkingBudget: 512, includeThoughts: true },
      },
    });
  });

  it("turns thinking off with budget 0 and asks for no thoughts then", async () => {
    api.reply(sse("gemini/stream.sse"));
    await collect(gemini({ thinking_budget: 0 }), request());
    expect((sentBody().generationConfig as Record<string, unknown>).thinkingConfig).toEqual({
      thinkingBudget: 0,
      includeThoughts: false,
    });
  });

  it("builds resource paths from bare and prefixed model names", () => {
    expect(modelPath("gemini-2.5-pro")).toBe("models/gemini-2.5-pro");
    expect(modelPath("models/gemini-2.5-pro")).toBe("models/gemini-2.5-pro");
    expect(modelPath("tunedModels/my model")).toBe("tunedModels/my%20model");
  });
});

describe("gemini runner: responses", () => {
  it("reads a stream: text parts, the last usage, modelVersion and responseId", async () => {
    api.reply(sse("gemini/stream.sse"));
    const events = await collect(gemini(), request());
    expectWellFormed(events);
    expect(textOf(events)).toBe("The capital of France is Paris — ça va.");
    expect(events.filter((e) => e.type === "delta")).toHaveLength(3);
    // candidatesTokenCount (9) excludes thoughts (64): canonical output includes them.
    expect(only(events, "usage").usage).toEqual({
      inputTokens: 1200,
      cachedInputTokens: 1024,
      outputTokens: 73,
      reasoningTokens: 64,
    });
    expect(only(events, "response")).toEqual({
      type: "response",
      id: "mKoDaeGfH8SfmtkPk7Tq-Ak",
      model: "gemini-2.5-flash-001",
      finishReason: "stop",
    });
  });

  it("sends thought parts to the reasoning channel and MAX_TOKENS as length", async () => {
    api.reply(sse("gemini/stream-thinking.sse"));
    const events = await collect(gemini({ thinking_budget: 1024 }), request());
    expectWellFormed(events);
    expect(textOf(events, "reasoning")).toBe("**Considering the sum**\n\nThe user asks for 2+2.");
    expect(textOf(events)).toBe("4");
    expect(events.filter((e) => e.type === "delta").map((e) => e.channel)).toEqual(["reasoning", "content"]);
    expect(only(events, "usage").usage).toEqual({ inputTokens: 8, outputTokens: 113, reasoningTokens: 112 });
    expect(only(events, "response").finishReason).toBe("length");
  });

  it("reads a whole response's thought and answer parts", async () => {
    api.reply({ kind: "json", body: apiFixture("gemini/generate.json") });
    const events = await collect(gemini(), request({ stream: false }));
    expectWellFormed(events);
    expect(textOf(events, "reasoning")).toBe("The question is about a label.");
    expect(textOf(events)).toBe('{"label": "refund"}');
    expect(only(events, "usage").usage).toEqual({ inputTokens: 50, outputTokens: 47, reasoningTokens: 40 });
    expect(only(events, "response").model).toBe("gemini-2.5-flash-lite");
  });

  it("ends a blocked prompt as a call with no output and finish reason content_filter", async () => {
    api.reply({ kind: "json", body: apiFixture("gemini/blocked.json") });
    const events = await collect(gemini(), request({ stream: false }));
    expectWellFormed(events);
    expect(textOf(events)).toBe("");
    expect(only(events, "response").finishReason).toBe("content_filter");
  });

  it("turns a 429 RESOURCE_EXHAUSTED into http_429 with RetryInfo's delay", async () => {
    api.reply({ kind: "json", status: 429, body: apiFixture("gemini/error-429.json") });
    const error = (await failure(gemini(), request())) as CallError;
    expect(error).toMatchObject({ errorClass: "http_429", status: 429, retryAfterMs: 37_000 });
    expect(error.message).toMatch(/exceeded your current quota/);
  });

  it("classes an error object sent inside the stream by its code", async () => {
    const text = `data: ${JSON.stringify({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } })}\n\n`;
    api.reply({ kind: "sse", text });
    const error = (await failure(gemini(), request())) as CallError;
    expect(error).toMatchObject({ errorClass: "http_5xx", status: 503 });
    expect(error.message).toMatch(/overloaded.*UNAVAILABLE/);
  });
});

describe("gemini runner: keys", () => {
  it("uses GEMINI_API_KEY, or GOOGLE_API_KEY when only that one is set", async () => {
    const config = { id: "g", runner: "gemini", model: "gemini-2.5-flash" } as GeminiModel;
    expect(geminiRunner.secretEnv?.(config)).toEqual(["GEMINI_API_KEY"]);
    vi.stubEnv("GEMINI_API_KEY", undefined);
    vi.stubEnv("GOOGLE_API_KEY", "AIzaSy-google-fallback");
    expect(geminiRunner.secretEnv?.(config)).toEqual(["GOOGLE_API_KEY"]);
    api.reply(sse("gemini/stream.sse"));
    const runner = gemini();
    expect(await runner.startup?.(runnerContext())).toMatchObject({ api_key_env: "GOOGLE_API_KEY" });
    await collect(runner, request());
    expect(api.requests[0]!.headers["x-goog-api-key"]).toBe("AIzaSy-google-fallback");
    vi.stubEnv("GOOGLE_API_KEY", undefined);
    expect(geminiRunner.secretEnv?.(config)).toEqual(["GEMINI_API_KEY"]); // reported under its usual name
    expect(geminiRunner.pricingProvider?.(config)).toBe("google");
  });
});
