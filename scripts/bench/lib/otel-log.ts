/**
 * A synthetic OTLP JSON log of GenAI spans, one ExportTraceServiceRequest a line as the
 * collector's file exporter writes them, in two shapes:
 *
 * - `genai`: every span a GenAI chat span (100 a line, ~1.7 KB each): the densest log per call;
 * - `traced`: what an instrumented service exports. Each call is a trace of three spans: the
 *   service's HTTP server span (fastapi), the chat span under it (openai-v2 instrumentation, the
 *   messages captured as JSON-string attributes as opentelemetry-util-genai writes them), and the
 *   HTTP client span of the API call under that (httpx); a line is one batch export: the
 *   resource's attributes once, then its spans grouped by instrumentation scope.
 *
 * Calls are as the chat bench log's (replay-log.ts): three models, every fifth with tools, four
 * lengths, every seventh an exact repeat. Shared by the replay bench and tests.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";

export type OtelShape = "genai" | "traced";

const MODELS = ["gpt-4.1", "gpt-4.1-mini", "gpt-4o"];
const LABELS = ["positive", "negative", "neutral"];
const TOOLS = [
  {
    type: "function",
    name: "lookup",
    description: "Finds a product",
    parameters: { type: "object", properties: { q: { type: "string" } } },
  },
];
/** Python's json.dumps separators (the instrumentation serialises the messages with them). */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`)
      .join(", ")}}`;
  return JSON.stringify(value);
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const int = (key: string, value: number) => ({ key, value: { intValue: String(value) } });
const dbl = (key: string, value: number) => ({ key, value: { doubleValue: value } });
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, "0").slice(-digits);
const nanos = (ms: number) => `${BigInt(1_760_000_000_000 + ms) * 1_000_000n}`;

/** The chat span of call `i` (its parent and trace ids given). */
function chatSpan(i: number, traceId: string, parentSpanId: string | undefined): Record<string, unknown> {
  const n = i % 7 === 6 ? i - 6 : i;
  const model = MODELS[n % 3]!;
  const tools = n % 5 === 0;
  const text = `Review ${n}: ${'the product was fine, "ok"\n'.repeat(1 + (n % 4) * 4)}`;
  const input = [{ role: "user", parts: [{ type: "text", content: text }] }];
  const output = [
    tools
      ? {
          role: "assistant",
          parts: [{ type: "tool_call", id: `call_${n}`, name: "lookup", arguments: { q: String(n) } }],
          finish_reason: "tool_call",
        }
      : { role: "assistant", parts: [{ type: "text", content: LABELS[n % 3] }], finish_reason: "stop" },
  ];
  const start = i * 40;
  const attributes = [
    str("gen_ai.operation.name", "chat"),
    str("gen_ai.provider.name", "openai"),
    str("gen_ai.request.model", model),
    dbl("gen_ai.request.temperature", 0),
    int("gen_ai.request.max_tokens", 50),
    str("server.address", "api.openai.com"),
    int("server.port", 443),
    str("gen_ai.response.model", `${model}-2025-04-14`),
    str("gen_ai.response.id", `chatcmpl-${hex(n * 2654435761, 24)}`),
    { key: "gen_ai.response.finish_reasons", value: { arrayValue: { values: [{ stringValue: "stop" }] } } },
    int("gen_ai.usage.input_tokens", 20 + (n % 4) * 60),
    int("gen_ai.usage.output_tokens", 2),
    str(
      "gen_ai.system_instructions",
      pyJson([{ type: "text", content: "Label the review: positive, negative or neutral." }]),
    ),
    str("gen_ai.input.messages", pyJson(input)),
    str("gen_ai.output.messages", pyJson(output)),
    ...(tools ? [str("gen_ai.tool.definitions", pyJson(TOOLS))] : []),
  ];
  return {
    traceId,
    spanId: hex(i * 3 + 2, 16),
    ...(parentSpanId && { parentSpanId }),
    flags: 257,
    name: `chat ${model}`,
    kind: 3,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(start + 200 + (n % 300)),
    attributes,
    status: {},
  };
}

function httpSpan(
  i: number,
  traceId: string,
  spanId: string,
  parentSpanId: string | undefined,
  server: boolean,
): Record<string, unknown> {
  const start = i * 40;
  return {
    traceId,
    spanId,
    ...(parentSpanId && { parentSpanId }),
    flags: 257,
    name: server ? "POST /v1/classify" : "POST",
    kind: server ? 2 : 3,
    startTimeUnixNano: nanos(start - (server ? 5 : -1)),
    endTimeUnixNano: nanos(start + 210),
    attributes: server
      ? [
          str("http.request.method", "POST"),
          str("url.scheme", "https"),
          str("url.path", "/v1/classify"),
          str("http.route", "/v1/classify"),
          str("network.protocol.version", "1.1"),
          str("user_agent.original", "python-requests/2.32.3"),
          int("http.response.status_code", 200),
        ]
      : [
          str("http.request.method", "POST"),
          str("url.full", "https://api.openai.com/v1/chat/completions"),
          str("server.address", "api.openai.com"),
          int("server.port", 443),
          int("http.response.status_code", 200),
        ],
    status: {},
  };
}

const RESOURCE = {
  attributes: [
    str("service.name", "review-labeller"),
    str("service.version", "1.4.2"),
    str("deployment.environment.name", "production"),
    str("telemetry.sdk.language", "python"),
    str("telemetry.sdk.name", "opentelemetry"),
    str("telemetry.sdk.version", "1.38.0"),
    str("host.name", "ip-10-0-3-17"),
  ],
};
const scope = (name: string) => ({ name, version: "0.59b0" });

/** Line `line` of the log: `calls` calls from `first` on. */
export function otelLine(shape: OtelShape, first: number, calls: number): string {
  const chats: Record<string, unknown>[] = [];
  const servers: Record<string, unknown>[] = [];
  const clients: Record<string, unknown>[] = [];
  for (let i = first; i < first + calls; i++) {
    const traceId = hex(i * 2246822519 + 1, 16) + hex(i + 1, 16);
    if (shape === "genai") {
      chats.push(chatSpan(i, traceId, undefined));
      continue;
    }
    const serverId = hex(i * 3 + 1, 16);
    const chat = chatSpan(i, traceId, serverId);
    chats.push(chat);
    servers.push(httpSpan(i, traceId, serverId, undefined, true));
    clients.push(httpSpan(i, traceId, hex(i * 3 + 3, 16), chat.spanId as string, false));
  }
  const scopeSpans =
    shape === "genai"
      ? [{ scope: scope("opentelemetry.instrumentation.openai_v2"), spans: chats }]
      : [
          { scope: scope("opentelemetry.instrumentation.httpx"), spans: clients },
          { scope: scope("opentelemetry.instrumentation.openai_v2"), spans: chats },
          { scope: scope("opentelemetry.instrumentation.fastapi"), spans: servers },
        ];
  return JSON.stringify({ resourceSpans: [{ resource: RESOURCE, scopeSpans, schemaUrl: "" }] });
}

/** Writes a log of `calls` GenAI calls, `perLine` a line (a batch export), in chunks. */
export async function writeSyntheticOtelLog(
  path: string,
  calls: number,
  shape: OtelShape,
  perLine = shape === "genai" ? 100 : 50,
): Promise<void> {
  const out = createWriteStream(path);
  let chunk = "";
  for (let first = 0; first < calls; first += perLine) {
    chunk += `${otelLine(shape, first, Math.min(perLine, calls - first))}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, "drain");
      chunk = "";
    }
  }
  out.end(chunk);
  await once(out, "finish");
}
