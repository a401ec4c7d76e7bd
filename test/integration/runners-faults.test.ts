/**
 * Every API runner against a local server that fails on purpose: 429 with Retry-After, 5xx, a
 * connection reset, a stream cut halfway or ended before its end marker, malformed and split SSE
 * events, a body that is no event stream at all (JSON, an HTML page, plain text; the llama.cpp
 * runner too), an endless stream that must time out, a 10 MB response, and a proxy echoing the
 * request's headers (the key must not come back in the error). Each fault ends as a CallError of
 * the right class.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { AnthropicModel } from "../../runners/anthropic.ts";
import { createAnthropicRunner } from "../../runners/anthropic.ts";
import type { GeminiModel } from "../../runners/gemini.ts";
import { createGeminiRunner } from "../../runners/gemini.ts";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import type { LlamaCppModel } from "../../runners/llamacpp-config.ts";
import type { OpenAIModel } from "../../runners/openai.ts";
import { createOpenAIRunner } from "../../runners/openai.ts";
import { CallError } from "../../src/core/errors.ts";
import type { Runner } from "../../src/core/runner.ts";
import {
  apiFixture,
  type FaultServer,
  type Reply,
  sseEvent,
  startFaultServer,
} from "../helpers/fault-server.ts";
import {
  collect,
  expectWellFormed,
  failure,
  request,
  runnerContext,
  textOf,
} from "../helpers/runner-events.ts";

const KEYS = {
  OPENAI_API_KEY: "sk-opbench-fault-openai-1111",
  ANTHROPIC_API_KEY: "sk-ant-opbench-fault-2222",
  GEMINI_API_KEY: "AIzaSy-opbench-fault-3333",
};

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
for (const [name, value] of Object.entries(KEYS)) vi.stubEnv(name, value);

/** One wire protocol: a runner speaking it, a good stream and its text, and events to build streams. */
interface Protocol {
  name: string;
  key: string;
  runner: () => Runner;
  fixture: string;
  content: string;
  /** An event that keeps a stream alive without output. */
  idle: string;
  contentEvent: (text: string) => string;
  /** The events that end a stream successfully. */
  terminal: string;
}

const PROTOCOLS: Protocol[] = [
  {
    name: "openai chat",
    key: KEYS.OPENAI_API_KEY,
    runner: () =>
      createOpenAIRunner({
        id: "o",
        runner: "openai",
        model: "gpt",
        base_url: `${api.url}/v1`,
      } as OpenAIModel),
    fixture: apiFixture("openai/chat-stream.sse"),
    content: "Paris is the capital of France — été.",
    idle: sseEvent({ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }),
    contentEvent: (text) => sseEvent({ choices: [{ index: 0, delta: { content: text } }] }),
    terminal: `${sseEvent({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}data: [DONE]\n\n`,
  },
  {
    name: "openai responses",
    key: KEYS.OPENAI_API_KEY,
    runner: () =>
      createOpenAIRunner({
        id: "r",
        runner: "openai",
        model: "gpt",
        api: "responses",
        base_url: `${api.url}/v1`,
      } as OpenAIModel),
    fixture: apiFixture("openai/responses-stream.sse"),
    content: "2 + 2 = 4",
    idle: sseEvent(
      { type: "response.in_progress", response: { id: "resp_1", status: "in_progress" } },
      "response.in_progress",
    ),
    contentEvent: (text) =>
      sseEvent({ type: "response.output_text.delta", delta: text }, "response.output_text.delta"),
    terminal: sseEvent(
      {
        type: "response.completed",
        response: { id: "resp_1", status: "completed", usage: { input_tokens: 1, output_tokens: 1 } },
      },
      "response.completed",
    ),
  },
  {
    name: "anthropic",
    key: KEYS.ANTHROPIC_API_KEY,
    runner: () =>
      createAnthropicRunner({
        id: "a",
        runner: "anthropic",
        model: "claude",
        base_url: api.url,
      } as AnthropicModel),
    fixture: apiFixture("anthropic/messages-stream.sse"),
    content: "Hello, wörld 👋",
    idle: sseEvent({ type: "ping" }, "ping"),
    contentEvent: (text) =>
      sseEvent(
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
        "content_block_delta",
      ),
    terminal:
      sseEvent(
        { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 1 } },
        "message_delta",
      ) + sseEvent({ type: "message_stop" }, "message_stop"),
  },
  {
    name: "gemini",
    key: KEYS.GEMINI_API_KEY,
    runner: () =>
      createGeminiRunner({
        id: "g",
        runner: "gemini",
        model: "gemini-2.5-flash",
        base_url: `${api.url}/v1beta`,
      } as GeminiModel),
    fixture: apiFixture("gemini/stream.sse"),
    content: "The capital of France is Paris — ça va.",
    idle: sseEvent({ candidates: [{ content: { parts: [{ text: "" }], role: "model" }, index: 0 }] }),
    contentEvent: (text) =>
      sseEvent({ candidates: [{ content: { parts: [{ text }], role: "model" }, index: 0 }] }),
    terminal: sseEvent({
      candidates: [{ content: { parts: [{ text: "" }], role: "model" }, finishReason: "STOP", index: 0 }],
    }),
  },
];

