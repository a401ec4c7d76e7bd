/**
 * The clocked transport: requests timed when undici writes them, response bytes when undici parses
 * them off the socket. The bytes are handed to the body's reader only in the event loop's check
 * phase (`setImmediate`), after every socket that was readable in the same poll has been read,
 * for at most ~0.05 ms of readers' work per turn of the loop (release-queue.ts).
 * The body is fed straight from undici's handler (no Node stream in between).
 *
 * Why: Node runs the microtasks of one socket's read before it reads the next socket. Had the body
 * been handed over at once, the consumer — parsing, scoring, writing the record — would run for
 * that response before the next socket's bytes were even looked at, and when many streams deliver
 * together (64 calls started in one burst send their chunks in step) the last of them would be
 * timestamped after everyone else's processing: tens of milliseconds late. Deferred, the time of
 * each chunk is when the bytes were read, whatever the consumer does with the others.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Dispatcher } from "undici";
import { basicAuthorization } from "../src/core/url.ts";
import { queueRelease } from "./release-queue.ts";

export { setReleaseBudgetMs } from "./release-queue.ts";

/** When one request went out, and the byte offsets and arrival times of its response's chunks. */
export class Arrivals {
  /**
   * `performance.now()` when undici began writing the request to its connection: after any
   * connection set-up and undici's check of an idle kept-alive socket (which waits a loop turn),
   * so time spent waiting inside the client is not counted as the server's.
   */
  sentAt: number | undefined;
  /** Bytes received so far. */
  received = 0;
  private readonly ends: number[] = [];
  private readonly times: number[] = [];
  private head = 0;

  /** A chunk of `bytes` bytes has just been read. */
  note(bytes: number): void {
    this.received += bytes;
    this.ends.push(this.received);
    this.times.push(performance.now());
  }

  /**
   * When the first `consumed` bytes of the body had all arrived: the arrival time of the chunk
   * holding byte number `consumed`. Calls must not go backwards; `performance.now()` if no chunk
   * was noted (a body that did not come through the clocked transport).
   */
  timeOf(consumed: number): number {
    const last = this.ends.length - 1;
    if (last < 0) return performance.now();
    while (this.head < last && this.ends[this.head]! < consumed) this.head++;
    return this.times[this.head]!;
  }
}

/** A response as the clocked transport gives it: status, headers, and a body read once. */
export interface ClockedResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: ResponseBody;
}

/** Body bytes held before the transport pauses reading from the socket. */
const BODY_HIGH_WATER = 1 << 20;

/**
 * A response body fed by the transport. What arrives is held back until the event loop's check
 * phase (`setImmediate`), after every socket readable in the same poll has been read and
 * timestamped; only then does the reader get it. Async-iterable once; `text()` reads it whole.
 */
export class ResponseBody implements AsyncIterable<Uint8Array> {
  private readonly incoming: Buffer[] = [];
  private readonly available: Buffer[] = [];
  private availableBytes = 0;
  private incomingEnd = false;
  private incomingError: Error | undefined;
  private ended = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  private paused = false;
  private finished = false;
  /** Set by the handler: pauses, resumes and aborts the transfer. */
  controller: Dispatcher.DispatchController | undefined;
  /** A reader that takes each chunk as it is released (see `consume`). */
  private consumer: BodyConsumer | undefined;

  /** From the transport: a chunk, the end, or a failure (held until the check phase). */
  push(chunk: Buffer): void {
    this.incoming.push(chunk);
    this.schedule();
  }

  end(): void {
    this.incomingEnd = true;
    this.schedule();
  }

  fail(error: Error): void {
    this.incomingError ??= error;
    this.schedule();
  }

  /** In the release queue (release-queue.ts). */
  queued = false;

  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    queueRelease(this);
  }

  /** Hands what arrived to the reader (the check phase). */
  release(): void {
    for (const chunk of this.incoming) {
      this.available.push(chunk);
      this.availableBytes += chunk.length;
    }
    this.incoming.length = 0;
    if (this.incomingEnd) this.ended = true;
    if (this.incomingError) this.error = this.incomingError;
    if (this.consumer) {
      this.feedConsumer(this.consumer);
      return;
    }
    if (this.availableBytes > BODY_HIGH_WATER && !this.paused && !this.ended) {
      this.paused = true;
      this.controller?.pause();
    }
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      for (;;) {
        const chunk = this.available.shift();
        if (chunk !== undefined) {
          this.availableBytes -= chunk.length;
          if (this.paused && this.availableBytes < BODY_HIGH_WATER / 2) {
            this.paused = false;
            this.controller?.resume();
          }
          yield chunk;
          continue;
        }
        if (this.error) throw this.error;
        if (this.ended) {
          this.finished = true;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      // The reader stopped early: stop the transfer (the connection is not reused).
      if (!this.finished && !this.error)
        this.controller?.abort(new Error("response body not read to its end"));
    }
  }

  /**
   * Reads the body by handing each chunk to `onChunk` as soon as it is released (synchronously, in
   * the check phase): no iterator, no promise per chunk. Resolves at the end; rejects with the
   * transport's failure, or with what `onChunk` threw (the transfer is then stopped). Once only,
   * and not after the body was iterated.
   */
  consume(onChunk: (chunk: Buffer) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const consumer: BodyConsumer = { onChunk, resolve, reject };
      this.consumer = consumer;
      this.feedConsumer(consumer);
    });
  }

  private feedConsumer(consumer: BodyConsumer): void {
    if (this.finished) return;
    try {
      for (let chunk = this.available.shift(); chunk !== undefined; chunk = this.available.shift()) {
        this.availableBytes -= chunk.length;
        consumer.onChunk(chunk);
      }
    } catch (error) {
      this.finished = true;
      this.available.length = 0;
      if (!this.ended && !this.error) this.controller?.abort(new Error("response body not read to its end"));
      consumer.reject(error);
      return;
    }
    if (this.paused) {
      this.paused = false;
      this.controller?.resume();
    }
    if (this.error) {
      this.finished = true;
      consumer.reject(this.error);
    } else if (this.ended) {
      this.finished = true;
      consumer.resolve();
    }
  }

  /** The whole body as UTF-8 text. */
  async text(): Promise<string> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this) chunks.push(chunk);
    return Buffer.concat(chunks).toString("utf8");
  }
}

