/**
 * Batch logs read by their raw-line keys (batch-line-key.ts, batch-result-key.ts, batch-index.ts):
 * a request's key and a result's outcome are given only where the full join gives the same, on
 * hand-written variants and thousands of mutations; and sampling a batch log with keys gives the
 * full join's sample, weights, strata and skip counts (a request without result, a failed result,
 * a result without request, malformed and truncated lines), in one thread and in several, and
 * with request lines kept by their keys until the results index comes (batch-deferred.ts).
 */
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchLines } from "../../scripts/bench/lib/replay-batch-log.ts";
import { anthropicCall } from "../../src/replay/anthropic-messages.ts";
import { idBytes } from "../../src/replay/batch-id-table.ts";
import { Outcome, outcomeOf, ResultsIndex } from "../../src/replay/batch-index.ts";
import { batchKeyReader } from "../../src/replay/batch-line-key.ts";
import { BatchResultScanner } from "../../src/replay/batch-result-key.ts";
import { sampleLog } from "../../src/replay/build-replay.ts";
import type { LogFormat } from "../../src/replay/detect.ts";
import type { LoggedCall } from "../../src/replay/logged-call.ts";
import { chatCall } from "../../src/replay/openai-messages.ts";
import { requestPriority, type SamplingKey } from "../../src/replay/sample.ts";
import { ChunkSampler } from "../../src/replay/sample-chunk.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

const fixture = (name: string) => join(import.meta.dirname, "..", "..", "fixtures", "replay", name);
const SEED = 11;
type BatchFormat = "openai-batch" | "anthropic-batch";

const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: "gpt-4.1",
  messages: [
    { role: "system", content: "Label it." },
    { role: "user", content: "The product was fine, the delivery was slow and the box was damaged." },
  ],
  temperature: 0,
  ...extra,
});
const openaiRequest = (body: unknown = chatBody(), extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: "r-1", method: "POST", url: "/v1/chat/completions", body, ...extra });
const TOOLS = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];

const OPENAI_REQUESTS: string[] = [
  openaiRequest(),
  openaiRequest(chatBody({ tools: TOOLS })),
  openaiRequest(chatBody({ messages: [{ role: "user", content: [{ type: "text", text: "a" }, "b"] }] })),
  openaiRequest(
    chatBody({ messages: [{ role: "user", content: "Ünïcödé, long enough to be searched: 日本語" }] }),
  ),
  JSON.stringify({ body: chatBody(), custom_id: 'r-\u00e9\\"2' }),
  JSON.stringify({ custom_id: "r\ud800x", url: "/v1/chat/completions", body: chatBody() }),
  JSON.stringify(JSON.parse(openaiRequest()), null, "\t").replaceAll("\n", " \r "),
  openaiRequest().replace('"r-1"', '"r\\u002d1"'),
  // Left to the full join.
  openaiRequest(chatBody(), { url: "/v1/responses" }),
  openaiRequest(chatBody(), { url: 5 }),
  openaiRequest(chatBody({ messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] })),
  openaiRequest(chatBody({ tools: [{ type: "web_search" }] })),
  openaiRequest(chatBody({ messages: [] })),
  openaiRequest(chatBody(), { custom_id: 7 }),
  openaiRequest("body"),
  openaiRequest().replace('"custom_id"', '"custom_id":"r-0","custom_id"'),
  openaiRequest().replace('"body"', '"b\\u006fdy"'),
  openaiRequest().slice(0, -1),
  `${openaiRequest()} x`,
];

const params = (extra: Record<string, unknown> = {}) => ({
  model: "claude-sonnet-4-20250514",
  max_tokens: 100,
  system: "Reply briefly.",
  messages: [{ role: "user", content: "Where is my order? It has been two weeks, long enough." }],
  ...extra,
});
const anthropicRequest = (p: unknown = params(), extra: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: "a-1", params: p, ...extra });
const ANTHROPIC_TOOLS = [{ name: "lookup", description: "Finds", input_schema: { type: "object" } }];

