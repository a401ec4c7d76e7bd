/**
 * The HTTP transport every HTTP runner shares: one keep-alive connection pool, JSON POSTs timed
 * at the moment they are issued, and the mapping of transport failures to `CallError` classes.
 */
import { createRequire } from "node:module";
import type { Agent as AgentType, Dispatcher } from "undici";
import { CallError, classifyStatus, parseRetryAfter } from "../src/core/errors.ts";
import { basicAuthorization } from "../src/core/url.ts";
import { Arrivals, type ClockedResponse, clockedPost } from "./arrivals.ts";
import "./undici-h2-on-demand.ts";

// undici's index loads its whole client (fetch, WebSocket, caches, mocks: ~100 ms of every
// start); the transport needs only the Agent and the request API, loaded from their own files.
const undiciPart = createRequire(import.meta.url);
const Agent = undiciPart("undici/lib/dispatcher/agent.js") as typeof AgentType;
const apiRequest = undiciPart("undici/lib/api/api-request.js") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/**
 * One pool for every runner: unlimited connections per origin (the engine caps concurrency),
 * kept alive between calls so a benchmark does not measure TCP handshakes. Header and body
 * timeouts are off: the engine owns per-call timeouts and aborts `request.signal`.
 */
export const httpAgent = new Agent({
  connections: null,
  pipelining: 1,
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  headersTimeout: 0,
  bodyTimeout: 0,
});

/**
 * A pool that never keeps a connection (every request on it says `Connection: close`), so each
 * request on it opens a new one: for re-sending after a stale kept-alive connection.
 */
const freshAgent = new Agent({ pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });

/**
 * A POST that has been issued: `tSent` is `performance.now()` (ms) just before it was;
 * `arrivals` gets the arrival time of every chunk of its response body.
 */
export interface IssuedRequest {
  tSent: number;
  response: Promise<ClockedResponse>;
  arrivals: Arrivals;
}

export interface PostOptions {
  signal: AbortSignal;
  headers?: Record<string, string>;
  /** Send on a new connection (closed afterwards), never on a pooled one. */
  freshConnection?: boolean;
}

/** A JSON POST's own headers; shared by every request that adds none (undici only reads them). */
const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "application/json",
  accept: "*/*",
});

/** Longest error-body excerpt kept in a `CallError` message, in characters. */
const ERROR_BODY_CHARS = 1_000;

/**
 * Issues `POST url` with a JSON body. The body is serialised first, so `tSent` is taken just
 * before the request goes to the transport; the caller emits `sent` and then awaits
 * `openResponse()`.
 */
export function postJson(url: string, body: unknown, options: PostOptions): IssuedRequest {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  const headers = options.headers ? { ...JSON_HEADERS, ...options.headers } : JSON_HEADERS;
  const arrivals = new Arrivals();
  const tSent = performance.now();
  const response = clockedPost(
    options.freshConnection ? freshAgent : httpAgent,
    url,
    { headers, body: payload, signal: options.signal, reset: options.freshConnection === true },
    arrivals,
  );
  // Failures are rethrown by openResponse(); until then keep them from being "unhandled".
  response.catch(() => {});
  return { tSent, response, arrivals };
}

/** How a runner reads a failed response; the defaults suit llama-server. */
export interface OpenOptions {
  /**
   * The wait the failed response asks for, in milliseconds (from its headers or body), or
   * undefined. Default: `Retry-After` only.
   */
  retryAfterMs?: (headers: ClockedResponse["headers"], status: number, body: string) => number | undefined;
}

/**
 * Waits for the response headers. Non-2xx answers become a `CallError` classified by status,
 * with an excerpt of the body and the server's retry delay parsed; transport failures become
 * `network` (or the abort reason).
 */
export async function openResponse(
  issued: IssuedRequest,
  signal: AbortSignal,
  options: OpenOptions = {},
): Promise<ClockedResponse> {
  let response: ClockedResponse;
  try {
    response = await issued.response;
  } catch (error) {
    throw transportError(error, signal, "network");
  }
  if (response.statusCode >= 200 && response.statusCode < 300) return response;
  const text = await response.body.text().catch(() => "");
  const retryAfter = response.headers["retry-after"];
  const retryAfterMs = options.retryAfterMs
    ? options.retryAfterMs(response.headers, response.statusCode, text)
    : parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
  throw new CallError(
    classifyStatus(response.statusCode),
    `HTTP ${response.statusCode}: ${errorExcerpt(text)}`,
    { status: response.statusCode, retryAfterMs },
  );
}

/** Error codes of a request written to a pooled connection the server had just closed. */
const STALE_SOCKET_CODES = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

/**
 * Whether a POST failed because its kept-alive connection was already closed by the server: the
 * socket had carried an earlier response (bytes read before this request) and closed without
 * answering this one. llama-server, for one, closes after every streamed response without
 * announcing it, so the next request can race the close; such a request never reached the
 * server's handler, so sending it again is safe. A reset on a fresh connection is a real failure.
 */
