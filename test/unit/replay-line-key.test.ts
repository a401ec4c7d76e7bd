/**
 * The raw-line sampling key of a chat-completions log line (chat-line-key.ts) and the chunk
 * sampler that uses it (sample-chunk.ts): a key is given only where the full parse gives one call
 * with the same model, tool use, characters and priority, on hand-written variants and on
 * thousands of mutations of them; and sampling with keys gives the full parse's sample, weights,
 * strata and skip counts on the fixture of every single-file format.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { syntheticLine } from "../../scripts/bench/lib/replay-log.ts";
import { ChatLineScanner } from "../../src/replay/chat-line-key.ts";
import type { LogFormat } from "../../src/replay/detect.ts";
import { parseLogLine } from "../../src/replay/read-log.ts";
import { requestPriority, type SamplingKey } from "../../src/replay/sample.ts";
import { ChunkSampler } from "../../src/replay/sample-chunk.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

const fixture = (name: string) => join(import.meta.dirname, "..", "..", "fixtures", "replay", name);
const SEED = 11;

const request = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  messages: [
    { role: "system", content: "Label it." },
    { role: "user", content: "The product was fine, the delivery was slow and the box was damaged." },
  ],
  temperature: 0,
  ...extra,
});
const response = (extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl-1",
  model: "gpt-4.1-snap",
  choices: [{ index: 0, message: { role: "assistant", content: "neutral" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 20, completion_tokens: 1 },
  ...extra,
});
const pair = (req: unknown = request(), res: unknown = response(), extra: Record<string, unknown> = {}) =>
  JSON.stringify({ request: req, response: res, latency_ms: 200, ...extra });

const TOOLS = [
  {
    type: "function",
    function: { name: "lookup", description: "Finds", parameters: { type: "object", properties: { q: {} } } },
  },
];
const TOOL_TURNS = [
  { role: "user", content: "Weather in Paris?" },
  {
    role: "assistant",
    content: null,
    tool_calls: [
      { id: "c1", type: "function", function: { name: "lookup", arguments: '{"q":"Paris"}' } },
      { type: "function", function: { name: "lookup", arguments: { q: "Lyon", n: 1.5e3 } } },
    ],
  },
  { role: "tool", tool_call_id: "c1", content: "sunny" },
];

/** Lines the key is read from, and lines it must leave to the full parse. */
const VARIANTS: string[] = [
  pair(),
  pair(request({ tools: TOOLS })),
  pair(request({ tools: [] })),
  pair(request({ messages: TOOL_TURNS, tools: TOOLS })),
  pair(
    request({
      messages: [
        { role: "developer", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
    }),
  ),
  pair(
    request({
      messages: [{ role: "user", content: 'Line one\nline "two"\t\\ \u0001 end, long enough to search' }],
    }),
  ),
  pair(
    request({
      messages: [{ role: "user", content: "Ünïcödé text, long enough to be searched natively: 日本語 😀" }],
    }),
  ),
  pair(
    request({
      messages: [
        { role: "user", content: [{ type: "text", text: "part one, " }, "two", { text: "x", type: "text" }] },
      ],
    }),
  ),
  pair(request({ messages: [{ role: "user", content: [{ type: "text", text: 3 }] }] })),
  pair(request({ messages: [{ role: "user" }] })),
  pair(
    request({
      messages: [
        { role: "assistant", content: "x", tool_calls: "none" },
        { role: "user", content: "y" },
      ],
    }),
  ),
  // The model after the messages, keys in another order, spacing.
  JSON.stringify({ response: response(), request: { messages: request().messages, model: "gpt-4.1-mini" } }),
  JSON.stringify(JSON.parse(pair()), null, "\t").replaceAll("\n", " \r "),
  JSON.stringify(JSON.parse(pair(request({ tools: TOOLS }))), null, " ").replaceAll("\n", ""),
  ` ${pair()}  `,
  pair(request(), response({ error: { message: "partly" } })),
  pair(request({ seed: -0.5e-3, top_p: 1e2, stop: [true, false, null] })),
  // Skips and other shapes: the full parse decides.
  pair(request({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] })),
  pair(request({ tools: [{ type: "web_search" }] })),
  pair(request({ messages: [] })),
  pair(request({ messages: [{ role: "robot", content: "x" }] })),
  pair(request({ messages: [{ role: "user", content: 5 }] })),
  pair(request(), null),
  pair(request(), { error: { message: "rate limited" } }),
  pair(request(), { body: response() }),
  pair(request(), response(), { error: { message: "failed" } }),
  pair(request(), response({ choices: [] })),
  pair(request(), response({ choices: ["x"] })),
  pair().replace('"model"', '"\\u006dodel"'),
  pair().replace('{"model":"gpt-4.1"', '{"model":"gpt-4.1","model":"gpt-4.1-mini"'),
  pair().replace("Label it.", "Label\u0001 it."),
  pair().replace("Label it.", "Label\t it."),
  `\ufeff${pair()}`,
  `${pair()} x`,
  pair().slice(0, -1),
  pair(request({ metadata: JSON.parse(`${"[".repeat(100)}${"]".repeat(100)}`) })),
  syntheticLine(5),
  syntheticLine(7),
];

/** Flat `{model, messages, …, choices, usage}` lines: the first four are read from their bytes. */
const FLAT_VARIANTS: string[] = [
  JSON.stringify({ ...request(), ...response() }),
  JSON.stringify({ ...response(), ...request({ tools: TOOLS }), latency_ms: 12 }),
  JSON.stringify({ ...request({ messages: TOOL_TURNS, tools: TOOLS }), ...response(), duration_ms: 5 }),
  JSON.stringify({ choices: response().choices, messages: request().messages, usage: {}, model: "m" }),
  JSON.stringify({ ...request(), ...response(), error: { message: "failed" } }),
  JSON.stringify({ ...request(), ...response(), response: response() }),
  JSON.stringify({ ...request(), ...response(), request: request() }),
  JSON.stringify({ ...request(), usage: {} }),
  JSON.stringify({ ...request(), ...response({ choices: [] }) }),
  JSON.stringify({ ...request({ messages: [] }), ...response() }),
  JSON.stringify({ ...response(), ...request({ model: 5 }) }),
  JSON.stringify({ ...request(), ...response(), choices: response().choices }).replace(
    '"model"',
    '"model":"x","model"',
  ),
];

function keyOf(line: string): SamplingKey | undefined {
  const bytes = Buffer.from(line);
  return new ChatLineScanner(SEED).key(bytes, 0, bytes.length);
}

/** The key the full parse gives the line, or undefined when it gives no single call. */
function parsedKey(line: string): SamplingKey | undefined {
  const parsed = parseLogLine("openai-chat", line, true);
  if (!("call" in parsed)) return undefined;
  const call = parsed.call;
  return {
    model: call.model,
    tools: call.tools !== undefined,
    chars: call.messages.reduce((sum, m) => sum + m.content.length, 0),
    priority: requestPriority(call, SEED),
  };
}

/** A seeded generator of 32-bit numbers. */
function random(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.floor(uniform() * 2 ** 32);
}

const INSERTS = [
  '"',
  "\\",
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  " ",
  "\t",
  "\u0001",
  "é",
  "a",
  "0",
  "-",
  "e",
  ".",
  "n",
  "u",
];

describe("init --from raw-line sampling key", () => {
  it("is the full parse's key wherever it is given; skipped, malformed and other shapes are left to the full parse", () => {
    const keyed = VARIANTS.map((line) => {
      const key = keyOf(line);
      if (key) expect(key, line).toEqual(parsedKey(line));
      return key !== undefined;
    });
    // The first 17 variants are read from their bytes; the rest are the full parse's to count.
    expect(keyed.slice(0, 17)).toEqual(Array(17).fill(true));
    expect(keyed.slice(17, -2).some(Boolean)).toBe(false);
    expect(keyed.slice(-2)).toEqual([true, true]);
  });

  it("reads flat lines as the full parse does, and leaves failures, pairs and repeats to it", () => {
    const keyed = FLAT_VARIANTS.map((line) => {
      const key = keyOf(line);
      if (key) expect(key, line).toEqual(parsedKey(line));
      return key !== undefined;
    });
    expect(keyed.slice(0, 4)).toEqual(Array(4).fill(true));
    expect(keyed.slice(4).some(Boolean)).toBe(false);
  });

  it("is never given where the full parse disagrees, on mutated lines", () => {
    const next = random(5);
    let keyed = 0;
    let left = 0;
    for (const line of [...VARIANTS, ...FLAT_VARIANTS]) {
      for (let n = 0; n < 300; n++) {
        const chars = [...line];
        const at = next() % chars.length;
        const op = next() % 3;
        const insert = INSERTS[next() % INSERTS.length]!;
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, insert);
        else chars[at] = insert;
        const mutated = chars.join("");
        const key = keyOf(mutated);
        if (key) {
          keyed++;
          expect(key, mutated).toEqual(parsedKey(mutated));
        } else left++;
      }
    }
    // Both paths are exercised.
    expect(keyed).toBeGreaterThan(1000);
    expect(left).toBeGreaterThan(1000);
  });

  it("samples chunks as the full parse does: the same sample, weights, strata and skip counts, on every single-file format", () => {
    const synthetic = Array.from({ length: 3000 }, (_, i) => syntheticLine(i)).join("\n");
    const flatSynthetic = Array.from({ length: 3000 }, (_, i) => {
      const line = JSON.parse(syntheticLine(i));
      return JSON.stringify({ ...line.request, ...line.response });
    }).join("\n");
    const logs: [LogFormat, Buffer][] = [
      ["openai-chat", readFileSync(fixture("openai-chat.jsonl"))],
      [
        "openai-chat",
        Buffer.from(
          `${[...VARIANTS, ...FLAT_VARIANTS, ...VARIANTS.slice(0, 5), ...FLAT_VARIANTS.slice(0, 3)].join("\n")}\n${synthetic}\n`,
        ),
      ],
      ["openai-chat", Buffer.from(`${flatSynthetic}\n`)],
      ["openai-responses", readFileSync(fixture("openai-responses.jsonl"))],
      ["otel", readFileSync(fixture("otel-spans.jsonl"))],
    ];
    for (const [format, log] of logs) {
      const view = (keyed: boolean) => {
        const chunks = new ChunkSampler(format, 40, SEED, keyed);
        // Chunks of whole lines, as the reading thread cuts them, the last one without its newline.
        let seq = 0;
        for (let start = 0; start < log.length; ) {
          let end = Math.min(log.length, start + 5000);
          if (end < log.length) end = log.lastIndexOf(0x0a, end - 1) + 1 || end;
          chunks.sampleChunk(log.subarray(start, end), seq++, log[end - 1] === 0x0a);
          start = end;
        }
        return {
          stats: { ...chunks.stats, skipped: Object.fromEntries(chunks.stats.skipped) },
          strata: Object.fromEntries(chunks.sampler.counts().strata),
          sample: chunks.sampler.result(),
        };
      };
      const full = view(false);
      expect(view(true), format).toEqual(full);
      expect(full.stats.calls, format).toBeGreaterThan(0);
    }
  });
});