const ANTHROPIC_REQUESTS: string[] = [
  anthropicRequest(),
  anthropicRequest(params({ system: undefined })),
  anthropicRequest(
    params({
      system: [
        { type: "text", text: "Be " },
        { text: "brief.", type: "text" },
      ],
    }),
  ),
  anthropicRequest(params({ system: "" })),
  anthropicRequest(params({ system: null })),
  anthropicRequest(params({ tools: ANTHROPIC_TOOLS })),
  anthropicRequest(params({ tools: [] })),
  anthropicRequest(
    params({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "one " },
            { type: "text", text: 3 },
          ],
        },
        { role: "assistant", content: [] },
        { role: "assistant", content: "" },
        { role: "user", content: "tab\there, ünïcode 😀" },
      ],
    }),
  ),
  JSON.stringify({
    params: { messages: params().messages, system: "Sys", model: "claude-x" },
    custom_id: "a-2",
  }),
  JSON.stringify(JSON.parse(anthropicRequest()), null, " "),
  // Left to the full join.
  anthropicRequest(params({ messages: [{ role: "user", content: [{ type: "image", source: {} }] }] })),
  anthropicRequest(
    params({
      messages: [{ role: "assistant", content: [{ type: "tool_use", id: "t", name: "n", input: {} }] }],
    }),
  ),
  anthropicRequest(params({ messages: [{ role: "user", content: ["bare string"] }] })),
  anthropicRequest(params({ messages: [{ role: "system", content: "x" }] })),
  anthropicRequest(params({ messages: [] })),
  anthropicRequest(params({ tools: [{ type: "web_search_20250305", name: "web_search" }] })),
  anthropicRequest(params({ model: undefined })),
  anthropicRequest(params({ system: 5 })),
  anthropicRequest(params()).replace('"params"', '"params":{},"params"'),
  anthropicRequest().slice(0, -2),
];

const GOOD_RESULT: Record<BatchFormat, unknown> = {
  "openai-batch": {
    status_code: 200,
    body: { id: "c", model: "m", choices: [{ message: { role: "assistant", content: "ok" } }], usage: {} },
  },
  "anthropic-batch": { type: "succeeded", message: { content: [{ type: "text", text: "ok" }], usage: {} } },
};

const OPENAI_RESULTS: string[] = [
  JSON.stringify({ id: "b1", custom_id: "r-1", response: GOOD_RESULT["openai-batch"], error: null }),
  JSON.stringify({ custom_id: "r-1", response: { status_code: 500, body: {} } }),
  JSON.stringify({ custom_id: "r-1", response: { status_code: 200, body: { choices: [] } } }),
  JSON.stringify({ custom_id: "r-1", response: { body: { choices: [{}] } }, error: { message: "x" } }),
  JSON.stringify({ custom_id: "r-1", response: null, error: { code: "expired" } }),
  JSON.stringify({ custom_id: "r-1" }),
  JSON.stringify({ custom_id: "r-1", response: { status_code: "200", body: { choices: [[]] } } }),
  JSON.stringify({ custom_id: "r-\u00e9", response: GOOD_RESULT["openai-batch"] }),
  // Left to the full parse.
  JSON.stringify({ response: GOOD_RESULT["openai-batch"], custom_id: "r-1" }),
  JSON.stringify({ meta: { custom_id: "r-0" }, custom_id: "r-1", response: GOOD_RESULT["openai-batch"] }),
  JSON.stringify({ custom_id: "r-1", response: { status_code: 2e2, body: {} } }).replace("200", "2e2"),
  JSON.stringify({ custom_id: "r-1", response: GOOD_RESULT["openai-batch"] }).replace(
    '"response"',
    '"response":{},"response"',
  ),
  `{"custom_id": "r-1", "response": {"status_code": 200, "body": {"choices": [{}]}}}`.slice(0, -3),
];

