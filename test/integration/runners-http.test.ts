/**
 * The shared HTTP transport and SSE reader, against a local HTTP server whose bytes the test
 * controls: chunk timestamps, UTF-8 split across chunks, status mapping, truncated bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { openResponse, postJson, readJsonBody } from "../../runners/http.ts";
import { chatStreamEvents, completionStreamEvents } from "../../runners/llamacpp-events.ts";
import { readSse } from "../../runners/sse.ts";
import { CallError } from "../../src/core/errors.ts";
import type { RunnerEvent } from "../../src/core/runner.ts";

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;
const servers: Server[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => void handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const signal = () => new AbortController().signal;

/** POSTs and returns the opened response, or the CallError it failed with. */
async function open(url: string, body: unknown = {}) {
  const s = signal();
  return openResponse(postJson(url, body, { signal: s }), s);
}

async function errorOf(promise: Promise<unknown>): Promise<CallError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CallError);
  return error as CallError;
}

async function drain(events: AsyncIterable<RunnerEvent>): Promise<RunnerEvent[]> {
  const out: RunnerEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe("postJson", () => {
  it("sends JSON and takes tSent before the request is issued", async () => {
    let received: unknown;
    const url = await serve((req, res, body) => {
      received = { type: req.headers["content-type"], body: JSON.parse(body) };
      res.end("{}");
    });
    const before = performance.now();
    const issued = postJson(url, { a: 1 }, { signal: signal() });
    expect(issued.tSent).toBeGreaterThanOrEqual(before);
    const response = await openResponse(issued, signal());
    await response.body.text();
    expect(received).toEqual({ type: "application/json", body: { a: 1 } });
  });

  it("maps 429 with Retry-After to http_429 with the delay and the server's message", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "7", "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: 429, message: "slow down", type: "rate_limit" } }));
    });
    const error = await errorOf(open(url));
    expect(error).toMatchObject({ errorClass: "http_429", status: 429, retryAfterMs: 7000 });
    expect(error.message).toBe("HTTP 429: slow down");
  });

  it("maps 5xx and 4xx and truncates long bodies", async () => {
    const url = await serve((req, res) => {
      res.writeHead(req.url === "/a" ? 503 : 404);
      res.end("x".repeat(5000));
    });
    expect((await errorOf(open(`${url}/a`))).errorClass).toBe("http_5xx");
    const notFound = await errorOf(open(`${url}/b`));
    expect(notFound.errorClass).toBe("http_4xx");
    expect(notFound.message.length).toBeLessThan(1100);
  });

  it("reports a refused connection as network", async () => {
    expect((await errorOf(open("http://127.0.0.1:9"))).errorClass).toBe("network");
  });

  it("reads whole JSON bodies and rejects malformed ones as parse", async () => {
    const url = await serve((req, res) => {
      res.end(req.url === "/ok" ? '{"x":[1,2]}' : '{"x":');
    });
    const ok = await open(`${url}/ok`);
    expect((await readJsonBody(ok.body, signal())).value).toEqual({ x: [1, 2] });
    const bad = await open(`${url}/bad`);
    expect((await errorOf(readJsonBody(bad.body, signal()))).errorClass).toBe("parse");
  });
});