/** A reader of a body's chunks as they are released, and how its read ends. */
interface BodyConsumer {
  onChunk: (chunk: Buffer) => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Undici's handler for one clocked request: times the write and every chunk, feeds the body. */
class ClockedHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private body: ResponseBody | undefined;
  private settled = false;
  private readonly arrivals: Arrivals;
  private readonly signal: AbortSignal;
  private readonly resolve: (response: ClockedResponse) => void;
  private readonly reject: (error: unknown) => void;
  private readonly onAbort = () => {
    const reason = this.signal.reason instanceof Error ? this.signal.reason : new Error("aborted");
    if (this.controller) this.controller.abort(reason);
    else this.failBeforeResponse(reason); // still queued: give up now, abort when undici starts it
  };

  constructor(
    arrivals: Arrivals,
    signal: AbortSignal,
    resolve: (response: ClockedResponse) => void,
    reject: (error: unknown) => void,
  ) {
    this.arrivals = arrivals;
    this.signal = signal;
    this.resolve = resolve;
    this.reject = reject;
    signal.addEventListener("abort", this.onAbort, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    // undici calls this just before it writes the request (headers and body) to the socket.
    this.arrivals.sentAt = performance.now();
    this.controller = controller;
    if (this.signal.aborted)
      controller.abort(this.signal.reason instanceof Error ? this.signal.reason : new Error("aborted"));
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200 || this.settled) return; // 1xx: the final response follows
    this.settled = true;
    this.body = new ResponseBody();
    this.body.controller = controller;
    this.resolve({ statusCode, headers, body: this.body });
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.arrivals.note(chunk.length);
    this.body?.push(chunk);
  }

  onResponseEnd(): void {
    this.done();
    this.body?.end();
  }

  onResponseError(_controller: Dispatcher.DispatchController | null, error: Error): void {
    this.done();
    if (this.body) this.body.fail(error);
    else this.failBeforeResponse(error);
  }

  private failBeforeResponse(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.done();
    this.reject(error);
  }

  private done(): void {
    this.signal.removeEventListener("abort", this.onAbort);
  }
}

interface RequestTarget {
  origin: string;
  path: string;
  authorization: string | undefined;
}

/** Parsed request URLs: a run posts to one or two URLs thousands of times; parsing each costs CPU per call. */
const targets = new Map<string, RequestTarget>();
const MAX_TARGETS = 256;

function requestTarget(url: string): RequestTarget {
  let target = targets.get(url);
  if (target === undefined) {
    const parsed = new URL(url);
    target = {
      origin: parsed.origin,
      path: `${parsed.pathname}${parsed.search}`,
      authorization: basicAuthorization(parsed),
    };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}

/**
 * POSTs `body` through `agent` with the transport clock: resolves with the response once its
 * headers arrive (a failure before that rejects, with undici's error), and notes in `arrivals`
 * when the request was written and when each body chunk arrived.
 */
export function clockedPost(
  agent: Dispatcher,
  url: string,
  options: { headers: Readonly<Record<string, string>>; body: string; signal: AbortSignal; reset?: boolean },
  arrivals: Arrivals,
): Promise<ClockedResponse> {
  const { origin, path, authorization } = requestTarget(url);
  const headers =
    authorization && !Object.keys(options.headers).some((name) => name.toLowerCase() === "authorization")
      ? { authorization, ...options.headers }
      : options.headers;
  return new Promise<ClockedResponse>((resolve, reject) => {
    if (options.signal.aborted) {
      reject(options.signal.reason);
      return;
    }
    const handler = new ClockedHandler(arrivals, options.signal, resolve, reject);
    agent.dispatch(
      {
        origin,
        path,
        method: "POST",
        headers,
        body: options.body,
        ...(options.reset && { reset: true }),
      },
      handler,
    );
  });
}
