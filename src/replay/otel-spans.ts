/**
 * OpenTelemetry GenAI spans, exported as OTLP JSON lines (one ExportTraceServiceRequest per line,
 * as the collector's file exporter writes them): the `gen_ai.*` attributes give the model, the
 * input and output messages (where captured), token usage; the span's times give the latency.
 */
import type { ChatMessage, ToolCall, ToolDefinition } from "../core/runner.ts";
import {
  isObject,
  type LoggedCall,
  num,
  type ParsedLine,
  SkipLine,
  type SkipReason,
  str,
  usageOf,
} from "./logged-call.ts";

/** An OTLP AnyValue as plain JSON. */
function anyValue(value: unknown): unknown {
  if (!isObject(value)) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("boolValue" in value) return value.boolValue;
  if (isObject(value.arrayValue)) {
    return Array.isArray(value.arrayValue.values) ? value.arrayValue.values.map(anyValue) : [];
  }
  // Structured attributes (`gen_ai.input.messages` as an array of maps, not JSON text) are kvlists.
  if (isObject(value.kvlistValue)) {
    const object: Record<string, unknown> = {};
    const values = Array.isArray(value.kvlistValue.values) ? value.kvlistValue.values : [];
    for (const entry of values) {
      if (isObject(entry) && typeof entry.key === "string") object[entry.key] = anyValue(entry.value);
    }
    return object;
  }
  return undefined;
}

function attributesOf(span: Record<string, unknown>): Map<string, unknown> {
  const map = new Map<string, unknown>();
  if (Array.isArray(span.attributes)) {
    for (const a of span.attributes)
      if (isObject(a) && typeof a.key === "string") map.set(a.key, anyValue(a.value));
  }
  return map;
}

const parsedJson = (value: unknown): unknown => {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new SkipLine("malformed line");
  }
};

/** Parts of a GenAI message (`{type: text, content}`, `{type: tool_call, …}`, `{type: tool_call_response, …}`). */
function partsOf(message: Record<string, unknown>): { text: string; calls: ToolCall[]; responseTo?: string } {
  let text = "";
  const calls: ToolCall[] = [];
  let responseTo: string | undefined;
  const parts = Array.isArray(message.parts) ? message.parts : [];
  for (const part of parts) {
    if (!isObject(part)) continue;
    if (part.type === "text") text += str(part.content) ?? "";
    else if (part.type === "tool_call") {
      calls.push({
        ...(typeof part.id === "string" && { id: part.id }),
        name: str(part.name) ?? "",
        arguments: typeof part.arguments === "string" ? part.arguments : JSON.stringify(part.arguments ?? {}),
      });
    } else if (part.type === "tool_call_response") {
      responseTo = str(part.id);
      text += typeof part.response === "string" ? part.response : JSON.stringify(part.response ?? "");
    } else if (part.type === "reasoning") {
      // not sent back to a chat model
    } else throw new SkipLine("image or audio input");
  }
  return { text, calls, ...(responseTo !== undefined && { responseTo }) };
}

/**
 * The request's messages: the system instructions' (`systemMessages`), then the input's
 * (`conversation`). The raw-line key reader (otel-line-key.ts) calls these, `outputParts` and
 * `toolsOf` in `spanCall`'s order, so that a span it keys gives a call and one it does not gives
 * the same skip.
 */
export function inputMessages(system: unknown, input: unknown): ChatMessage[] {
  return conversation(input, systemMessages(system));
}

/** The system instructions as the first message (none when empty). */
export function systemMessages(system: unknown): ChatMessage[] {
  const instructions = parsedJson(system);
  if (!Array.isArray(instructions)) return [];
  const text = partsOf({ parts: instructions }).text;
  return text === "" ? [] : [{ role: "system", content: text }];
}

/** The input messages, appended to `messages`. */
export function conversation(input: unknown, messages: ChatMessage[]): ChatMessage[] {
  const list = parsedJson(input);
  if (!Array.isArray(list) || list.length === 0) throw new SkipLine("no input messages");
  for (const m of list) {
    if (!isObject(m)) throw new SkipLine("malformed line");
    const { text, calls, responseTo } = partsOf(m);
    const role = m.role === "developer" ? "system" : m.role;
    if (role !== "system" && role !== "user" && role !== "assistant" && role !== "tool") {
      throw new SkipLine("malformed line");
    }
    messages.push({
      role,
      content: text,
      ...(calls.length > 0 && { toolCalls: calls }),
      ...(responseTo !== undefined && { toolCallId: responseTo }),
    });
  }
  return messages;
}

export function toolsOf(value: unknown): ToolDefinition[] | undefined {
  const list = parsedJson(value);
  if (!Array.isArray(list) || list.length === 0) return undefined;
  return list.map((tool) => {
    const fn = isObject(tool) && isObject(tool.function) ? tool.function : tool;
    if (!isObject(fn) || typeof fn.name !== "string") throw new SkipLine("non-function tool");
    return {
      name: fn.name,
      ...(typeof fn.description === "string" && { description: fn.description }),
      ...(isObject(fn.parameters) && { parameters: fn.parameters }),
    };
  });
}

