/**
 * A protocol's streamed response decoded one SSE event at a time into runner events, pushed to a
 * sink: one decoder serves both ways a call is read, `Runner.generate` (an async iterable, through
 * {@link decodedEvents}) and `Runner.generateInto` (pushed as the transport releases each chunk,
 * through {@link decodeInto}: no generator or promise per event on a run's hot path).
 */
import type { EventSourceMessage } from "eventsource-parser";
import type { RunnerEvent, RunnerEventSink } from "../src/core/runner.ts";
import type { Arrivals, ClockedResponse } from "./arrivals.ts";
import { consumeSse, type SseBatch } from "./sse.ts";

/** Decodes one streamed response; a new one per call. */
export interface StreamDecoder {
  /** One event of the stream, its bytes read at `t`; throws a CallError for an in-band error. */
  message(message: EventSourceMessage, t: number, emit: RunnerEventSink): void;
  /** The stream ended: the closing events, or `stream_aborted` when its end marker never came. */
  finish(emit: RunnerEventSink): void;
}

/**
 * The events of `batches` through `decoder`, as an async generator. Events decoded before an
 * in-band error are yielded before it is thrown (a failed call keeps the text it got).
 */
export async function* decodedEvents(
  batches: AsyncIterable<SseBatch>,
  decoder: StreamDecoder,
): AsyncGenerator<RunnerEvent> {
  const out: RunnerEvent[] = [];
  const push = (event: RunnerEvent) => {
    out.push(event);
  };
  for await (const batch of batches) {
    let failure: { error: unknown } | undefined;
    try {
      for (const message of batch.messages) decoder.message(message, batch.t, push);
    } catch (error) {
      failure = { error };
    }
    yield* out;
    out.length = 0;
    if (failure) throw failure.error;
  }
  decoder.finish(push);
  yield* out;
}

/** Reads a clocked streamed response through `decoder`, each event pushed to `emit` as decoded. */
export async function decodeInto(
  response: ClockedResponse,
  signal: AbortSignal,
  arrivals: Arrivals,
  decoder: StreamDecoder,
  emit: RunnerEventSink,
): Promise<void> {
  await consumeSse(response.body, signal, arrivals, response.headers["content-type"], (message, t) =>
    decoder.message(message, t, emit),
  );
  decoder.finish(emit);
}