const ANTHROPIC_RESULTS: string[] = [
  JSON.stringify({ custom_id: "a-1", result: GOOD_RESULT["anthropic-batch"] }),
  JSON.stringify({ custom_id: "a-1", result: { type: "errored", error: { type: "x" } } }),
  JSON.stringify({ custom_id: "a-1", result: { type: "succeeded", message: { content: "text" } } }),
  JSON.stringify({ custom_id: "a-1", result: { type: "succeeded" } }),
  JSON.stringify({ custom_id: "a-1", result: "succeeded" }),
  JSON.stringify({ custom_id: "a-1", result: { type: "succ\\u0065eded", message: { content: [] } } }).replace(
    "\\\\u0065",
    "\\u0065",
  ),
  JSON.stringify({ custom_id: "a-1", result: { type: "expired" } }),
  // Left to the full parse.
  JSON.stringify({ result: GOOD_RESULT["anthropic-batch"], custom_id: "a-1" }),
  JSON.stringify({ custom_id: "a-1", result: { type: "succeeded", type2: 1 } }).replace("type2", "type"),
];

/** The key the full join gives a request line whose result is a call, with the id it looks up. */
function joinedKey(format: BatchFormat, line: string): { key: SamplingKey; id: Buffer } | undefined {
  let value: Record<string, unknown>;
  let call: LoggedCall;
  try {
    value = JSON.parse(line);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    if (format === "openai-batch") {
      if (String(value.url ?? "").endsWith("/responses")) return undefined;
      call = chatCall(value.body, (GOOD_RESULT[format] as { body: unknown }).body);
    } else call = anthropicCall(value.params, (GOOD_RESULT[format] as { message: unknown }).message);
  } catch {
    return undefined;
  }
  const key = {
    model: call.model,
    tools: call.tools !== undefined,
    chars: call.messages.reduce((sum, m) => sum + m.content.length, 0),
    priority: requestPriority(call, SEED),
  };
  return { key, id: idBytes(String(value.custom_id)) };
}

function readKey(format: BatchFormat, line: string): { key: SamplingKey; id: Buffer } | undefined {
  const reader = batchKeyReader(format, SEED)!;
  const bytes = Buffer.from(line);
  const key = reader.key(bytes, 0, bytes.length);
  return key && { key, id: Buffer.from(reader.idBuf.subarray(reader.idStart, reader.idEnd)) };
}

/** The outcome and id the full parse and the text index give a result line. */
function parsedOutcome(format: BatchFormat, line: string): { outcome: Outcome; id: Buffer } | undefined {
  const match = /"custom_id"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(line);
  if (!match) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  return { outcome: outcomeOf(format, value), id: idBytes(JSON.parse(`"${match[1]}"`)) };
}

function readOutcome(format: BatchFormat, line: string): { outcome: Outcome; id: Buffer } | undefined {
  const scanner = new BatchResultScanner(format);
  const bytes = Buffer.from(line);
  const outcome = scanner.read(bytes, 0, bytes.length);
  return outcome === undefined
    ? undefined
    : { outcome, id: Buffer.from(scanner.idBuf.subarray(scanner.idStart, scanner.idEnd)) };
}

const INSERTS = ['"', "\\", "{", "}", "[", "]", ",", ":", " ", "\u0001", "é", "a", "0", "-", "n", "u"];

function mutations(lines: readonly string[], perLine: number, seed: number): string[] {
  const uniform = mulberry32(seed);
  const next = () => Math.floor(uniform() * 2 ** 32);
  const out: string[] = [];
  for (const line of lines) {
    for (let n = 0; n < perLine; n++) {
      const chars = [...line];
      const at = next() % chars.length;
      const op = next() % 3;
      const insert = INSERTS[next() % INSERTS.length]!;
      if (op === 0) chars.splice(at, 1);
      else if (op === 1) chars.splice(at, 0, insert);
      else chars[at] = insert;
      out.push(chars.join(""));
    }
  }
  return out;
}

const CASES: [BatchFormat, string[], string[], number, number][] = [
  ["openai-batch", OPENAI_REQUESTS, OPENAI_RESULTS, 8, 8],
  ["anthropic-batch", ANTHROPIC_REQUESTS, ANTHROPIC_RESULTS, 10, 7],
];