/** What a proxy in front of a server may answer, with status 200, instead of the stream. */
const BAD_GATEWAY_PAGE =
  "<!DOCTYPE html>\n<html><head><title>502</title></head>\n<body><h1>502 Bad Gateway</h1></body></html>\n";

/** The stream's events (blank-line separated blocks). */
const eventsOf = (text: string) => text.split("\n\n").filter((block) => block.trim() !== "");
const join = (events: string[]) => events.map((e) => `${e}\n\n`).join("");

async function errorOf(runner: Runner, signal?: AbortSignal): Promise<CallError> {
  const error = await failure(runner, request(signal ? { signal } : {}));
  expect(error).toBeInstanceOf(CallError);
  return error as CallError;
}

describe.each(PROTOCOLS)("$name runner under faults", (protocol) => {
  it("reads the good stream whole, and the same when its bytes arrive 5 at a time (events and UTF-8 split)", async () => {
    api.reply(
      { kind: "sse", text: protocol.fixture },
      { kind: "sse", text: protocol.fixture, chunkBytes: 5 },
    );
    const whole = await collect(protocol.runner(), request());
    const split = await collect(protocol.runner(), request());
    expectWellFormed(split);
    expect(textOf(whole)).toBe(protocol.content);
    expect(textOf(split)).toBe(protocol.content);
    expect(split.filter((e) => e.type !== "delta" && e.type !== "sent" && e.type !== "end")).toEqual(
      whole.filter((e) => e.type !== "delta" && e.type !== "sent" && e.type !== "end"),
    );
  });

  it("429 with Retry-After → http_429 carrying the delay", async () => {
    api.reply({
      kind: "json",
      status: 429,
      headers: { "retry-after": "7" },
      body: { error: { message: "slow down" } },
    });
    expect(await errorOf(protocol.runner())).toMatchObject({
      errorClass: "http_429",
      status: 429,
      retryAfterMs: 7000,
    });
  });

  it("500 → http_5xx; 503 with retry-after-ms → http_5xx carrying the delay", async () => {
    api.reply(
      { kind: "json", status: 500, body: "internal error" },
      { kind: "json", status: 503, headers: { "retry-after-ms": "250" }, body: "unavailable" },
    );
    expect(await errorOf(protocol.runner())).toMatchObject({ errorClass: "http_5xx", status: 500 });
    expect(await errorOf(protocol.runner())).toMatchObject({
      errorClass: "http_5xx",
      status: 503,
      retryAfterMs: 250,
    });
  });

  it("a connection reset before any response → network", async () => {
    // A reset on a kept-alive connection may be a stale one and is sent once more on a new
    // connection (see runners/http.ts); that one is reset too.
    api.reply({ kind: "reset" }, { kind: "reset" });
    expect((await errorOf(protocol.runner())).errorClass).toBe("network");
    api.clearReplies();
  });

  it("a stream dropped halfway → stream_aborted", async () => {
    const text = protocol.fixture;
    api.reply({ kind: "sse", text, dropAfterBytes: Math.floor(Buffer.byteLength(text) / 2) });
    expect((await errorOf(protocol.runner())).errorClass).toBe("stream_aborted");
  });

  it("a stream that ends cleanly but without its end marker → stream_aborted", async () => {
    api.reply({ kind: "sse", text: join(eventsOf(protocol.fixture).slice(0, -1)) });
    expect((await errorOf(protocol.runner())).errorClass).toBe("stream_aborted");
  });

  it("a malformed event → parse", async () => {
    const events = eventsOf(protocol.fixture);
    api.reply({ kind: "sse", text: join([events[0]!, 'data: {"truncated": ', ...events.slice(1)]) });
    expect((await errorOf(protocol.runner())).errorClass).toBe("parse");
  });

  it("a whole JSON answer to a streamed request → parse (no arrival times to measure)", async () => {
    api.reply({ kind: "json", body: { id: "x", choices: [] } });
    const error = await errorOf(protocol.runner());
    expect(error.errorClass).toBe("parse");
    expect(error.message).toMatch(/asked for an event stream.*content-type: application\/json/);
  });

  it("a 200 HTML page instead of an event stream → parse, naming its content-type and quoting it", async () => {
    api.reply({ kind: "text", contentType: "text/html; charset=utf-8", body: BAD_GATEWAY_PAGE });
    const error = await errorOf(protocol.runner());
    expect(error.errorClass).toBe("parse");
    expect(error.message).toContain("content-type: text/html; charset=utf-8");
    expect(error.message).toContain("<h1>502 Bad Gateway</h1>");
  });

  it("text without a single SSE line, even labelled text/event-stream → parse", async () => {
    api.reply({ kind: "text", contentType: "text/event-stream", body: "upstream connect error\n" });
    const error = await errorOf(protocol.runner());
    expect(error.errorClass).toBe("parse");
    expect(error.message).toContain("upstream connect error");
  });

  it("a stream that ends inside its first event is cut short, not foreign → stream_aborted", async () => {
    api.reply({ kind: "sse", text: eventsOf(protocol.fixture)[0]!.slice(0, 24) });
    expect((await errorOf(protocol.runner())).errorClass).toBe("stream_aborted");
  });

  it("an endless slow stream ends with the timeout the engine aborts it with", async () => {
    api.reply({ kind: "trickle", event: protocol.idle, everyMs: 20 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new CallError("timeout", "no complete response within 300 ms")), 300);
    const error = await errorOf(protocol.runner(), controller.signal);
    expect(error.errorClass).toBe("timeout");
  });

  it("a 10 MB streamed answer arrives whole", async () => {
    const big = "é".repeat(5 * 1024 * 1024); // 10 MiB of UTF-8 in one event
    api.reply({ kind: "sse", text: protocol.contentEvent(big) + protocol.terminal, chunkBytes: 1 << 16 });
    const events = await collect(protocol.runner(), request());
    expectWellFormed(events);
    expect(textOf(events)).toBe(big);
  });

  it("a proxy echoing the request's headers in its error body does not leak the key", async () => {
    api.reply({ kind: "echo-headers", status: 401 });
    const error = await errorOf(protocol.runner());
    expect(error.errorClass).toBe("http_4xx");
    expect(JSON.stringify(api.requests[0]!.headers)).toContain(protocol.key); // it was sent, and echoed
    expect(error.message).toContain("[REDACTED]");
    expect(error.message).not.toContain(protocol.key);
    expect(error.cause).toBeUndefined();
  });
});

