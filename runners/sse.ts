/**
 * Server-sent events from a response body, timestamped as the bytes arrive. Every event parsed
 * from one body chunk carries that chunk's `performance.now()`: the time the transport handed
 * the bytes over, not the time a consumer got round to the event.
 */
import { createParser, type EventSourceMessage, type ParseError } from "eventsource-parser";
import { CallError } from "../src/core/errors.ts";
import type { Arrivals } from "./arrivals.ts";
import { errorExcerpt, transportError } from "./http.ts";

/**
 * The events of one body chunk. The object and its `messages` array are reused for the next
 * chunk (hot path: no allocation per chunk): consume them before asking for the next batch.
 */
export interface SseBatch {
  /** `performance.now()` (ms) when the chunk arrived (see `readSse`). */
  t: number;
  messages: EventSourceMessage[];
}

const STREAM_DECODE = { stream: true } as const;

/** How much of a body without events is kept to show what came instead, in characters. */
const HEAD_CHARS = 4_096;

/** The start of an event stream: a field of the protocol, or a comment, on its first line. */
const SSE_START = /^(?::|(?:data|event|id|retry)(?:[:\r\n]|$))/;

/**
 * The error for a body that is not an event stream at all: an HTML page from a proxy, a whole JSON
 * answer from a server that ignored `stream`, plain text. `parse`, not `stream_aborted`: nothing
 * was cut short, the server answered in another format (and is not asked again).
 */
function notAnEventStream(head: string, contentType: string | string[] | undefined): CallError {
  const type = [contentType ?? "none"].flat().join(", ");
  return new CallError(
    "parse",
    `asked for an event stream, the server sent something else (content-type: ${type}): ${errorExcerpt(head)}`,
  );
}

/**
 * Parses SSE from `body`, yielding one batch per body chunk that completed at least one event.
 * Its time is the transport's arrival time of the chunk when `arrivals` is given (a clocked
 * request, see arrivals.ts), else when the chunk was read here. A transport failure while reading is `stream_aborted` (or the abort reason of `signal`); the
 * end marker of the protocol is the caller's business. A body that ends without a single event
 * and does not begin like an event stream is `parse`, naming `contentType` (the response's
 * header, for the message) and quoting the body; one that begins like one was cut short and is
 * left to the caller's end-marker check (`stream_aborted`).
 */
export async function* readSse(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  arrivals?: Arrivals,
  contentType?: string | string[],
): AsyncGenerator<SseBatch, void, undefined> {
  let consumed = 0;
  const batch: SseBatch = { t: 0, messages: [] };
  let parseFailure: ParseError | undefined;
  const parser = createParser({
    onEvent: (message) => {
      batch.messages.push(message);
    },
    onError: (error) => {
      // Unknown fields and bad `retry` values are harmless; an oversized event is not.
      if (error.type === "max-buffer-size-exceeded") parseFailure = error;
    },
  });
  const decoder = new TextDecoder();
  const iterator = body[Symbol.asyncIterator]();
  let finished = false;
  // The body's start, kept until the first event: what to show if no event ever comes.
  let head = "";
  let sawEvent = false;
  try {
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await iterator.next();
      } catch (error) {
        finished = true;
        throw transportError(error, signal, "stream_aborted");
      }
      if (next.done) {
        finished = true;
        break;
      }
      consumed += next.value.byteLength;
      batch.t = arrivals ? arrivals.timeOf(consumed) : performance.now();
      const text = decoder.decode(next.value, STREAM_DECODE);
      if (!sawEvent && head.length < HEAD_CHARS) head += text.slice(0, HEAD_CHARS - head.length);
      parser.feed(text);
      if (parseFailure) throw new CallError("parse", `unreadable event stream: ${parseFailure.message}`);
      if (batch.messages.length === 0) continue;
      sawEvent = true;
      yield batch;
      batch.messages.length = 0;
    }
  } finally {
    // The consumer stopped early (an error, a break): release the connection.
    if (!finished) await iterator.return?.();
  }
  // A final event without its blank line is incomplete: it is dropped, as EventSource does.
  const start = head.trimStart();
  if (!sawEvent && start !== "" && !SSE_START.test(start)) throw notAnEventStream(head, contentType);
}
