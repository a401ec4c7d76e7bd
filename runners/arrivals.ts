/**
 * Arrival times of response bytes, taken in the transport. A chunk is timestamped when undici
 * parses it off the socket, and handed to the response body only in the event loop's check phase
 * (`setImmediate`), after every socket that was readable in the same poll has been timestamped.
 *
 * Why: Node runs the microtasks of one socket's read before it reads the next socket. Had the body
 * been handed over at once, the consumer — parsing, scoring, writing the record — would run for
 * that response before the next socket's bytes were even looked at, and when many streams deliver
 * together (64 calls started in one burst send their chunks in step) the last of them would be
 * timestamped after everyone else's processing: tens of milliseconds late. Deferred, the time of
 * each chunk is when the bytes were read, whatever the consumer does with the others.
 */
import type { Dispatcher } from "undici";

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

/** Request options carrying the clock of the response (a key undici itself ignores). */
export interface ClockedOptions {
  arrivals?: Arrivals;
}

type Step =
  | { kind: "data"; chunk: Buffer }
  | { kind: "end"; trailers: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseEnd"]>>[1] }
  | { kind: "error"; error: Error };

/** Handlers with chunks waiting for the check phase. */
const waiting = new Set<DeferringHandler>();
let scheduled = false;

function flushAll(): void {
  scheduled = false;
  const handlers = [...waiting];
  waiting.clear();
  for (const handler of handlers) handler.flush();
}

/** Wraps the body's handler: notes each chunk's arrival, passes chunks, end and error on later, in order. */
class DeferringHandler implements Dispatcher.DispatchHandler {
  private readonly inner: Dispatcher.DispatchHandler;
  private readonly arrivals: Arrivals;
  private controller: Dispatcher.DispatchController | undefined;
  private readonly steps: Step[] = [];

  constructor(inner: Dispatcher.DispatchHandler, arrivals: Arrivals) {
    this.inner = inner;
    this.arrivals = arrivals;
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    // undici calls this just before it writes the request (headers and body) to the socket.
    this.arrivals.sentAt = performance.now();
    this.controller = controller;
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onRequestUpgrade"]>>): void {
    this.inner.onRequestUpgrade?.(...args);
  }

  onRequestSent(): void {
    this.inner.onRequestSent?.();
  }

  onResponseStarted(): void {
    this.inner.onResponseStarted?.();
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseStart"]>>): void {
    this.controller = args[0];
    this.inner.onResponseStart?.(...args);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.arrivals.note(chunk.length);
    this.controller = controller;
    this.push({ kind: "data", chunk });
  }

  onResponseEnd(
    controller: Dispatcher.DispatchController,
    trailers: Parameters<NonNullable<Dispatcher.DispatchHandler["onResponseEnd"]>>[1],
  ): void {
    this.controller = controller;
    this.push({ kind: "end", trailers });
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.controller = controller;
    // Nothing waiting: fail at once (a refused connection need not wait a loop turn).
    if (this.steps.length === 0) this.inner.onResponseError?.(controller, error);
    else this.push({ kind: "error", error });
  }

  private push(step: Step): void {
    this.steps.push(step);
    waiting.add(this);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushAll);
    }
  }

  flush(): void {
    const controller = this.controller!;
    for (const step of this.steps.splice(0)) {
      try {
        if (step.kind === "data") this.inner.onResponseData?.(controller, step.chunk);
        else if (step.kind === "end") this.inner.onResponseEnd?.(controller, step.trailers);
        else this.inner.onResponseError?.(controller, step.error);
      } catch (error) {
        // undici would have failed the request had the handler thrown in its own callback.
        this.steps.length = 0;
        controller.abort(error instanceof Error ? error : new Error(String(error)));
        return;
      }
    }
  }
}

/** The interceptor: requests whose options carry `arrivals` get their bytes timestamped and deferred. */
export const arrivalClock: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
  const arrivals = process.env.NO_ARRIVALS ? undefined : (options as ClockedOptions).arrivals;
  return dispatch(options, arrivals ? new DeferringHandler(handler, arrivals) : handler);
};
