/**
 * The scan of content-only Chat Completions chunks: whenever it answers, its answer is what the
 * full parse gives; it declines (full parse) for every chunk whose other fields matter; and the
 * stream decoder gives the same events with it as the full parse of each chunk would.
 */
import { describe, expect, it } from "vitest";
import { scanContentDelta } from "../../runners/chat-chunk-scan.ts";
import { ChatStreamDecoder } from "../../runners/openai-chat.ts";
import type { RunnerEvent } from "../../src/core/runner.ts";

/** What the decoder takes from a chunk's first choice when it parses it whole. */
function parsedContent(data: string): string | null {
  const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string | null } }[] };
  return chunk.choices?.[0]?.delta?.content || null;
}

const llamaChunk = (content: unknown) =>
  `{"choices":[{"finish_reason":null,"index":0,"delta":{"content":${JSON.stringify(content)}}}],"created":1,"id":"chatcmpl-1","model":"m","system_fingerprint":"b1","object":"chat.completion.chunk"}`;
const openaiChunk = (content: unknown) =>
  `{"id":"chatcmpl-2","object":"chat.completion.chunk","created":1,"model":"gpt","service_tier":"default","system_fingerprint":"fp","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"x"}`;

describe("scanContentDelta", () => {
  const texts = [
    "tok ",
    "",
    'a "quoted" word',
    "back\\slash",
    "ends with backslash \\",
    'ends with quote "',
    '\\"',
    '"content":"x"',
    '\\"content\\":',
    '"tool_calls"',
    "line\nbreak\ttab",
    "é ü 日本 🙂",
    "\u0000\u001f",
  ];

  it("answers exactly what the full parse gives for content-only chunks", () => {
    for (const text of texts) {
      for (const data of [llamaChunk(text), openaiChunk(text)]) {
        const scanned = scanContentDelta(data);
        expect(scanned, data).not.toBeUndefined();
        expect(scanned, data).toBe(parsedContent(data));
      }
    }
    // Null content is rare: left to the full parse.
    expect(scanContentDelta(llamaChunk(null))).toBeUndefined();
  });

  it("agrees with the full parse on random content", () => {
    const alphabet = ['"', "\\", "a", " ", ":", ",", "{", "}", "n", "u", "l", "\n", "é", "🙂"];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2_000; i++) {
      let text = "";
      const length = Math.floor(random() * 12);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      const data = llamaChunk(text);
      expect(scanContentDelta(data), data).toBe(parsedContent(data));
    }
  });

  it("declines every chunk whose other fields matter", () => {
    const declined = [
      '{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{}"}}]},"finish_reason":null}],"id":"c","model":"m"}',
      '{"choices":[{"index":0,"delta":{"content":null,"reasoning_content":"hm"},"finish_reason":null}],"id":"c","model":"m"}',
      '{"choices":[{"index":0,"delta":{"reasoning":"hm","content":"x"}}],"id":"c","model":"m"}',
      '{"choices":[{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}],"id":"c","model":"m"}',
      '{"choices":[{"index":0,"delta":{"content":"x"}}],"usage":{"prompt_tokens":1,"completion_tokens":1}}',
      '{"choices":[{"index":0,"delta":{"content":"x"}}],"timings":{"predicted_n":1}}',
      '{"error":{"code":500,"message":"boom"}}',
      '{"choices":[{"index":0,"delta":{"content":"a"}},{"index":1,"delta":{"content":"b"}}]}',
      '{"choices":[{"index":0,"delta": {"content": "spaced"}}]}',
      '{"choices":[{"index":0,"message":{"content":"whole"}}]}',
      '{"choices":[]}',
      '{"choices":[{"index":0,"delta":{"content":"unterminated}]}',
      '{"choices":[{"index":0,"delta":{"content":"x","refusal":"no"}}]}',
      '{"choices":[{"index":0,"delta":{"role":"assistant","content":"x"}}]}',
    ];
    for (const data of declined) expect(scanContentDelta(data), data).toBeUndefined();
  });
});

describe("ChatStreamDecoder with the scan", () => {
  /** Decodes `payloads` (SSE data), the i-th read at time i. */
  function decode(payloads: string[]): RunnerEvent[] {
    const decoder = new ChatStreamDecoder();
    const events: RunnerEvent[] = [];
    const emit = (event: RunnerEvent) => {
      events.push(event);
    };
    payloads.forEach((data, t) => {
      decoder.message({ data, event: undefined, id: undefined }, t, emit);
    });
    decoder.finish(emit);
    return events;
  }

  it("keeps content, tool calls, reasoning, the finish reason and usage of a mixed stream", () => {
    const events = decode([
      '{"id":"c9","model":"m9","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}',
      llamaChunk("Hel"),
      llamaChunk('lo "x"'),
      '{"id":"c9","model":"m9","choices":[{"index":0,"delta":{"reasoning_content":"think"}}]}',
      '{"id":"c9","model":"m9","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"t1","function":{"name":"f","arguments":"{\\"a\\":1}"}}]}}]}',
      openaiChunk("!"),
      '{"id":"c9","model":"m9","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}',
      '{"id":"c9","model":"m9","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}',
      "[DONE]",
    ]);
    expect(events.filter((e) => e.type === "delta")).toEqual([
      { type: "delta", channel: "content", text: "Hel", t: 1 },
      { type: "delta", channel: "content", text: 'lo "x"', t: 2 },
      { type: "delta", channel: "reasoning", text: "think", t: 3 },
      { type: "delta", channel: "content", text: "!", t: 5 },
    ]);
    expect(events.find((e) => e.type === "tool_call")).toMatchObject({
      call: { id: "t1", name: "f", arguments: '{"a":1}' },
    });
    expect(events.find((e) => e.type === "usage")).toEqual({
      type: "usage",
      usage: { inputTokens: 3, outputTokens: 4 },
    });
    expect(events.find((e) => e.type === "response")).toEqual({
      type: "response",
      id: "c9",
      model: "m9",
      finishReason: "tool_calls",
    });
  });

  it("still throws an in-band error after content chunks", () => {
    expect(() =>
      decode([llamaChunk("a"), llamaChunk("b"), '{"error":{"code":503,"message":"overloaded"}}']),
    ).toThrow(/overloaded/);
  });
});
