/**
 * The benchmarks' scripted streaming server: it speaks the chat-completions protocol opbench's
 * llama.cpp runner reads (streamed and whole), answers the runner's startup probes, and records
 * a truthful, correlatable record of every request.
 */
import { request as undiciRequest } from "undici";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  caseMarker,
  DEFAULT_SCRIPT,
  outputText,
  scriptedE2eMs,
  validateScript,
} from "../../fixtures/scripted-server/script.ts";
import { type ScriptedServer, startScriptedServer } from "../../fixtures/scripted-server/server.ts";
import { createLlamaCppRunner } from "../../runners/llamacpp.ts";
import { collect, expectWellFormed, only, request, runnerContext, textOf } from "../helpers/runner-events.ts";

let server: ScriptedServer;
const SCRIPT = { ttftMs: 2, chunkGapMs: 1, chunks: 3, text: "ab ", model: "scripted-test" };

beforeAll(async () => {
  server = await startScriptedServer({ script: SCRIPT });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.setScript(SCRIPT);
  server.clearTruth();
});

async function post(
  body: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const response = await undiciRequest(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, headers: response.headers, text: await response.body.text() };
}

const chat = (content: string, stream: boolean) => ({ messages: [{ role: "user", content }], stream });

describe("script", () => {
  it("derives the scripted e2e and output from the chunk plan", () => {
    expect(scriptedE2eMs({ ...DEFAULT_SCRIPT, ttftMs: 3, chunkGapMs: 2, chunks: 4 })).toBe(9);
    expect(outputText({ ...DEFAULT_SCRIPT, text: "x ", chunks: 3 })).toBe("x x x ");
  });

  it("finds the case marker anywhere in a body, or none", () => {
    expect(caseMarker('{"content":"case=c17 Classify this"}')).toBe("c17");
    expect(caseMarker("no marker here")).toBeNull();
  });

  it("rejects scripts that cannot be played", () => {
    expect(() => validateScript({ ...DEFAULT_SCRIPT, chunks: 0 })).toThrow(/chunks/);
    expect(() => validateScript({ ...DEFAULT_SCRIPT, ttftMs: -1 })).toThrow(/ttftMs/);
    expect(() => validateScript({ ...DEFAULT_SCRIPT, text: "" })).toThrow(/text/);
  });
});

describe("streamed responses", () => {
  it("sends the scripted chunks as SSE, then finish, usage and [DONE], every chunk with one id", async () => {
    const response = await post(chat("case=s1 hello", true));
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("text/event-stream");
    const data = response.text
      .split("\n\n")
      .filter(Boolean)
      .map((frame) => frame.replace(/^data: /, ""));
    expect(data.at(-1)).toBe("[DONE]");
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    const ids = new Set(chunks.map((c) => c.id));
    expect(ids.size).toBe(1);
    const content = chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("");
    expect(content).toBe("ab ab ab ");
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
    expect(chunks.at(-1).usage.completion_tokens).toBe(3);

    const [truth] = server.truth();
    expect(truth).toMatchObject({ id: [...ids][0], case: "s1", stream: true, aborted: false });
    expect(truth!.scriptedTtftMs).toBe(2);
    expect(truth!.scriptedE2eMs).toBe(4);
    expect(truth!.ttftMs).not.toBeNull();
    expect(truth!.e2eMs!).toBeGreaterThanOrEqual(truth!.ttftMs!);
  });

  it("is what opbench's llama.cpp runner reads: startup probes, deltas, and the response id", async () => {
    const runner = createLlamaCppRunner({ id: "scripted", runner: "llamacpp", url: server.url });
    const backend = await runner.startup?.(runnerContext(4));
    expect(backend).toMatchObject({ mode: "attach", total_slots: 1024 });
    const events = await collect(runner, request({ prompt: "case=r7 Classify this" }));
    expectWellFormed(events);
    expect(textOf(events)).toBe("ab ab ab ");
    expect(only(events, "usage").usage.outputTokens).toBe(3);
    const [truth] = server.truth();
    expect(only(events, "response")).toMatchObject({ id: truth!.id, finishReason: "stop" });
    expect(truth!.case).toBe("r7");
    await runner.shutdown?.();
  });

  it("gives every request its own id, in the order requests arrive", async () => {
    await Promise.all([1, 2, 3].map((n) => post(chat(`case=p${n}`, true))));
    const truth = server.truth();
    expect(new Set(truth.map((t) => t.id)).size).toBe(3);
    expect(truth.map((t) => t.case).sort()).toEqual(["p1", "p2", "p3"]);
  });

  it("records a request whose client went away as aborted, with no e2e", async () => {
    server.setScript({ ttftMs: 1, chunkGapMs: 200, chunks: 5 });
    const controller = new AbortController();
    const response = await undiciRequest(`${server.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify(chat("case=gone", true)),
      signal: controller.signal,
    });
    for await (const _ of response.body) {
      controller.abort();
      break;
    }
    await expect.poll(() => server.truth().length).toBe(1);
    expect(server.truth()[0]).toMatchObject({ case: "gone", aborted: true, e2eMs: null });
  });
});

describe("whole responses", () => {
  it("answers with one JSON body at the end, and no TTFT in its truth", async () => {
    const response = await post(chat("case=w1 hi", false));
    expect(response.status).toBe(200);
    expect(response.headers["content-length"]).toBe(String(Buffer.byteLength(response.text)));
    const body = JSON.parse(response.text);
    expect(body.choices[0].message.content).toBe("ab ab ab ");
    const [truth] = server.truth();
    expect(truth).toMatchObject({
      id: body.id,
      case: "w1",
      stream: false,
      ttftMs: null,
      scriptedTtftMs: null,
    });
    expect(truth!.e2eMs).not.toBeNull();
  });
});

describe("control API", () => {
  it("changes the script for later requests, and refuses an invalid one", async () => {
    const ok = await undiciRequest(`${server.url}/__bench/script`, {
      method: "POST",
      body: JSON.stringify({ chunks: 2, text: "z" }),
    });
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toMatchObject({ chunks: 2, text: "z" });
    expect(JSON.parse((await post(chat("x", false))).text).choices[0].message.content).toBe("zz");

    const bad = await undiciRequest(`${server.url}/__bench/script`, {
      method: "POST",
      body: JSON.stringify({ chunks: -1 }),
    });
    expect(bad.statusCode).toBe(400);
    await bad.body.text();
  });

  it("hands its truth over HTTP and clears it on request", async () => {
    await post(chat("case=t1", true));
    const read = async (query: string) => {
      const response = await undiciRequest(`${server.url}/__bench/truth${query}`);
      return ((await response.body.json()) as { records: { case: string }[] }).records;
    };
    expect((await read("?clear=1")).map((r) => r.case)).toEqual(["t1"]);
    expect(await read("")).toEqual([]);
  });

  it("answers unknown routes with 404 and a body that is not JSON with 400", async () => {
    const missing = await undiciRequest(`${server.url}/nowhere`);
    expect(missing.statusCode).toBe(404);
    await missing.body.text();
    const response = await undiciRequest(`${server.url}/v1/chat/completions`, { method: "POST", body: "{" });
    expect(response.statusCode).toBe(400);
    await response.body.text();
  });
});
