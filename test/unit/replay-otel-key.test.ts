/**
 * The raw-line sampling keys of OTLP JSON lines (otel-line-key.ts) and the chunk sampler that uses
 * them: a span is keyed only where the full parse gives a call with the same model, tool use,
 * characters and priority, skipped only with the full parse's reason, and a line is read only
 * where the full parse reads it; on hand-written variants, on thousands of mutations of them, and
 * by sampling synthetic logs of both exporter shapes with and without keys.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { otelLine as syntheticOtelLine } from "../../scripts/bench/lib/otel-log.ts";
import type { LoggedCall } from "../../src/replay/logged-call.ts";
import { OtelLineScanner } from "../../src/replay/otel-line-key.ts";
import { otelSpan } from "../../src/replay/otel-spans.ts";
import { parseLogLine } from "../../src/replay/read-log.ts";
import { requestPriority, type SamplingKey } from "../../src/replay/sample.ts";
import { ChunkSampler } from "../../src/replay/sample-chunk.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

const fixture = (name: string) => join(import.meta.dirname, "..", "..", "fixtures", "replay", name);
const SEED = 11;

type Attributes = Record<string, unknown>;
/** An OTLP AnyValue as exporters write it. */
const anyValue = (v: unknown): unknown =>
  typeof v === "string"
    ? { stringValue: v }
    : Number.isInteger(v)
      ? { intValue: String(v) }
      : typeof v === "number"
        ? { doubleValue: v }
        : Array.isArray(v)
          ? { arrayValue: { values: v.map(anyValue) } }
          : v;
const texts = (...parts: string[]) => parts.map((content) => ({ type: "text", content }));
const chat = (extra: Attributes = {}): Attributes => ({
  "gen_ai.operation.name": "chat",
  "gen_ai.request.model": "gpt-4.1",
  "gen_ai.response.model": "gpt-4.1-2025",
  "gen_ai.usage.input_tokens": 20,
  "gen_ai.request.temperature": 0.5,
  "gen_ai.system_instructions": JSON.stringify(texts("Label it.")),
  "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: texts('The product was fine, "ok".\n') }]),
  "gen_ai.output.messages": JSON.stringify([
    { role: "assistant", parts: texts("neutral"), finish_reason: "stop" },
  ]),
  ...extra,
});
const without = (attributes: Attributes, key: string): Attributes =>
  Object.fromEntries(Object.entries(attributes).filter(([k]) => k !== key));
const span = (attributes: Attributes, extra: Attributes = {}) => ({
  traceId: "5b8efff798038103d269b633813fc60c",
  spanId: "eee19b7ec3c1b174",
  name: "chat",
  kind: 3,
  startTimeUnixNano: "1700000000000000000",
  endTimeUnixNano: "1700000000250000000",
  attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
  status: {},
  ...extra,
});
const line = (...spans: unknown[]) =>
  JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: {}, spans }] }] });
const TOOLS = JSON.stringify([{ type: "function", name: "lookup", parameters: { type: "object" } }]);

