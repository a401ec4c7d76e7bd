/**
 * A local HTTP server that misbehaves on request, for what no real local server can show:
 * provider wire formats (Gemini), 429s with rate-limit headers, 5xx, streams cut halfway, SSE
 * split at arbitrary bytes, endless slow streams, huge bodies, and a proxy that echoes the
 * request's headers back. Real sockets, so the runners' undici transport is exercised as is.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as the server saw it. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Reply =
  /** A whole response: `body` is sent as is when a string, else as JSON. */
  | { kind: "json"; status?: number; headers?: Record<string, string>; body: unknown }
  /** A whole 200 response of `body` with `contentType` (an HTML page, plain text: not an event stream). */
  | { kind: "text"; contentType: string; body: string }
  /**
   * An event stream of `text` (SSE as written on the wire). `chunkBytes` cuts the bytes into
   * pieces of that size (events and UTF-8 characters split across reads), `gapMs` waits between
   * pieces, `dropAfterBytes` destroys the socket once that many bytes are out.
   */
  | {
      kind: "sse";
      text: string;
      chunkBytes?: number;
      gapMs?: number;
      dropAfterBytes?: number;
      /** Waits this long before the response's headers (a server thinking before it answers). */
      delayMs?: number;
    }
  /** An endless stream: `event` every `everyMs` until the client hangs up. */
  | { kind: "trickle"; event: string; everyMs: number }
  /** The request's headers sent back as the body, with `status`. */
  | { kind: "echo-headers"; status: number }
  /** The socket destroyed before any response. */
  | { kind: "reset" };

export interface FaultServer {
  url: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** Queues replies for the next requests, in order; with the queue empty, the route answers. */
  reply(...replies: Reply[]): void;
  /** Drops replies still queued (a test whose call needed fewer than it queued). */
  clearReplies(): void;
  close(): Promise<void>;
}

/** Starts the server on a free port; `route` answers requests no queued reply is waiting for. */
export async function startFaultServer(
  route: (request: ReceivedRequest) => Reply = () => ({ kind: "json", status: 404, body: "no reply queued" }),
): Promise<FaultServer> {
  const requests: ReceivedRequest[] = [];
  const queue: Reply[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(received);
      void send(res, queue.shift() ?? route(received), received);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...replies) => {
      queue.push(...replies);
    },
    clearReplies: () => {
      queue.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function send(res: ServerResponse, reply: Reply, request: ReceivedRequest): Promise<void> {
  switch (reply.kind) {
    case "json": {
      const body = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      res.end(body);
      return;
    }
    case "text":
      res.writeHead(200, { "content-type": reply.contentType });
      res.end(reply.body);
      return;
    case "echo-headers":
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `request headers: ${JSON.stringify(request.headers)}` } }));
      return;
    case "reset":
      res.socket?.destroy();
      return;
    case "trickle": {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const timer = setInterval(() => res.write(reply.event), reply.everyMs);
      res.on("close", () => clearInterval(timer));
      return;
    }
    case "sse":
      await sendSse(res, reply);
  }
}

async function sendSse(res: ServerResponse, reply: Extract<Reply, { kind: "sse" }>): Promise<void> {
  if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
  if (res.destroyed) return;
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
  const bytes = Buffer.from(reply.text, "utf8");
  const limit = Math.min(bytes.length, reply.dropAfterBytes ?? bytes.length);
  const size = reply.chunkBytes ?? limit;
  for (let at = 0; at < limit; at += size) {
    if (res.destroyed) return;
    const piece = bytes.subarray(at, Math.min(at + size, limit));
    // Wait for the socket to take each piece, so pieces really arrive as separate reads.
    await new Promise<void>((resolve) => res.write(piece, () => resolve()));
    if (reply.gapMs) await new Promise((resolve) => setTimeout(resolve, reply.gapMs));
  }
  if (reply.dropAfterBytes !== undefined) {
    res.socket?.destroy();
    return;
  }
  res.end();
}

/** A file of fixtures/api (a recorded-format payload), as text. */
export function apiFixture(path: string): string {
  return readFileSync(new URL(`../../fixtures/api/${path}`, import.meta.url), "utf8");
}

/** One SSE event with a JSON payload (and an `event:` name when given), as written on the wire. */
export function sseEvent(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
}
