/**
 * The raw-line sampling key of a Responses API `{request, response}` line (responses-line-key.ts):
 * given only where the full parse gives one call with the same model, tool use, characters and
 * priority, on hand-written variants and thousands of mutations; and chunk sampling with keys
 * gives the full parse's sample, weights, strata and skip counts.
 */
import { describe, expect, it } from "vitest";
import { parseLogLine } from "../../src/replay/read-log.ts";
import { ResponsesLineScanner } from "../../src/replay/responses-line-key.ts";
import { requestPriority, type SamplingKey } from "../../src/replay/sample.ts";
import { ChunkSampler } from "../../src/replay/sample-chunk.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

const SEED = 7;
const request = (extra: Record<string, unknown> = {}) => ({
  model: "o4-mini",
  instructions: "Answer briefly.",
  input: "Name the capital of France.",
  ...extra,
});
const response = (extra: Record<string, unknown> = {}) => ({
  id: "resp_1",
  model: "o4-mini-2025-04-16",
  status: "completed",
  output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Paris." }] }],
  usage: { input_tokens: 12, output_tokens: 2 },
  ...extra,
});
const pair = (req: unknown = request(), res: unknown = response(), extra: Record<string, unknown> = {}) =>
  JSON.stringify({ request: req, response: res, latency_ms: 90, ...extra });
const TOOLS = [{ type: "function", name: "lookup", parameters: { type: "object", properties: { q: {} } } }];
const ITEMS = [
  { role: "developer", content: "Be brief." },
  {
    type: "message",
    role: "user",
    content: [{ type: "input_text", text: "Hi, " }, "there", { type: "text" }],
  },
  { role: "assistant", content: null },
  { role: "user", content: 'Ünïcödé "quoted"\n and long enough to be searched natively 😀' },
];

/** The first nine are read from their bytes; the rest are the full parse's to count. */
const VARIANTS: string[] = [
  pair(),
  pair(request({ tools: TOOLS })),
  pair(request({ input: ITEMS, instructions: "" })),
  pair(request({ instructions: 5, input: "" })),
  JSON.stringify({ response: response(), request: { input: ITEMS, tools: TOOLS, model: "gpt-4.1" } }),
  JSON.stringify(JSON.parse(pair(request({ tools: TOOLS }))), null, " ").replaceAll("\n", " "),
  pair(request(), response({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } })),
  pair(request(), response({ error: null })),
  pair(request({ reasoning: { effort: "low" }, temperature: 0.2 })),
  // Skips and other shapes.
  pair(request(), response({ status: "failed" })),
  pair(request(), response({ error: { message: "x" } })),
  pair(request(), { body: response() }),
  pair(request(), response(), { error: { message: "x" } }),
  pair(request(), response({ output: null })),
  pair(request(), null),
  pair(request({ input: [] })),
  pair(request({ input: [{ role: "tool", content: "x" }] })),
  pair(request({ input: [{ type: "function_call", name: "f", arguments: "{}" }] })),
  pair(
    request({
      input: [
        { type: "reasoning", summary: [] },
        { role: "user", content: "x" },
      ],
    }),
  ),
  pair(request({ input: [{ role: "user", content: [{ type: "input_image", image_url: "x" }] }] })),
  pair(request({ input: [{ role: "user", content: 5 }] })),
  pair(request({ model: 5 })),
  pair(request({ tools: [{ type: "web_search" }] })),
  pair().replace('"model"', '"\\u006dodel"'),
  pair().replace('{"model":"o4-mini"', '{"model":"o4-mini","model":"o4"'),
  JSON.stringify({ ...request(), ...response() }),
  pair().slice(0, -1),
];

function keyOf(line: string): SamplingKey | undefined {
  const bytes = Buffer.from(line);
  return new ResponsesLineScanner(SEED).key(bytes, 0, bytes.length);
}

function parsedKey(line: string): SamplingKey | undefined {
  const parsed = parseLogLine("openai-responses", line, true);
  if (!("call" in parsed)) return undefined;
  const call = parsed.call;
  return {
    model: call.model,
    tools: call.tools !== undefined,
    chars: call.messages.reduce((sum, m) => sum + m.content.length, 0),
    priority: requestPriority(call, SEED),
  };
}

const INSERTS = ['"', "\\", "{", "}", "[", "]", ",", ":", " ", "\u0001", "é", "a", "0", "n", "u"];

describe("init --from raw-line sampling key of Responses API lines", () => {
  it("is the full parse's key wherever it is given; skips and other shapes are left to the full parse", () => {
    const keyed = VARIANTS.map((line) => {
      const key = keyOf(line);
      if (key) expect(key, line).toEqual(parsedKey(line));
      return key !== undefined;
    });
    expect(keyed.slice(0, 9)).toEqual(Array(9).fill(true));
    expect(keyed.slice(9).some(Boolean)).toBe(false);
  });

  it("is never given where the full parse disagrees, on mutated lines", () => {
    const uniform = mulberry32(3);
    const next = () => Math.floor(uniform() * 2 ** 32);
    let keyed = 0;
    let left = 0;
    for (const line of VARIANTS) {
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
    expect(keyed).toBeGreaterThan(1000);
    expect(left).toBeGreaterThan(1000);
  });

  it("samples chunks as the full parse does", () => {
    const lines = Array.from({ length: 2000 }, (_, i) =>
      pair(
        request({
          model: ["o4-mini", "gpt-4.1"][i % 2],
          input: i % 3 === 0 ? `Question ${i % 1500}` : [{ role: "user", content: `Question ${i % 1700}` }],
          ...(i % 5 === 0 && { tools: TOOLS }),
        }),
      ),
    );
    const log = Buffer.from(`${[...VARIANTS, ...lines].join("\n")}\n`);
    const view = (keyed: boolean) => {
      const chunks = new ChunkSampler("openai-responses", 30, SEED, keyed);
      let seq = 0;
      for (let start = 0; start < log.length; ) {
        let end = Math.min(log.length, start + 7000);
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
    expect(view(true)).toEqual(full);
    expect(full.stats.calls).toBeGreaterThan(2000);
  });
});