/** Lines whose spans are keyed (the first KEYED), then lines the full parse decides in part or whole. */
const KEYED = 9;
const VARIANTS: string[] = [
  line(span(chat())),
  line(span(chat({ "gen_ai.tool.definitions": TOOLS })), span(chat({ "gen_ai.request.model": "m2" }))),
  line(span(chat({ "gen_ai.tool.definitions": "[]", "gen_ai.system_instructions": "[]" }))),
  line(
    span(
      chat({
        "gen_ai.input.messages": JSON.stringify([
          { role: "developer", parts: texts("Be brief.") },
          { role: "user", parts: texts("Weather?", " In Paris") },
          { role: "assistant", parts: [{ type: "tool_call", id: "c1", name: "w", arguments: { q: 1 } }] },
          { role: "tool", parts: [{ type: "tool_call_response", id: "c1", response: { t: 20 } }] },
          { role: "assistant", parts: [{ type: "reasoning", content: "hm" }, ...texts('x"}}y')] },
        ]),
      }),
    ),
  ),
  line(
    span(
      chat({
        "gen_ai.input.messages": JSON.stringify([{ role: "user", parts: texts("Ünïcödé 日本語 😀") }]),
      }),
    ),
  ),
  line(
    span(chat({ "gen_ai.operation.name": "embeddings" })),
    span({ "http.method": "GET" }),
    5,
    span(chat()),
  ),
  syntheticOtelLine("genai", 0, 12),
  syntheticOtelLine("traced", 3, 8),
  line(span(without(chat(), "gen_ai.request.model"))),
  // Skips: the reason is the full parse's.
  line(span(without(chat(), "gen_ai.output.messages")), span({})),
  line(span(chat({ "gen_ai.output.messages": "not json" }))),
  line(span(chat({ "gen_ai.output.messages": "[5]" }))),
  line(span(chat({ "gen_ai.output.messages": JSON.stringify([{ parts: [{ type: "image" }] }]) }))),
  line(span(chat({ "gen_ai.tool.definitions": JSON.stringify([{ type: "web_search" }]) }))),
  line(span(chat({ "gen_ai.tool.definitions": "{", "gen_ai.output.messages": "[]" }))),
  line(span(chat({ "gen_ai.system_instructions": JSON.stringify([{ type: "blob" }]) }))),
  line(span(chat({ "gen_ai.input.messages": "[]" }))),
  line(span(chat({ "gen_ai.input.messages": JSON.stringify([{ role: "robot", parts: [] }]) }))),
  line(span(without(chat(), "gen_ai.input.messages"))),
  // Spans converted in full from their own bytes.
  line(span(chat({ "gen_ai.request.model": 4 }))),
  line(span(chat({ "gen_ai.operation.name": ["chat"] }))),
  line(span(chat()), span(chat())).replace('"gen_ai.request.model"', '"gen_ai.request.mod\\u0065l"'),
  line(span(chat())).replace(
    '{"key":"gen_ai.request.model","value":{',
    '{"key":"x","key":"gen_ai.request.model","value":{',
  ),
  line(span(chat())).replace(
    '{"key":"gen_ai.request.model","value":{"stringValue":"gpt-4.1"}}',
    '{"value":{"stringValue":"m3"},"key":"gen_ai.request.model"}',
  ),
  line(span(chat())).replace('"stringValue":"gpt-4.1"', '"stringValue":"gpt-4.1","stringValue":"m4"'),
  line(span(chat())).replace(
    '"attributes":[',
    '"attributes":[{"key":"gen_ai.request.model","value":{"stringValue":"first"}},',
  ),
  line(span(chat(), { attributes: {} })),
  line(span(chat())).replace('"status":{}', '"attributes":[]'),
  JSON.stringify(JSON.parse(line(span(chat()), span(chat({ "gen_ai.tool.definitions": TOOLS })))), null, 1),
  line(span(chat())).replace('"stringValue":"chat"', '"stringValue":"chat" '),
  JSON.stringify({ resourceSpans: {} }),
  JSON.stringify({ resourceSpans: [5, { scopeSpans: {} }, { scopeSpans: [{ spans: 3 }, 7] }] }),
  // Lines parsed in full.
  line(span(chat())).replace('{"resourceSpans":', '{"resourceSpans":[],"resourceSpans":'),
  line(span(chat())).replace("Label it.", "Label\\u00zz it."),
  line(span(chat())).replace('"stringValue":"gpt-4.1"', '"stringValue":"gpt\u0001-4.1"'),
  line(span(chat())).slice(0, -1),
  `${line(span(chat()))} x`,
  `\ufeff${line(span(chat()))}`,
  "[]",
];

interface Outcome {
  keys: SamplingKey[];
  skipped: string[];
}

const keyOfCall = (call: LoggedCall): SamplingKey => ({
  model: call.model,
  tools: call.tools !== undefined,
  chars: call.messages.reduce((sum, m) => sum + m.content.length, 0),
  priority: requestPriority(call, SEED),
});

/** What the full parse makes of the line (undefined: a malformed line). */
function fullOutcome(text: string): Outcome | undefined {
  const parsed = parseLogLine("otel", text, true);
  if ("skip" in parsed) return undefined;
  if (!("calls" in parsed)) throw new Error("an otel line gives calls");
  return { keys: parsed.calls.map(keyOfCall), skipped: parsed.skipped ?? [] };
}

/** What the scanner makes of it (undefined: left to the full parse), and how many spans it keyed. */
function scannedOutcome(text: string): (Outcome & { keyed: number }) | undefined {
  const bytes = Buffer.from(text);
  const entries = new OtelLineScanner(SEED).spans(bytes, 0, bytes.length);
  if (!entries) return undefined;
  const outcome = { keys: [] as SamplingKey[], skipped: [] as string[], keyed: 0 };
  for (const entry of entries) {
    if (entry.key) {
      outcome.keys.push(entry.key);
      outcome.keyed++;
    } else if (entry.skip) outcome.skipped.push(entry.skip);
    else {
      const call = otelSpan(JSON.parse(bytes.toString("utf8", entry.start, entry.end)));
      if (typeof call === "string") outcome.skipped.push(call);
      else if (call) outcome.keys.push(keyOfCall(call));
    }
  }
  return outcome;
}

