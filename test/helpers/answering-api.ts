/**
 * Stand-ins for hosted APIs that answer a classification suite: OpenAI chat completions and
 * Anthropic messages streams, each frame taken from the recorded-format fixtures in
 * fixtures/api/ with only the text, ids and token counts changed. Which cases a model gets right
 * is fixed by a seeded hash of the query, so a report made from them has known accuracies and
 * real paired differences; the latency is a fixed think time plus a gap between stream pieces.
 */
import { hashSeed, mulberry32 } from "../../src/stats/prng.ts";
import { apiFixture, type ReceivedRequest, type Reply } from "./fault-server.ts";

/** How one stand-in model answers. */
export interface AnsweringModel {
  /** The fraction of queries it labels right (the rest get another label, chosen by the seed). */
  accuracy: number;
  seed: number;
  /** Before the first byte, ms. */
  thinkMs: number;
  /** Between the stream's pieces, ms. */
  gapMs: number;
}

/** The answer to a request: the expected label, or (by the seed) a wrong one. */
export function answerFor(
  query: string,
  labels: ReadonlyMap<string, string>,
  all: readonly string[],
  model: AnsweringModel,
): string {
  const right = labels.get(query.trim()) ?? all[0] ?? "unknown";
  const random = mulberry32(hashSeed(model.seed, query));
  if (random() < model.accuracy) return right;
  const others = all.filter((l) => l !== right);
  return others[Math.floor(random() * others.length)] ?? right;
}

/** The text of the last user message of a chat or messages request body. */
function lastUserText(body: string): string {
  const parsed = JSON.parse(body) as { messages?: { role: string; content: unknown }[] };
  const user = (parsed.messages ?? []).filter((m) => m.role === "user").at(-1);
  const content = user?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (part as { text?: string }).text ?? "").join("");
  }
  return "";
}

/** Rough token count of a request for the usage block (4 characters a token). */
const tokensOf = (text: string) => Math.max(1, Math.round(text.length / 4));

/** The OpenAI fixture stream with `answer` as its content (in two pieces) and matching usage. */
export function openAiStream(answer: string, promptTokens: number, id: string): string {
  const frames = apiFixture("openai/chat-stream.sse")
    .split("\n\n")
    .filter((f) => f.startsWith("data: {"))
    .map((f) => JSON.parse(f.slice(6)) as Record<string, unknown>);
  const [roleFrame, contentFrame, , , stopFrame, usageFrame] = frames as [
    Record<string, unknown>,
    Record<string, unknown>,
    unknown,
    unknown,
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  const half = Math.ceil(answer.length / 2);
  const content = (text: string) => ({
    ...contentFrame,
    id,
    choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }],
  });
  const usage = usageFrame.usage as Record<string, unknown>;
  const out = [
    { ...roleFrame, id },
    content(answer.slice(0, half)),
    content(answer.slice(half)),
    { ...stopFrame, id },
    {
      ...usageFrame,
      id,
      usage: {
        ...usage,
        prompt_tokens: promptTokens,
        completion_tokens: tokensOf(answer),
        total_tokens: promptTokens + tokensOf(answer),
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
      },
    },
  ];
  return `${out.map((f) => `data: ${JSON.stringify(f)}\n\n`).join("")}data: [DONE]\n\n`;
}

/** The Anthropic fixture stream with `answer` as its text (in two pieces) and matching usage. */
export function anthropicStream(answer: string, inputTokens: number, id: string): string {
  const events = apiFixture("anthropic/messages-stream.sse")
    .split("\n\n")
    .filter((e) => e.includes("data: "))
    .map((e) => {
      const [eventLine, dataLine] = e.split("\n") as [string, string];
      return { event: eventLine.slice(7), data: JSON.parse(dataLine.slice(6)) as Record<string, unknown> };
    });
  const half = Math.ceil(answer.length / 2);
  const out: { event: string; data: unknown }[] = [];
  for (const { event, data } of events) {
    if (event === "message_start") {
      const message = data.message as Record<string, unknown>;
      out.push({
        event,
        data: {
          ...data,
          message: {
            ...message,
            id,
            usage: {
              input_tokens: inputTokens,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 0,
              output_tokens: 1,
            },
          },
        },
      });
    } else if (event === "content_block_delta") {
      // The fixture's three text deltas become the answer's two halves.
      if (out.some((o) => o.event === "content_block_delta")) continue;
      for (const text of [answer.slice(0, half), answer.slice(half)]) {
        out.push({ event, data: { ...data, delta: { type: "text_delta", text } } });
      }
    } else if (event === "message_delta") {
      out.push({ event, data: { ...data, usage: { output_tokens: tokensOf(answer) } } });
    } else {
      out.push({ event, data });
    }
  }
  return out.map(({ event, data }) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`).join("");
}

/**
 * A fault-server route answering `/v1/chat/completions` (OpenAI) and `/v1/messages` (Anthropic)
 * from `models`, keyed by the request's `model` field; the query is the text after `marker` in
 * the last user message (e.g. "Customer query: ").
 */
export function answeringRoute(options: {
  models: Readonly<Record<string, AnsweringModel>>;
  labels: ReadonlyMap<string, string>;
  marker: string;
}): (request: ReceivedRequest) => Reply {
  const all = [...new Set(options.labels.values())];
  let calls = 0;
  return (request) => {
    const body = JSON.parse(request.body) as { model?: string };
    const model = options.models[body.model ?? ""];
    if (!model) return { kind: "json", status: 404, body: { error: { message: `no model ${body.model}` } } };
    const text = lastUserText(request.body);
    const at = text.indexOf(options.marker);
    const query = (at >= 0 ? text.slice(at + options.marker.length) : text).split("\n")[0] ?? "";
    const answer = answerFor(query, options.labels, all, model);
    const promptTokens = tokensOf(request.body);
    const id = `fixture-${++calls}`;
    const stream = request.url.startsWith("/v1/messages")
      ? anthropicStream(answer, promptTokens, `msg_${id}`)
      : openAiStream(answer, promptTokens, `chatcmpl-${id}`);
    // Three pieces: the first byte after the think time, then two more `gapMs` apart.
    const chunkBytes = Math.ceil(Buffer.byteLength(stream) / 3);
    return { kind: "sse", text: stream, delayMs: model.thinkMs, chunkBytes, gapMs: model.gapMs };
  };
}
