/**
 * Server-sent events from a response body, timestamped as the bytes arrive. Every event parsed
 * from one body chunk carries that chunk's `performance.now()`: the time the transport handed
 * the bytes over, not the time a consumer got round to the event.
 */
import {
  createParser,
  type EventSourceMessage,
  type EventSourceParser,
  type ParseError,
} from "eventsource-parser";
import { CallError } from "../src/core/errors.ts";
import type { Arrivals, ResponseBody } from "./arrivals.ts";
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
 * The SSE parser of one response body: bytes in, events out to `onEvent` with their chunk's
 * arrival time (the transport's, from `arrivals`, when given; else when the chunk was fed). Keeps
 * the body's start until the first event, to name what came instead of an event stream.
 */
class SseReader {
  private consumed = 0;
  private t = 0;
  private parseFailure: ParseError | undefined;
  private readonly parser: EventSourceParser;
  /** The streaming decoder, made when a chunk first needs it (most bodies never do). */
  private decoder: InstanceType<typeof TextDecoder> | undefined;
  /** Whether the streaming decoder may hold the start of a character from the last chunk. */
  private decoderOpen = false;
  private readonly arrivals: Arrivals | undefined;
  private head = "";
  sawEvent = false;

  constructor(arrivals: Arrivals | undefined, onEvent: (message: EventSourceMessage, t: number) => void) {
    this.arrivals = arrivals;
    this.parser = createParser({
      onEvent: (message) => {
        this.sawEvent = true;
        onEvent(message, this.t);
      },
      onError: (error) => {
        // Unknown fields and bad `retry` values are harmless; an oversized event is not.
        if (error.type === "max-buffer-size-exceeded") this.parseFailure = error;
      },
    });
  }

  /** Parses one body chunk; its events go to `onEvent` before this returns. */
  feed(chunk: Uint8Array): void {
    // An empty chunk carries no text, and must not count as the body's first (its byte-order mark).
    if (chunk.byteLength === 0) return;
    const first = this.consumed === 0;
    this.consumed += chunk.byteLength;
    this.t = this.arrivals ? this.arrivals.timeOf(this.consumed) : performance.now();
    const text = this.decode(chunk, first);
    if (!this.sawEvent && this.head.length < HEAD_CHARS)
      this.head += text.slice(0, HEAD_CHARS - this.head.length);
    this.parser.feed(text);
    if (this.parseFailure)
      throw new CallError("parse", `unreadable event stream: ${this.parseFailure.message}`);
  }

  /**
   * The chunk as text. A chunk that ends on an ASCII byte, with no character left open by the one
   * before (and, for the body's first, no byte-order mark to drop), is decoded whole by Buffer
   * (native, no streaming state); any other goes through the streaming decoder.
   */
  private decode(chunk: Uint8Array, first: boolean): string {
    // `feed` passes no empty chunk.
    const whole =
      !this.decoderOpen &&
      chunk[chunk.byteLength - 1]! < 0x80 &&
      !(first && chunk[0] === 0xef) &&
      Buffer.isBuffer(chunk);
    if (whole) return chunk.toString("utf8");
    // Made after the body's first chunk, it must keep a U+FEFF that starts a later one.
    this.decoder ??= new TextDecoder("utf-8", { ignoreBOM: !first });
    const text = this.decoder.decode(chunk, STREAM_DECODE);
    // A chunk ending on an ASCII byte leaves no character open in the decoder.
    this.decoderOpen = chunk[chunk.byteLength - 1]! >= 0x80;
    return text;
  }

  /**
   * The body ended. A final event without its blank line is incomplete: it is dropped, as
   * EventSource does. A body without a single event that does not begin like an event stream is
   * `parse`, naming `contentType`.
   */
  end(contentType: string | string[] | undefined): void {
    const start = this.head.trimStart();
    if (!this.sawEvent && start !== "" && !SSE_START.test(start))
      throw notAnEventStream(this.head, contentType);
  }
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
  const batch: SseBatch = { t: 0, messages: [] };
  const reader = new SseReader(arrivals, (message, t) => {
    batch.t = t;
    batch.messages.push(message);
  });
  const iterator = body[Symbol.asyncIterator]();
  let finished = false;
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
      reader.feed(next.value);
      if (batch.messages.length === 0) continue;
      yield batch;
      batch.messages.length = 0;
    }
  } finally {
    // The consumer stopped early (an error, a break): release the connection.
    if (!finished) await iterator.return?.();
  }
  reader.end(contentType);
}

/**
 * Parses SSE from a clocked response body, handing each event to `onEvent` as its chunk is
 * released by the transport (see `ResponseBody.consume`): the same events, times and errors as
 * {@link readSse}, without an async iteration per chunk. What `onEvent` throws stops the transfer
 * and rejects.
 */
export async function consumeSse(
  body: ResponseBody,
  signal: AbortSignal,
  arrivals: Arrivals | undefined,
  contentType: string | string[] | undefined,
  onEvent: (message: EventSourceMessage, t: number) => void,
): Promise<void> {
  const reader = new SseReader(arrivals, onEvent);
  let failedInside = false;
  try {
    await body.consume((chunk) => {
      try {
        reader.feed(chunk);
      } catch (error) {
        failedInside = true;
        throw error;
      }
    });
  } catch (error) {
    if (failedInside) throw error;
    throw transportError(error, signal, "stream_aborted");
  }
  reader.end(contentType);
}