/** Checks one line; returns whether the scanner read it and how many spans it keyed. */
function check(text: string): { read: boolean; keyed: number } {
  const scanned = scannedOutcome(text);
  if (!scanned) return { read: false, keyed: 0 };
  const { keyed, ...outcome } = scanned;
  expect(outcome, text).toEqual(fullOutcome(text));
  return { read: true, keyed };
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
  "\u0001",
  "é",
  "a",
  "0",
  "-",
  "n",
  '\\"',
  "}}",
];

describe("init --from raw-line keys of OTLP spans", () => {
  it("keys spans and skips them as the full parse does; lines and spans it cannot vouch for are left to it", () => {
    const results = VARIANTS.map(check);
    expect(results.slice(0, KEYED).map((r) => r.read && r.keyed > 0)).toEqual(Array(KEYED).fill(true));
    // A skip of every reason is the scanner's own (not converted in full).
    const skips = VARIANTS.slice(KEYED, KEYED + 10).map((text) => scannedOutcome(text)?.skipped.length ?? 0);
    expect(skips.every((n) => n > 0)).toBe(true);
    // Malformed, truncated, repeated structure: the full parse reads the line.
    expect(results.slice(-7).some((r) => r.read)).toBe(false);
    // Every synthetic span is keyed.
    expect(scannedOutcome(syntheticOtelLine("traced", 0, 20))!.keyed).toBe(20);
  });

  it("is never given where the full parse disagrees, on mutated lines", () => {
    const uniform = mulberry32(5);
    const next = () => Math.floor(uniform() * 2 ** 32);
    let read = 0;
    let left = 0;
    for (const text of VARIANTS) {
      for (let n = 0; n < 250; n++) {
        const chars = [...text];
        const at = next() % chars.length;
        const op = next() % 3;
        const insert = INSERTS[next() % INSERTS.length]!;
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, insert);
        else chars[at] = insert;
        if (check(chars.join("")).read) read++;
        else left++;
      }
    }
    expect(read).toBeGreaterThan(1000);
    expect(left).toBeGreaterThan(1000);
  });

  it("reads messages, instructions and tools given as structured values (kvlists), as their JSON text", () => {
    /** An AnyValue of structured JSON: maps as kvlists, lists as arrays. */
    const structured = (v: unknown): unknown =>
      Array.isArray(v)
        ? { arrayValue: { values: v.map(structured) } }
        : v !== null && typeof v === "object"
          ? {
              kvlistValue: {
                values: Object.entries(v).map(([key, inner]) => ({ key, value: structured(inner) })),
              },
            }
          : anyValue(v);
    const asText = chat({ "gen_ai.tool.definitions": TOOLS });
    const asValues = span(asText);
    for (const attribute of asValues.attributes) {
      if (typeof asText[attribute.key] === "string" && String(asText[attribute.key]).startsWith("[")) {
        attribute.value = structured(JSON.parse(String(asText[attribute.key])));
      }
    }
    expect(asValues.attributes.filter((a) => "arrayValue" in (a.value as object))).toHaveLength(4);
    const fromText = otelSpan(span(asText));
    expect(typeof fromText).toBe("object");
    expect(otelSpan(asValues)).toEqual(fromText);
    // The raw-line reader leaves structured values to the full conversion, which agrees.
    const text = line(asValues);
    expect(scannedOutcome(text)?.keyed).toBe(0);
    expect(check(text).read).toBe(true);
  });

  it("samples chunks of OTLP logs as the full parse does: the same sample, weights, strata and skip counts", () => {
    const logs = [
      readFileSync(fixture("otel-spans.jsonl")),
      Buffer.from(
        `${Array.from({ length: 40 }, (_, i) => syntheticOtelLine("genai", i * 50, 50)).join("\n")}\n`,
      ),
      Buffer.from(
        `${[...VARIANTS, ...Array.from({ length: 30 }, (_, i) => syntheticOtelLine("traced", i * 40, 40))].join("\n")}`,
      ),
    ];
    for (const log of logs) {
      const view = (keyed: boolean) => {
        const chunks = new ChunkSampler("otel", 40, SEED, keyed);
        let seq = 0;
        for (let start = 0; start < log.length; ) {
          let end = Math.min(log.length, start + 60_000);
          if (end < log.length) end = log.lastIndexOf(0x0a, end - 1) + 1 || end;
          if (end <= start) end = log.indexOf(0x0a, start) + 1 || log.length;
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
      expect(full.stats.calls).toBeGreaterThan(0);
    }
  });
});