describe("llama.cpp runner answered by a proxy's HTML page", () => {
  // A server that answers its probes but streams nothing: what a misrouted proxy looks like.
  let llama: FaultServer;
  beforeAll(async () => {
    llama = await startFaultServer(({ url }): Reply => {
      if (url === "/health") return { kind: "json", body: { status: "ok" } };
      if (url === "/props") return { kind: "json", body: { total_slots: 1 } };
      if (url === "/apply-template") return { kind: "json", body: { prompt: "Say something." } };
      if (url === "/completion" || url === "/v1/chat/completions")
        return { kind: "text", contentType: "text/html", body: BAD_GATEWAY_PAGE };
      return { kind: "json", body: [] };
    });
  });
  afterAll(async () => {
    await llama.close();
  });

  it.each(["chat", "completion"] as const)(
    "endpoint %s → parse, naming the content-type",
    async (endpoint) => {
      const runner = createLlamaCppRunner({
        id: "l",
        runner: "llamacpp",
        url: llama.url,
        endpoint,
      } as LlamaCppModel);
      await runner.startup?.(runnerContext());
      const error = await errorOf(runner);
      expect(error.errorClass).toBe("parse");
      expect(error.message).toContain("content-type: text/html");
      expect(error.message).toContain("<h1>502 Bad Gateway</h1>");
    },
  );
});

describe("whole (non-streamed) responses under faults", () => {
  it("a 10 MB body that is not JSON → parse, with a short message", async () => {
    api.reply({ kind: "json", body: `<html>${"x".repeat(10 * 1024 * 1024)}` });
    const error = await failure(PROTOCOLS[0]!.runner(), request({ stream: false }));
    expect(error).toMatchObject({ errorClass: "parse" });
    expect((error as CallError).message.length).toBeLessThan(1100);
  });

  it("a body cut short → parse (the JSON is incomplete)", async () => {
    const body = apiFixture("openai/chat.json");
    api.reply({ kind: "json", body: body.slice(0, body.length / 2) });
    expect(await failure(PROTOCOLS[0]!.runner(), request({ stream: false }))).toMatchObject({
      errorClass: "parse",
    });
  });

  it("a refused connection → network", async () => {
    const runner = createOpenAIRunner({
      id: "o",
      runner: "openai",
      model: "gpt",
      base_url: "http://127.0.0.1:9/v1",
    } as OpenAIModel);
    expect(await failure(runner, request())).toMatchObject({ errorClass: "network" });
  });
});