describe("readSse", () => {
  it("stamps every event of a chunk with that chunk's read time", async () => {
    let release: () => void = () => {};
    const secondChunk = new Promise<void>((resolve) => {
      release = resolve;
    });
    const url = await serve(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write("data: one\n\ndata: two\n\n");
      await secondChunk;
      res.end("data: three\n\n");
    });
    const response = await open(url);
    const seen: { t: number; data: string[] }[] = [];
    for await (const batch of readSse(response.body, signal())) {
      seen.push({ t: batch.t, data: batch.messages.map((m) => m.data) });
      release();
    }
    expect(seen.map((b) => b.data)).toEqual([["one", "two"], ["three"]]);
    expect(seen[1]?.t).toBeGreaterThanOrEqual(seen[0]?.t ?? Number.POSITIVE_INFINITY);
  });

  it("decodes a UTF-8 character split across chunks and an event split across chunks", async () => {
    const bytes = Buffer.from('data: {"content":"héllo 🙂"}\n\n');
    const url = await serve(async (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (let i = 0; i < bytes.length; i += 3) {
        res.write(bytes.subarray(i, i + 3));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    const response = await open(url);
    const data: string[] = [];
    for await (const batch of readSse(response.body, signal()))
      data.push(...batch.messages.map((m) => m.data));
    expect(data).toEqual(['{"content":"héllo 🙂"}']);
  });
});

describe("llama-server stream decoding", () => {
  const chunk = (content: string) =>
    `data: {"choices":[{"delta":{"content":${JSON.stringify(content)}}}]}\n\n`;

  async function chatEvents(payload: string, destroy = false): Promise<RunnerEvent[]> {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      if (destroy) {
        res.write(payload);
        setImmediate(() => res.socket?.destroy());
      } else res.end(payload);
    });
    const response = await open(url);
    return drain(chatStreamEvents(readSse(response.body, signal())));
  }

  it("turns chunks, usage and timings into events and ends at [DONE]", async () => {
    const final =
      'data: {"choices":[],"id":"c1","model":"m","usage":{"prompt_tokens":5,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":1}},"timings":{"predicted_n":2}}\n\n';
    const finish = 'data: {"choices":[{"delta":{},"finish_reason":"length"}]}\n\n';
    const events = await chatEvents(
      `${chunk("a")}${chunk("")}${chunk("b")}${finish}${final}data: [DONE]\n\n`,
    );
    expect(events.map((e) => e.type)).toEqual([
      "delta",
      "delta",
      "usage",
      "server_timings",
      "response",
      "end",
    ]);
    expect(events.filter((e) => e.type === "delta").map((e) => (e as { text: string }).text)).toEqual([
      "a",
      "b",
    ]);
    expect(events.find((e) => e.type === "usage")).toEqual({
      type: "usage",
      usage: { inputTokens: 5, cachedInputTokens: 1, outputTokens: 2 },
    });
    expect(events.find((e) => e.type === "response")).toEqual({
      type: "response",
      id: "c1",
      model: "m",
      finishReason: "length",
    });
  });

  it("sends reasoning_content to the reasoning channel", async () => {
    const events = await chatEvents(
      `data: {"choices":[{"delta":{"reasoning_content":"hmm"}}]}\n\n${chunk("ok")}data: [DONE]\n\n`,
    );
    expect(events.filter((e) => e.type === "delta")).toMatchObject([
      { channel: "reasoning", text: "hmm" },
      { channel: "content", text: "ok" },
    ]);
  });

  it("fails with stream_aborted when the body ends before [DONE]", async () => {
    expect((await errorOf(chatEvents(chunk("a")))).errorClass).toBe("stream_aborted");
  });

  it("fails with stream_aborted when the connection drops mid-body", async () => {
    expect((await errorOf(chatEvents(chunk("a"), true))).errorClass).toBe("stream_aborted");
  });

  it("fails with parse on malformed JSON in an event", async () => {
    expect((await errorOf(chatEvents(`${chunk("a")}data: {"choices":\n\n`))).errorClass).toBe("parse");
  });

  it("classifies an error the server sends mid-stream by its code", async () => {
    const error = await errorOf(
      chatEvents(
        `${chunk("a")}data: {"error":{"code":500,"message":"slot crashed","type":"server_error"}}\n\n`,
      ),
    );
    expect(error).toMatchObject({ errorClass: "http_5xx", status: 500 });
    expect(error.message).toMatch(/slot crashed/);
  });

  it("ends /completion streams at the stop event and maps stop_type", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        'data: {"content":"x","stop":false}\n\n' +
          'data: {"content":"","stop":true,"stop_type":"eos","tokens_predicted":2,"tokens_evaluated":9,"timings":{"cache_n":4}}\n\n',
      );
    });
    const response = await open(url);
    const events = await drain(completionStreamEvents(readSse(response.body, signal())));
    expect(events.find((e) => e.type === "usage")).toEqual({
      type: "usage",
      usage: { inputTokens: 9, cachedInputTokens: 4, outputTokens: 2 },
    });
    expect(events.find((e) => e.type === "response")).toEqual({ type: "response", finishReason: "stop" });
  });
});
