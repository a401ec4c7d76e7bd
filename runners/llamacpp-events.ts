/**
 * llama-server responses to runner events: streamed (SSE) and whole (JSON), for the
 * OpenAI-compatible chat endpoint and the native /completion endpoint. Field names are those
 * of tools/server (server-task.cpp) in the bundled llama.cpp release.
 */
import { CallError, classifyStatus } from "../src/core/errors.ts";
import type { RunnerEvent, TokenUsage } from "../src/core/runner.ts";
import { parseJson } from "./http.ts";
import type { SseBatch } from "./sse.ts";

type Timings = Record<string, unknown>;

interface ServerError {
  code?: number;
  message?: string;
  type?: string;
}

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

interface ChatMessage {
  content?: string | null;
  reasoning_content?: string | null;
}

/** A `/v1/chat/completions` chunk (streamed) or response (whole). */
interface ChatPayload {
  id?: string;
  model?: string;
  choices?: { delta?: ChatMessage; message?: ChatMessage; finish_reason?: string | null }[];
  usage?: ChatUsage;
  timings?: Timings;
  error?: ServerError;
}

/** A `/completion` chunk (streamed) or response (whole). */
interface CompletionPayload {
  content?: string;
  stop?: boolean;
  model?: string;
  stop_type?: string;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  timings?: Timings;
  error?: ServerError;
}

/** What the last chunk (or the whole response) says about the call. */
interface Summary {
  usage?: TokenUsage;
  timings?: Timings;
  id?: string;
  model?: string;
  finishReason?: string;
}

/** Events of a streamed chat completion; throws `stream_aborted` if `[DONE]` never came. */
export async function* chatStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  const summary: Summary = {};
  let done = false;
  let tLast = 0;
  for await (const batch of batches) {
    tLast = batch.t;
    for (const message of batch.messages) {
      if (done) continue;
      if (message.data === "[DONE]") {
        done = true;
        continue;
      }
      const chunk = parseJson(message.data) as ChatPayload;
      if (chunk.error) throw serverError(chunk.error);
      summary.id ??= chunk.id;
      summary.model ??= chunk.model;
      const choice = chunk.choices?.[0];
      if (choice !== undefined) {
        const delta = choice.delta;
        if (delta?.reasoning_content) {
          yield { type: "delta", channel: "reasoning", text: delta.reasoning_content, t: batch.t };
        }
        if (delta?.content) yield { type: "delta", channel: "content", text: delta.content, t: batch.t };
        if (choice.finish_reason) summary.finishReason = choice.finish_reason;
      }
      if (chunk.usage) summary.usage = chatUsage(chunk.usage);
      if (chunk.timings) summary.timings = chunk.timings;
    }
  }
  if (!done) throw new CallError("stream_aborted", "the event stream ended before its [DONE] marker");
  yield* summaryEvents(summary, tLast);
}

/** Events of a streamed /completion; its last event has `stop: true`. */
export async function* completionStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  let summary: Summary | undefined;
  let tLast = 0;
  for await (const batch of batches) {
    tLast = batch.t;
    for (const message of batch.messages) {
      if (summary) continue;
      const chunk = parseJson(message.data) as CompletionPayload;
      if (chunk.error) throw serverError(chunk.error);
      if (chunk.content) yield { type: "delta", channel: "content", text: chunk.content, t: batch.t };
      if (chunk.stop === true) summary = completionSummary(chunk);
    }
  }
  if (!summary) throw new CallError("stream_aborted", "the event stream ended before its final (stop) event");
  yield* summaryEvents(summary, tLast);
}

/** Events of a whole (non-streamed) chat completion read at `tEnd`. */
export function* chatResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const response = asObject(value) as ChatPayload;
  if (response.error) throw serverError(response.error);
  const choice = response.choices?.[0];
  if (choice === undefined) throw new CallError("parse", "chat response without choices");
  const message = choice.message;
  if (message?.reasoning_content) {
    yield { type: "delta", channel: "reasoning", text: message.reasoning_content, t: tEnd };
  }
  if (message?.content) yield { type: "delta", channel: "content", text: message.content, t: tEnd };
  yield* summaryEvents(
    {
      ...(response.usage && { usage: chatUsage(response.usage) }),
      ...(response.timings && { timings: response.timings }),
      ...(response.id !== undefined && { id: response.id }),
      ...(response.model !== undefined && { model: response.model }),
      ...(choice.finish_reason && { finishReason: choice.finish_reason }),
    },
    tEnd,
  );
}

/** Events of a whole (non-streamed) /completion response read at `tEnd`. */
export function* completionResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const response = asObject(value) as CompletionPayload;
  if (response.error) throw serverError(response.error);
  if (response.content) yield { type: "delta", channel: "content", text: response.content, t: tEnd };
  yield* summaryEvents(completionSummary(response), tEnd);
}

function* summaryEvents(summary: Summary, tEnd: number): Generator<RunnerEvent> {
  if (summary.usage) yield { type: "usage", usage: summary.usage };
  if (summary.timings) yield { type: "server_timings", timings: summary.timings };
  yield {
    type: "response",
    ...(summary.id !== undefined && { id: summary.id }),
    ...(summary.model !== undefined && { model: summary.model }),
    ...(summary.finishReason !== undefined && { finishReason: summary.finishReason }),
  };
  yield { type: "end", t: tEnd };
}

function chatUsage(usage: ChatUsage): TokenUsage {
  return {
    ...(usage.prompt_tokens !== undefined && { inputTokens: usage.prompt_tokens }),
    ...(usage.prompt_tokens_details?.cached_tokens !== undefined && {
      cachedInputTokens: usage.prompt_tokens_details.cached_tokens,
    }),
    ...(usage.completion_tokens !== undefined && { outputTokens: usage.completion_tokens }),
    ...(usage.completion_tokens_details?.reasoning_tokens !== undefined && {
      reasoningTokens: usage.completion_tokens_details.reasoning_tokens,
    }),
  };
}

/**
 * /completion's final fields. `stop_type` is mapped to the chat endpoint's vocabulary (as
 * llama-server itself does there): `eos`/`word` → `stop`, `limit` → `length`.
 */
function completionSummary(chunk: CompletionPayload): Summary {
  const cached = chunk.timings?.cache_n;
  const usage: TokenUsage = {
    ...(chunk.tokens_evaluated !== undefined && { inputTokens: chunk.tokens_evaluated }),
    ...(typeof cached === "number" && { cachedInputTokens: cached }),
    ...(chunk.tokens_predicted !== undefined && { outputTokens: chunk.tokens_predicted }),
  };
  const stopType = chunk.stop_type;
  const finishReason =
    stopType === "eos" || stopType === "word" ? "stop" : stopType === "limit" ? "length" : stopType;
  return {
    usage,
    ...(chunk.timings && { timings: chunk.timings }),
    ...(chunk.model !== undefined && { model: chunk.model }),
    ...(finishReason !== undefined && { finishReason }),
  };
}

/** An error the server reported inside a 200 response (e.g. mid-stream), classified by its code. */
function serverError(error: ServerError): CallError {
  const status = typeof error.code === "number" ? error.code : 500;
  return new CallError(classifyStatus(status), `server error: ${error.message ?? JSON.stringify(error)}`, {
    status,
  });
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CallError("parse", "expected a JSON object from the server");
  }
  return value as Record<string, unknown>;
}
