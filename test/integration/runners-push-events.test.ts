/**
 * A runner's two ways of giving a call's events — pushed through `generateInto` (the engine's
 * path) and iterated from `generate` — give the same events (times aside) and the same errors,
 * over the same wire bytes: a whole stream cut into small reads, tool calls, an error inside the
 * stream after some text, a stream dropped halfway, one ended before its end marker.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { OpenAIModel } from "../../runners/openai.ts";
import { createOpenAIRunner } from "../../runners/openai.ts";
import { CallError } from "../../src/core/errors.ts";
import type { GenerationRequest, Runner, RunnerEvent } from "../../src/core/runner.ts";
import {
  apiFixture,
  type FaultServer,
  type Reply,
  sseEvent,
  startFaultServer,
} from "../helpers/fault-server.ts";
import { request } from "../helpers/runner-events.ts";

vi.stubEnv("OPENAI_API_KEY", "sk-opbench-push-events-4444");

let api: FaultServer;
beforeAll(async () => {
  api = await startFaultServer();
});
afterAll(async () => {
  await api.close();
});

const runner = () =>
  createOpenAIRunner({ id: "o", runner: "openai", model: "gpt", base_url: `${api.url}/v1` } as OpenAIModel);

/** The events without their times (the two reads of the same bytes happen at different moments). */
const timeless = (events: RunnerEvent[]) =>
  events.map((event) => ({ ...event, t: "t" in event ? 0 : undefined }));

/** Both ways through `reply`: the events each gave before it ended, and how it ended. */
async function bothWays(reply: Reply) {
  const reads = [
    async (r: Runner, req: GenerationRequest, seen: RunnerEvent[]) => {
      await r.generateInto!(req, (event) => seen.push(event));
    },
    async (r: Runner, req: GenerationRequest, seen: RunnerEvent[]) => {
      for await (const event of r.generate(req)) seen.push(event);
    },
  ];
  const outcomes = [];
  for (const read of reads) {
    api.reply(reply);
    const seen: RunnerEvent[] = [];
    let error: unknown;
    try {
      await read(runner(), request(), seen);
    } catch (thrown) {
      error = thrown;
    }
    outcomes.push({ events: timeless(seen), error });
  }
  return outcomes;
}

const content = (text: string) => sseEvent({ choices: [{ index: 0, delta: { content: text } }] });

describe("generateInto and generate", () => {
  it("give the same events for a whole stream read in 7-byte pieces", async () => {
    const [pushed, iterated] = await bothWays({
      kind: "sse",
      text: apiFixture("openai/chat-stream.sse"),
      chunkBytes: 7,
    });
    expect(pushed!.error).toBeUndefined();
    expect(pushed!.events.map((e) => e.type)).toContain("delta");
    expect(pushed!.events).toEqual(iterated!.events);
  });

  it("give the same tool calls, joined from their fragments", async () => {
    const fragment = (index: number, args: string, name?: string) =>
      sseEvent({
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                {
                  index,
                  ...(name && { id: `call_${index}`, function: { name } }),
                  function: { ...(name && { name }), arguments: args },
                },
              ],
            },
          },
        ],
      });
    const text =
      fragment(0, '{"city":', "weather") +
      fragment(1, '{"q":"x"}', "search") +
      fragment(0, '"Paris"}') +
      sseEvent({ choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] }) +
      "data: [DONE]\n\n";
    const [pushed, iterated] = await bothWays({ kind: "sse", text, chunkBytes: 11 });
    expect(pushed!.error).toBeUndefined();
    const calls = pushed!.events.filter((e) => e.type === "tool_call");
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ call: { name: "weather", arguments: '{"city":"Paris"}' } });
    expect(pushed!.events).toEqual(iterated!.events);
  });

  it("keep the text that came before an error inside the stream, and fail the same way", async () => {
    const text =
      content("Hello") + content(" there") + sseEvent({ error: { code: 503, message: "overloaded" } });
    const [pushed, iterated] = await bothWays({ kind: "sse", text });
    expect(pushed!.events.filter((e) => e.type === "delta")).toHaveLength(2);
    expect(pushed!.events).toEqual(iterated!.events);
    expect(pushed!.error).toBeInstanceOf(CallError);
    expect((pushed!.error as CallError).errorClass).toBe((iterated!.error as CallError).errorClass);
    expect((pushed!.error as CallError).message).toBe((iterated!.error as CallError).message);
  });

  it("fail the same way for a stream dropped halfway and one ended before [DONE]", async () => {
    const whole = apiFixture("openai/chat-stream.sse");
    for (const reply of [
      { kind: "sse", text: whole, chunkBytes: 16, dropAfterBytes: Math.floor(whole.length / 2) },
      { kind: "sse", text: content("cut") },
    ] satisfies Reply[]) {
      const [pushed, iterated] = await bothWays(reply);
      expect(pushed!.error).toBeInstanceOf(CallError);
      expect((pushed!.error as CallError).errorClass).toBe("stream_aborted");
      expect((iterated!.error as CallError).errorClass).toBe("stream_aborted");
    }
  });
});
