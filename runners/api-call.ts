/**
 * One call to a hosted API, whatever its protocol: POST the body, `sent`, open the response
 * (reading the provider's retry hints when it fails), then decode it as an event stream or a
 * whole JSON body. Every error leaves here as a CallError with the keys masked.
 */
import { CallError } from "../src/core/errors.ts";
import type {
  BackendInfo,
  GenerationRequest,
  Runner,
  RunnerEvent,
  RunnerEventSink,
} from "../src/core/runner.ts";
import { readApiKey, readKeyForCall, redactError } from "./api-keys.ts";
import { type OpenOptions, readJsonBody, sendJson } from "./http.ts";
import { retryAfterHintMs } from "./rate-limit-headers.ts";
import { readSse, type SseBatch } from "./sse.ts";
import { decodeInto, type StreamDecoder } from "./stream-decoder.ts";

/** A wire protocol's decoders. */
export interface ApiProtocol {
  /** Events of a streamed response; throws `stream_aborted` when the stream ends before its end marker. */
  stream(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent>;
  /** Events of a whole JSON response read at `tEnd` (`performance.now()` ms). */
  whole(value: unknown, tEnd: number): Generator<RunnerEvent>;
  /**
   * A new decoder of one streamed response, event by event (the same events as `stream`): lets a
   * call's events be pushed as they arrive, without an async generator per event. Absent: `stream`.
   */
  decoder?(): StreamDecoder;
}

/** What to send. */
export interface ApiRequest {
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const OPEN_OPTIONS: OpenOptions = {
  retryAfterMs: (headers, status, body) => retryAfterHintMs(headers, status, body),
};

/** Sends the call: the response, opened. */
function send(call: ApiRequest, request: GenerationRequest) {
  // Re-sent once on a new connection when a kept-alive one turns out closed (see sendJson).
  return sendJson(call.url, call.body, { signal: request.signal, headers: call.headers }, OPEN_OPTIONS);
}

/**
 * Runs one call. `secrets` (the API key) are masked in any error message, and the error's
 * cause dropped when it mentions them.
 */
export async function* callApi(
  call: ApiRequest,
  request: GenerationRequest,
  protocol: ApiProtocol,
  secrets: readonly string[],
): AsyncGenerator<RunnerEvent> {
  try {
    const { tSent, response, arrivals } = await send(call, request);
    yield { type: "sent", t: tSent };
    if (request.stream) {
      // A body that is not an event stream (a whole JSON answer, an HTML page) fails in readSse.
      const contentType = response.headers["content-type"];
      yield* protocol.stream(readSse(response.body, request.signal, arrivals, contentType));
    } else {
      const { value, tEnd } = await readJsonBody(response.body, request.signal, arrivals);
      yield* protocol.whole(value, tEnd);
    }
  } catch (error) {
    throw redactError(error, secrets);
  }
}

/**
 * {@link callApi}, each event pushed to `emit` as it arrives (see `Runner.generateInto`): a
 * streamed call through the protocol's decoder when it has one, else {@link callApi}'s events.
 */
export async function callApiInto(
  call: ApiRequest,
  request: GenerationRequest,
  protocol: ApiProtocol,
  secrets: readonly string[],
  emit: RunnerEventSink,
): Promise<void> {
  if (!(request.stream && protocol.decoder)) {
    for await (const event of callApi(call, request, protocol, secrets)) emit(event);
    return;
  }
  try {
    const { tSent, response, arrivals } = await send(call, request);
    emit({ type: "sent", t: tSent });
    await decodeInto(response, request.signal, arrivals, protocol.decoder(), emit);
  } catch (error) {
    throw redactError(error, secrets);
  }
}

/**
 * The error for a request the API cannot carry out as asked (a GBNF grammar, stop sequences where
 * the protocol has none): the call fails before anything is sent rather than quietly running
 * something else. Classed `http_4xx` as the server would reject it: it is not retried.
 */
export function unsupported(what: string, api: string): CallError {
  return new CallError("http_4xx", `${api} cannot apply ${what}; remove it for this model`);
}

/** The request body with the model entry's `extra_body` merged last, as is. */
export function withExtraBody(
  body: Record<string, unknown>,
  extraBody: Record<string, unknown> | undefined,
): Record<string, unknown> {
  return extraBody ? Object.assign(body, extraBody) : body;
}

/** What differs between API runners; {@link createApiRunner} does the rest. */
export interface ApiRunnerSpec {
  /** Model id in the suite (for messages). */
  id: string;
  /** Environment variable holding the key; undefined: the API takes none (local servers). */
  keyEnv: string | undefined;
  /** Other secrets of the model entry (URL credentials, secret headers), masked like the key. */
  configSecrets?: string[];
  /** The backend as recorded at start (device "remote" is added); never the key itself. */
  backend: Omit<BackendInfo, "device">;
  protocol: (request: GenerationRequest) => ApiProtocol;
  /** The request to send, given the key (undefined when `keyEnv` is). Throws for what the API can't do. */
  call: (request: GenerationRequest, key: string | undefined) => ApiRequest;
}

/**
 * A runner for a hosted API: reads the key at start (a missing one fails the start, naming the
 * variable), records the backend, and runs each call through {@link callApi} with the key masked.
 */
export function createApiRunner(spec: ApiRunnerSpec): Runner {
  let key: string | undefined;
  const secretsOf = (key: string | undefined) => [
    ...(key !== undefined ? [key] : []),
    ...(spec.configSecrets ?? []),
  ];
  return {
    async startup(): Promise<BackendInfo> {
      if (spec.keyEnv !== undefined) key = readApiKey(spec.keyEnv, spec.id);
      return {
        device: "remote",
        ...spec.backend,
        ...(spec.keyEnv !== undefined && { api_key_env: spec.keyEnv }),
      };
    },
    async *generate(request: GenerationRequest): AsyncGenerator<RunnerEvent> {
      if (spec.keyEnv !== undefined) key ??= readKeyForCall(spec.keyEnv, spec.id);
      yield* callApi(spec.call(request, key), request, spec.protocol(request), secretsOf(key));
    },
    async generateInto(request: GenerationRequest, emit: RunnerEventSink): Promise<void> {
      if (spec.keyEnv !== undefined) key ??= readKeyForCall(spec.keyEnv, spec.id);
      await callApiInto(spec.call(request, key), request, spec.protocol(request), secretsOf(key), emit);
    },
  };
}