const PARAMS: Record<string, string> = {
  "gen_ai.request.temperature": "temperature",
  "gen_ai.request.max_tokens": "max_tokens",
  "gen_ai.request.top_p": "top_p",
  "gen_ai.request.top_k": "top_k",
  "gen_ai.request.seed": "seed",
  "gen_ai.request.stop_sequences": "stop",
};

/** The first output message and its parts (the recorded answer), or the span's skip. */
export function outputParts(
  value: unknown,
): ReturnType<typeof partsOf> & { message: Record<string, unknown> } {
  const output = parsedJson(value);
  if (!Array.isArray(output) || !isObject(output[0])) throw new SkipLine("no response");
  return { message: output[0], ...partsOf(output[0]) };
}

function spanCall(span: Record<string, unknown>, a: Map<string, unknown>): LoggedCall {
  const { message, text, calls } = outputParts(a.get("gen_ai.output.messages"));
  const latencyMs = spanMs(span.startTimeUnixNano, span.endTimeUnixNano);
  const reasons = a.get("gen_ai.response.finish_reasons");
  const finishReason = str(message.finish_reason) ?? (Array.isArray(reasons) ? str(reasons[0]) : undefined);
  const params: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(PARAMS)) if (a.has(key)) params[name] = a.get(key);
  const tools = toolsOf(a.get("gen_ai.tool.definitions"));
  const system = str(a.get("gen_ai.provider.name")) ?? str(a.get("gen_ai.system"));
  const model = str(a.get("gen_ai.request.model")) ?? str(a.get("gen_ai.response.model")) ?? "unknown";
  const responseModel = str(a.get("gen_ai.response.model"));
  const responseId = str(a.get("gen_ai.response.id"));
  const format = str(a.get("gen_ai.output.type"));
  return {
    model,
    ...(system !== undefined && { provider: system }),
    messages: inputMessages(a.get("gen_ai.system_instructions"), a.get("gen_ai.input.messages")),
    ...(tools && { tools }),
    ...(format === "json" && { responseFormat: { type: "json_object" } }),
    params,
    answer: {
      output: text,
      toolCalls: calls,
      ...(finishReason !== undefined && { finishReason }),
      ...(responseModel !== undefined && { model: responseModel }),
      ...(responseId !== undefined && { id: responseId }),
      usage: usageOf({
        inputTokens: num(a.get("gen_ai.usage.input_tokens")),
        outputTokens: num(a.get("gen_ai.usage.output_tokens")),
      }),
      ...(latencyMs !== undefined && { latencyMs }),
    },
  };
}

/** A span's duration in ms: epoch nanoseconds exceed a double's integers, so they are subtracted as BigInts. */
function spanMs(start: unknown, end: unknown): number | undefined {
  const nanos = (v: unknown) =>
    typeof v === "string" && /^\d+$/.test(v)
      ? BigInt(v)
      : typeof v === "number"
        ? BigInt(Math.trunc(v))
        : undefined;
  const a = nanos(start);
  const b = nanos(end);
  return a !== undefined && b !== undefined && b > a ? Number(b - a) / 1e6 : undefined;
}

export const MODEL_OPERATIONS = new Set(["chat", "text_completion", "generate_content"]);

/** One span as a call, the reason it is skipped, or undefined: not a model call (passed over). */
export function otelSpan(span: unknown): LoggedCall | SkipReason | undefined {
  if (!isObject(span)) return undefined;
  const attributes = attributesOf(span);
  const operation = str(attributes.get("gen_ai.operation.name"));
  if (operation === undefined || !MODEL_OPERATIONS.has(operation)) return undefined;
  try {
    return spanCall(span, attributes);
  } catch (error) {
    if (!(error instanceof SkipLine)) throw error;
    return error.reason;
  }
}

/** Every GenAI model-call span of one OTLP export line (other spans are not calls and are passed over). */
export function otelLine(line: Record<string, unknown>): ParsedLine {
  const calls: LoggedCall[] = [];
  const skipped: SkipReason[] = [];
  const resourceSpans = Array.isArray(line.resourceSpans) ? line.resourceSpans : [];
  for (const rs of resourceSpans) {
    const scopeSpans = isObject(rs) && Array.isArray(rs.scopeSpans) ? rs.scopeSpans : [];
    for (const ss of scopeSpans) {
      const spans = isObject(ss) && Array.isArray(ss.spans) ? ss.spans : [];
      for (const span of spans) {
        const call = otelSpan(span);
        if (typeof call === "string") skipped.push(call);
        else if (call) calls.push(call);
      }
    }
  }
  return { calls, skipped };
}