describe("init --from batch raw-line keys", () => {
  for (const [format, requests, results, keyedRequests, keyedResults] of CASES) {
    it(`${format}: a request's key and id are the full join's wherever given`, () => {
      const keyed = requests.map((line) => {
        const read = readKey(format, line);
        if (read) expect(read, line).toEqual(joinedKey(format, line));
        return read !== undefined;
      });
      expect(keyed).toEqual(requests.map((_, i) => i < keyedRequests));
    });

    it(`${format}: a result's outcome and id are the full parse's wherever given`, () => {
      const keyed = results.map((line) => {
        const read = readOutcome(format, line);
        if (read) expect(read, line).toEqual(parsedOutcome(format, line));
        return read !== undefined;
      });
      expect(keyed).toEqual(results.map((_, i) => i < keyedResults));
      expect(new Set(results.slice(0, keyedResults).map((l) => readOutcome(format, l)!.outcome))).toEqual(
        new Set([Outcome.Call, Outcome.NoResponse, Outcome.Failed]),
      );
    });

    it(`${format}: a result line's outcome only where its bytes are valid UTF-8`, () => {
      const line = Buffer.from(results[0]!.replace('"}', 'é"}'));
      const at = line.indexOf(Buffer.from("é"));
      expect(at).toBeGreaterThan(0);
      const outcome = (bytes: Buffer) => new BatchResultScanner(format).read(bytes, 0, bytes.length);
      expect(outcome(line)).toBe(readOutcome(format, results[0]!)!.outcome);
      // A lone continuation byte, a cut sequence, a byte never in UTF-8: left to the full parse.
      for (const bad of [
        [0xa9, 0xa9],
        [0xc3, 0x41],
        [0xff, 0x41],
      ]) {
        const bytes = Buffer.from(line);
        bytes[at] = bad[0]!;
        bytes[at + 1] = bad[1]!;
        expect(outcome(bytes), String(bad)).toBeUndefined();
      }
    });

    it(`${format}: never a key or an outcome where the full join disagrees, on mutated lines`, () => {
      let keyed = 0;
      let left = 0;
      for (const line of mutations(requests, 300, 5)) {
        const read = readKey(format, line);
        if (read) {
          keyed++;
          expect(read, line).toEqual(joinedKey(format, line));
        } else left++;
      }
      for (const line of mutations(results, 300, 6)) {
        const read = readOutcome(format, line);
        if (read) {
          keyed++;
          expect(read, line).toEqual(parsedOutcome(format, line));
        } else left++;
      }
      expect(keyed).toBeGreaterThan(1000);
      expect(left).toBeGreaterThan(1000);
    });
  }

  it("samples a batch log as the full join does, with and without keys, in one thread and in three", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-batch-"));
    const logs: [BatchFormat, string, string][] = [
      [
        "openai-batch",
        readFileSync(fixture("openai-batch-input.jsonl"), "utf8"),
        readFileSync(fixture("openai-batch-output.jsonl"), "utf8"),
      ],
      [
        "anthropic-batch",
        readFileSync(fixture("anthropic-batch-requests.jsonl"), "utf8"),
        readFileSync(fixture("anthropic-batch-results.jsonl"), "utf8"),
      ],
    ];
    for (const format of ["openai-batch", "anthropic-batch"] as const) {
      const { requests, results } = batchLines(format, 0, 1500);
      // The synthetic lines are the keyed kind (the bench's): the sampling below takes both paths.
      expect(readKey(format, requests.split("\n")[0]!)).toBeDefined();
      expect(readOutcome(format, results.split("\n")[0]!)).toBeDefined();
      const variants = format === "openai-batch" ? OPENAI_REQUESTS : ANTHROPIC_REQUESTS;
      const variantResults = format === "openai-batch" ? OPENAI_RESULTS : ANTHROPIC_RESULTS;
      // Variants, then the synthetic batch (missing, failed and orphan results), a truncated last line each.
      logs.push([
        format,
        `${variants.join("\n")}\nnot json\n${requests}${variants[0]!.slice(0, 30)}`,
        `${variantResults.slice(0, 1).join("\n")}\n{"custom_id": broken\n${results}{"custo`,
      ]);
    }
    for (const [i, [format, requests, results]] of logs.entries()) {
      const requestsPath = join(dir, `${i}-requests.jsonl`);
      const resultsPath = join(dir, `${i}-results.jsonl`);
      writeFileSync(requestsPath, requests);
      writeFileSync(resultsPath, results);
      /** `deferUntil`: the index is handed over only once this many bytes of requests were sampled. */
      const chunked = (keyed: boolean, deferUntil?: number) => {
        const stats: Map<string, number> = new Map();
        const index = new ResultsIndex(
          resultsPath,
          format,
          (reason) => stats.set(reason, (stats.get(reason) ?? 0) + 1),
          true,
        );
        const chunks = new ChunkSampler(
          format,
          40,
          SEED,
          keyed,
          deferUntil === undefined ? index : undefined,
        );
        const requestsFd = openSync(requestsPath, "r");
        if (deferUntil !== undefined) chunks.deferUntilResults(requestsFd);
        for (const [reason, n] of stats) chunks.stats.skipped.set(reason as never, n);
        const log = Buffer.from(requests);
        let seq = 0;
        for (let start = 0; start < log.length; ) {
          if (deferUntil !== undefined && start >= deferUntil) {
            chunks.setResults(index);
            deferUntil = undefined;
          }
          let end = Math.min(log.length, start + 7000);
          if (end < log.length) end = log.lastIndexOf(0x0a, end - 1) + 1 || end;
          chunks.sampleChunk(log.subarray(start, end), seq++, log[end - 1] === 0x0a, start);
          start = end;
        }
        if (deferUntil !== undefined) chunks.setResults(index);
        closeSync(requestsFd);
        index.close();
        return {
          lines: chunks.stats.lines,
          calls: chunks.stats.calls,
          skipped: Object.fromEntries(chunks.stats.skipped),
          strata: Object.fromEntries(chunks.sampler.counts().strata),
          sample: chunks.sampler.result().map((r) => [r.call, r.weight, r.stratum, r.priority]),
        };
      };
      const view = (s: Awaited<ReturnType<typeof sampleLog>>) => ({
        lines: s.stats.lines,
        calls: s.stats.calls,
        skipped: Object.fromEntries(s.stats.skipped),
        strata: Object.fromEntries(s.sampler.counts().strata),
        sample: s.sampler.result().map((r) => [r.call, r.weight, r.stratum, r.priority]),
      });
      const files = [requestsPath, resultsPath];
      // The reference: readLog's join in this thread, every line parsed in full.
      const full = view(await sampleLog(files, format as LogFormat, 40, SEED, { threads: 0 }));
      expect(chunked(false), format).toEqual(full);
      expect(chunked(true), format).toEqual(full);
      // Request lines kept by their keys until the index comes: half the log, and all of it.
      expect(chunked(true, requests.length / 2), format).toEqual(full);
      expect(chunked(true, Number.POSITIVE_INFINITY), format).toEqual(full);
      expect(chunked(false, requests.length / 3), format).toEqual(full);
      const threaded = view(
        await sampleLog(files, format, 40, SEED, { threads: 3, chunkBytes: 20_000, minBytes: 0 }),
      );
      expect(threaded, format).toEqual(full);
      // Request chunks keyed by the reading thread once the index is built (all of them here).
      const readerKeyed = view(
        await sampleLog(files, format, 40, SEED, {
          threads: 2,
          chunkBytes: 20_000,
          minBytes: 0,
          readerKeys: "always",
        }),
      );
      expect(readerKeyed, format).toEqual(full);
      expect(full.calls, format).toBeGreaterThan(0);
      if (i >= 2) {
        expect(full.skipped["no response"], format).toBeGreaterThan(10);
        expect(full.skipped["failed response"], format).toBeGreaterThan(10);
        expect(full.skipped["truncated last line"], format).toBe(2);
        expect(full.sample.some(([, weight]) => (weight as number) > 1)).toBe(true);
      }
    }
  });
});