export function isStaleConnectionError(error: unknown): boolean {
  const { code, socket } = (error ?? {}) as { code?: unknown; socket?: { bytesRead?: unknown } };
  return (
    typeof code === "string" &&
    STALE_SOCKET_CODES.has(code) &&
    typeof socket?.bytesRead === "number" &&
    socket.bytesRead > 0
  );
}

/**
 * POSTs JSON and opens the response on a kept-alive connection; when the pooled connection
 * turns out to be closed already (see {@link isStaleConnectionError}), sends once more on a new
 * one. `tSent` is when the request that was answered began to be written to its connection.
 */
export async function sendJson(
  url: string,
  body: unknown,
  options: PostOptions,
  open: OpenOptions = {},
): Promise<{ tSent: number; response: ClockedResponse; arrivals: Arrivals }> {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  let issued = postJson(url, payload, options);
  let response: ClockedResponse | undefined;
  try {
    response = await issued.response;
  } catch (error) {
    if (!isStaleConnectionError(error) || options.signal.aborted)
      throw transportError(error, options.signal, "network");
    // Another pooled connection may be just as stale: the re-send goes on a new one.
    issued = postJson(url, payload, { ...options, freshConnection: true });
  }
  // A 2xx answer on the first connection needs nothing more (no second wait, once per call).
  if (response === undefined || response.statusCode < 200 || response.statusCode >= 300)
    response = await openResponse(issued, options.signal, open);
  // The transport's send time when it has one (see Arrivals.sentAt).
  return { tSent: issued.arrivals.sentAt ?? issued.tSent, response, arrivals: issued.arrivals };
}

/**
 * Reads a whole JSON body. `tEnd` is `performance.now()` (ms) when its last chunk arrived: the
 * transport's time from `arrivals` when the body came through a clocked request, else when it was
 * read. Malformed JSON is a `parse` error; a body cut short is `stream_aborted`.
 */
export async function readJsonBody(
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  arrivals?: Arrivals,
): Promise<{ value: unknown; tEnd: number }> {
  const chunks: Uint8Array[] = [];
  let tEnd = performance.now();
  let consumed = 0;
  try {
    for await (const chunk of body) {
      consumed += chunk.byteLength;
      tEnd = arrivals ? arrivals.timeOf(consumed) : performance.now();
      chunks.push(chunk);
    }
  } catch (error) {
    throw transportError(error, signal, "stream_aborted");
  }
  const text = Buffer.concat(chunks).toString("utf8");
  return { value: parseJson(text), tEnd };
}

/** Parses one JSON document, throwing a `parse` CallError with an excerpt when malformed. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CallError("parse", `malformed JSON from the server: ${errorExcerpt(text)}`, { cause: error });
  }
}

/**
 * The CallError for a transport failure. When `signal` was aborted its reason wins: the engine
 * aborts with a `CallError("timeout")`; any other reason is `aborted`. Otherwise `fallback`:
 * `network` before the response started, `stream_aborted` while its body was being read.
 */
export function transportError(
  error: unknown,
  signal: AbortSignal,
  fallback: "network" | "stream_aborted",
): CallError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof CallError) return reason;
    return new CallError("aborted", "the call was aborted", { cause: reason });
  }
  if (error instanceof CallError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const detail = typeof code === "string" ? `${message} (${code})` : message;
  const what = fallback === "network" ? "request failed" : "response body ended early";
  return new CallError(fallback, `${what}: ${detail}`, { cause: error });
}

/** A short, single-line excerpt of an error body: `error.message` when it is OpenAI-style JSON. */
export function errorExcerpt(text: string): string {
  let message = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const inner = typeof parsed.error === "object" ? parsed.error?.message : parsed.error;
    const found = inner ?? parsed.message;
    if (typeof found === "string" && found) message = found;
  } catch {
    // not JSON: keep the raw text
  }
  const oneLine = message.replace(/\s+/g, " ").trim();
  return oneLine.length > ERROR_BODY_CHARS
    ? `${oneLine.slice(0, ERROR_BODY_CHARS)}…`
    : oneLine || "(empty body)";
}

/**
 * A GET for probes and metadata (not timed): the status and the body parsed as JSON when it is.
 * The connection is closed afterwards, so probes never hold a server's keep-alive threads.
 */
export async function getJson(
  url: string,
  signal: AbortSignal,
): Promise<{ status: number; value: unknown; text: string }> {
  const target = new URL(url);
  const authorization = basicAuthorization(target);
  const response = await apiRequest.call(httpAgent, {
    origin: target.origin,
    path: `${target.pathname}${target.search}`,
    method: "GET",
    signal,
    reset: true,
    ...(authorization && { headers: { authorization } }),
  });
  const text = await response.body.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  return { status: response.statusCode, value, text };
}
