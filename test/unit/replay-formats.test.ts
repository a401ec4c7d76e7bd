/**
 * Each log format `init --from` reads, from hand-written fixtures (fixtures/replay/): what becomes
 * a call (messages, tools, response format, params verbatim; the answer with usage, finish
 * reason, snapshot, latency only when logged), and what is skipped with a count: a malformed
 * line, a truncated last line, a missing or failed response, image/audio parts, other formats.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LogFormatError } from "../../src/replay/detect.ts";
import type { LoggedCall } from "../../src/replay/logged-call.ts";
import { newStats, type ReadStats, readLog } from "../../src/replay/read-log.ts";

const fixture = (name: string) => join(import.meta.dirname, "..", "..", "fixtures", "replay", name);

async function read(
  files: string[],
  format?: Parameters<typeof readLog>[1],
): Promise<{ calls: LoggedCall[]; stats: ReadStats }> {
  const stats = newStats();
  const calls: LoggedCall[] = [];
  for await (const call of readLog(files.map(fixture), format, stats)) calls.push(call);
  return { calls, stats };
}

describe("init --from log formats", () => {
  it("chat-completions pairs and flat lines; skips counted by reason", async () => {
    const { calls, stats } = await read(["openai-chat.jsonl"]);
    expect(stats.format).toBe("openai-chat");
    expect(calls).toHaveLength(7);
    expect(Object.fromEntries(stats.skipped)).toEqual({
      "image or audio input": 1,
      "no response": 1,
      "malformed line": 1,
      "truncated last line": 1,
    });
    const first = calls[0]!;
    expect(first.messages[0]!.role).toBe("system");
    expect(first.messages[1]).toEqual({ role: "user", content: "Great product, works perfectly." });
    expect(first.params).toEqual({ temperature: 0, max_tokens: 5 });
    expect(first.answer).toMatchObject({
      output: "positive",
      finishReason: "stop",
      model: "gpt-4.1-2025-04-14",
      latencyMs: 420,
    });
    expect(first.answer.usage).toEqual({
      inputTokens: 40,
      cachedInputTokens: 0,
      outputTokens: 1,
      reasoningTokens: 0,
    });
    expect(calls[2]!.answer.latencyMs).toBeUndefined();
    const tool = calls.find((c) => c.tools)!;
    expect(tool.tools).toEqual([
      {
        name: "get_weather",
        description: "Weather for a city",
        parameters: expect.objectContaining({ required: ["city"] }),
      },
    ]);
    expect(tool.answer.toolCalls).toEqual([
      { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    ]);
    expect(tool.params).toEqual({});
  });

  it("OpenAI Batch: input and output files matched by custom_id in any order; a missing result is counted", async () => {
    const { calls, stats } = await read(["openai-batch-output.jsonl", "openai-batch-input.jsonl"]);
    expect(stats.format).toBe("openai-batch");
    expect(calls.map((c) => JSON.parse(c.answer.output).name)).toEqual(["Ada Lovelace", "Alan Turing"]);
    expect(calls[0]!.responseFormat).toMatchObject({ type: "json_schema" });
    expect(Object.fromEntries(stats.skipped)).toEqual({ "no response": 1 });
  });

  it("OpenAI Batch with only one of its two files is a clear error", async () => {
    await expect(read(["openai-batch-input.jsonl"])).rejects.toThrow(/requests file and its results file/);
  });

  it("Responses API: instructions, reasoning tokens, function calls, duration; audio skipped", async () => {
    const { calls, stats } = await read(["openai-responses.jsonl"]);
    expect(stats.format).toBe("openai-responses");
    expect(calls).toHaveLength(2);
    expect(calls[0]!.messages).toEqual([
      { role: "system", content: "Answer briefly." },
      { role: "user", content: "Name the capital of France." },
    ]);
    expect(calls[0]!.params).toEqual({ reasoning: { effort: "low" } });
    expect(calls[0]!.answer).toMatchObject({ output: "Paris is the capital of France.", latencyMs: 1234 });
    expect(calls[0]!.answer.usage.reasoningTokens).toBe(64);
    expect(calls[1]!.answer.toolCalls).toEqual([
      { id: "fc_1", name: "book_table", arguments: '{"people":2,"time":"19:00"}' },
    ]);
    expect(Object.fromEntries(stats.skipped)).toEqual({ "image or audio input": 1 });
  });

  it("Anthropic Message Batches: system, tool_use, cache reads counted into input; image and errored skipped", async () => {
    const { calls, stats } = await read(["anthropic-batch-requests.jsonl", "anthropic-batch-results.jsonl"]);
    expect(stats.format).toBe("anthropic-batch");
    expect(calls).toHaveLength(2);
    expect(calls[0]!.provider).toBe("anthropic");
    expect(calls[0]!.messages[0]).toEqual({
      role: "system",
      content: "You are a support agent. Reply in one short paragraph.",
    });
    expect(calls[0]!.answer.usage).toMatchObject({
      inputTokens: 130,
      cachedInputTokens: 100,
      outputTokens: 25,
    });
    expect(calls[0]!.params).toEqual({ max_tokens: 200 });
    expect(calls[1]!.answer.toolCalls).toEqual([
      { id: "toolu_1", name: "lookup_order", arguments: '{"order_id":"5678"}' },
    ]);
    expect(calls[1]!.answer.finishReason).toBe("tool_use");
    expect(Object.fromEntries(stats.skipped)).toEqual({ "image or audio input": 1, "failed response": 1 });
  });

  it("OTLP GenAI spans: messages, usage, duration from the span times; a span without captured messages skipped; other spans passed over", async () => {
    const { calls, stats } = await read(["otel-spans.jsonl"]);
    expect(stats.format).toBe("otel");
    expect(calls).toHaveLength(2);
    expect(calls[0]!.messages).toEqual([
      { role: "system", content: "Answer yes or no." },
      { role: "user", content: "Is the sky blue?" },
    ]);
    expect(calls[0]!.answer).toMatchObject({
      output: "yes",
      model: "gpt-4o-2024-08-06",
      latencyMs: 250,
      finishReason: "stop",
    });
    expect(calls[0]!.answer.usage).toEqual({ inputTokens: 25, outputTokens: 3 });
    expect(calls[0]!.params).toEqual({ temperature: 0, max_tokens: 50 });
    expect(Object.fromEntries(stats.skipped)).toEqual({ "no response": 1 });
  });

  it("an unknown format says what it saw and what it expects; a forced format that does not fit too", async () => {
    await expect(read(["README.md"])).rejects.toThrow(LogFormatError);
    await expect(read(["README.md"])).rejects.toThrow(/no JSON line.*expected one of: OpenAI Batch/);
    await expect(read(["otel-spans.jsonl"], "openai-chat")).rejects.toThrow(
      /looks like otel.*expected the openai-chat format/,
    );
  });
});
