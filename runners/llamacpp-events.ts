/**
 * llama-server's native /completion responses to runner events: streamed (SSE) and whole (JSON).
 * Field names are those of tools/server (server-task.cpp) in the bundled llama.cpp release. The
 * OpenAI-compatible chat endpoint is the shared Chat Completions protocol (openai-chat.ts),
 * re-exported here for the llama.cpp runner.
 */
import type { EventSourceMessage } from "eventsource-parser";
import { CallError } from "../src/core/errors.ts";
import type { RunnerEvent, RunnerEventSink, TokenUsage } from "../src/core/runner.ts";
import { asObject, emitSummary, inBandError, type Summary, summaryEvents } from "./call-summary.ts";
import { parseJson } from "./http.ts";
import type { SseBatch } from "./sse.ts";
import { decodedEvents, type StreamDecoder } from "./stream-decoder.ts";

export { ChatStreamDecoder, chatResponseEvents, chatStreamEvents } from "./openai-chat.ts";

type Timings = Record<string, unknown>;

interface ServerError {
  code?: number;
  message?: string;
  type?: string;
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

/** A streamed /completion, chunk by chunk; its last chunk has `stop: true`. */
export class CompletionStreamDecoder implements StreamDecoder {
  private summary: Summary | undefined;
  private tLast = 0;

  message(message: EventSourceMessage, t: number, emit: RunnerEventSink): void {
    this.tLast = t;
    if (this.summary) return;
    const chunk = parseJson(message.data) as CompletionPayload;
    if (chunk.error) throw serverError(chunk.error);
    if (chunk.content) emit({ type: "delta", channel: "content", text: chunk.content, t });
    if (chunk.stop === true) this.summary = completionSummary(chunk);
  }

  finish(emit: RunnerEventSink): void {
    if (!this.summary)
      throw new CallError("stream_aborted", "the event stream ended before its final (stop) event");
    emitSummary(this.summary, this.tLast, emit);
  }
}

/** Events of a streamed /completion; its last event has `stop: true`. */
export function completionStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  return decodedEvents(batches, new CompletionStreamDecoder());
}

/** Events of a whole (non-streamed) /completion response read at `tEnd`. */
export function* completionResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const response = asObject(value) as CompletionPayload;
  if (response.error) throw serverError(response.error);
  if (response.content) yield { type: "delta", channel: "content", text: response.content, t: tEnd };
  yield* summaryEvents(completionSummary(response), tEnd);
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
  return inBandError(status, error.message ?? JSON.stringify(error));
}
