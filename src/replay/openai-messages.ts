/** OpenAI Chat Completions request and response bodies → a logged call's messages, tools and answer. */
import type { ChatMessage, ToolCall, ToolDefinition } from "../core/runner.ts";
import {
  isObject,
  type LoggedCall,
  num,
  paramsOf,
  type RecordedAnswer,
  SkipLine,
  str,
  usageOf,
} from "./logged-call.ts";

/** Text of a message's content: a string, or text parts joined; image/audio/file parts skip the call. */
export function textOf(content: unknown, textTypes: readonly string[] = ["text"]): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) return "";
  if (!Array.isArray(content)) throw new SkipLine("malformed line");
  let text = "";
  for (const part of content) {
    if (typeof part === "string") text += part;
    else if (isObject(part) && textTypes.includes(String(part.type))) text += str(part.text) ?? "";
    else throw new SkipLine("image or audio input");
  }
  return text;
}

// The converters below run once per logged line: objects are built by assignment, in the
// fields' order, rather than by spreading conditional objects (each spread allocates and copies).

function toolCallsOf(value: unknown): ToolCall[] {
  if (!Array.isArray(value)) return [];
  return value.map((call) => {
    const fn = isObject(call) && isObject(call.function) ? call.function : {};
    const args = fn.arguments;
    const name = str(fn.name) ?? "";
    const text = typeof args === "string" ? args : JSON.stringify(args ?? {});
    return isObject(call) && typeof call.id === "string"
      ? { id: call.id, name, arguments: text }
      : { name, arguments: text };
  });
}

export function chatMessages(value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new SkipLine("no input messages");
  return value.map((m): ChatMessage => {
    if (!isObject(m)) throw new SkipLine("malformed line");
    const role = m.role === "developer" ? "system" : m.role;
    if (role !== "system" && role !== "user" && role !== "assistant" && role !== "tool") {
      throw new SkipLine("malformed line");
    }
    const message: ChatMessage = { role, content: textOf(m.content) };
    const calls = toolCallsOf(m.tool_calls);
    if (calls.length > 0) message.toolCalls = calls;
    if (typeof m.tool_call_id === "string") message.toolCallId = m.tool_call_id;
    return message;
  });
}

export function chatTools(value: unknown): ToolDefinition[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((tool) => {
    // Responses API tools are flat ({type, name, parameters}); Chat Completions nest a `function`.
    const fn = isObject(tool) && isObject(tool.function) ? tool.function : tool;
    if (!isObject(tool) || tool.type !== "function" || !isObject(fn) || typeof fn.name !== "string") {
      throw new SkipLine("non-function tool");
    }
    return {
      name: fn.name,
      ...(typeof fn.description === "string" && { description: fn.description }),
      ...(isObject(fn.parameters) && { parameters: fn.parameters }),
    };
  });
}

export function chatAnswer(body: unknown, latencyMs?: number): RecordedAnswer {
  if (!isObject(body) || !Array.isArray(body.choices) || !isObject(body.choices[0])) {
    throw new SkipLine("no response");
  }
  const choice = body.choices[0];
  const message = isObject(choice.message) ? choice.message : {};
  const usage = isObject(body.usage) ? body.usage : {};
  const promptDetails = isObject(usage.prompt_tokens_details) ? usage.prompt_tokens_details : {};
  const completionDetails = isObject(usage.completion_tokens_details) ? usage.completion_tokens_details : {};
  const answer: RecordedAnswer = {
    output: typeof message.content === "string" ? message.content : "",
    toolCalls: toolCallsOf(message.tool_calls),
  } as RecordedAnswer;
  if (typeof choice.finish_reason === "string") answer.finishReason = choice.finish_reason;
  if (typeof body.model === "string") answer.model = body.model;
  if (typeof body.id === "string") answer.id = body.id;
  answer.usage = usageOf({
    inputTokens: num(usage.prompt_tokens),
    cachedInputTokens: num(promptDetails.cached_tokens),
    outputTokens: num(usage.completion_tokens),
    reasoningTokens: num(completionDetails.reasoning_tokens),
  });
  if (latencyMs !== undefined) answer.latencyMs = latencyMs;
  return answer;
}

const NOT_PARAMS = new Set([
  "model",
  "messages",
  "tools",
  "response_format",
  "stream",
  "stream_options",
  "user",
  "metadata",
  "store",
]);

/** A Chat Completions request body and its response body as one call. */
export function chatCall(request: unknown, response: unknown, latencyMs?: number): LoggedCall {
  if (!isObject(request)) throw new SkipLine("malformed line");
  const tools = chatTools(request.tools);
  const call = {
    model: str(request.model) ?? (isObject(response) ? (str(response.model) ?? "unknown") : "unknown"),
    messages: chatMessages(request.messages),
  } as LoggedCall;
  if (tools) call.tools = tools;
  if (request.response_format !== undefined) call.responseFormat = request.response_format;
  call.params = paramsOf(request, NOT_PARAMS);
  call.answer = chatAnswer(response, latencyMs);
  return call;
}

/** A latency field some loggers write next to the pair (ms, or s for `latency_s`/`duration_s`). */
export function loggedLatencyMs(line: Record<string, unknown>): number | undefined {
  for (const key of ["latency_ms", "duration_ms", "elapsed_ms", "response_ms"]) {
    const value = num(line[key]);
    if (value !== undefined && value >= 0) return value;
  }
  for (const key of ["latency_s", "duration_s"]) {
    const value = num(line[key]);
    if (value !== undefined && value >= 0) return value * 1000;
  }
  return undefined;
}
