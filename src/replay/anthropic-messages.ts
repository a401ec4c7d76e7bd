/** Anthropic Messages API request params and response message → a logged call. */
import { canonicalUsage } from "../../runners/call-summary.ts";
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

const IMAGE_OR_AUDIO = new Set(["image", "document", "audio", "input_audio"]);

function blockText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  let text = "";
  for (const block of content) {
    if (isObject(block) && block.type === "text") text += str(block.text) ?? "";
    else if (isObject(block) && IMAGE_OR_AUDIO.has(String(block.type)))
      throw new SkipLine("image or audio input");
  }
  return text;
}

function messagesOf(system: unknown, value: unknown): ChatMessage[] {
  if (!Array.isArray(value) || value.length === 0) throw new SkipLine("no input messages");
  const messages: ChatMessage[] = [];
  const systemText = blockText(system);
  if (systemText !== "") messages.push({ role: "system", content: systemText });
  for (const m of value) {
    if (!isObject(m) || (m.role !== "user" && m.role !== "assistant")) throw new SkipLine("malformed line");
    if (typeof m.content === "string") {
      messages.push({ role: m.role, content: m.content });
      continue;
    }
    if (!Array.isArray(m.content)) throw new SkipLine("malformed line");
    let text = "";
    const calls: ToolCall[] = [];
    for (const block of m.content) {
      if (!isObject(block)) continue;
      if (block.type === "text") text += str(block.text) ?? "";
      else if (block.type === "tool_use") calls.push(toolCall(block));
      else if (block.type === "tool_result") {
        messages.push({
          role: "tool",
          content: blockText(block.content),
          ...(typeof block.tool_use_id === "string" && { toolCallId: block.tool_use_id }),
        });
      } else if (IMAGE_OR_AUDIO.has(String(block.type))) throw new SkipLine("image or audio input");
    }
    if (text !== "" || calls.length > 0) {
      messages.push({ role: m.role, content: text, ...(calls.length > 0 && { toolCalls: calls }) });
    }
  }
  return messages;
}

function toolCall(block: Record<string, unknown>): ToolCall {
  return {
    ...(typeof block.id === "string" && { id: block.id }),
    name: str(block.name) ?? "",
    arguments: JSON.stringify(block.input ?? {}),
  };
}

export function anthropicTools(value: unknown): ToolDefinition[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((tool) => {
    // Server tools (web_search, bash, computer …) have a `type` and no input_schema.
    if (!isObject(tool) || typeof tool.name !== "string" || !isObject(tool.input_schema)) {
      throw new SkipLine("non-function tool");
    }
    return {
      name: tool.name,
      ...(typeof tool.description === "string" && { description: tool.description }),
      parameters: tool.input_schema,
    };
  });
}

export function anthropicAnswer(message: unknown, latencyMs?: number): RecordedAnswer {
  if (!isObject(message) || !Array.isArray(message.content)) throw new SkipLine("no response");
  let output = "";
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (isObject(block) && block.type === "text") output += str(block.text) ?? "";
    else if (isObject(block) && block.type === "tool_use") toolCalls.push(toolCall(block));
  }
  const usage = isObject(message.usage) ? message.usage : {};
  return {
    output,
    toolCalls,
    ...(typeof message.stop_reason === "string" && { finishReason: message.stop_reason }),
    ...(typeof message.model === "string" && { model: message.model }),
    ...(typeof message.id === "string" && { id: message.id }),
    // Anthropic's input_tokens leave out cache reads and writes: canonical counts include them.
    usage: canonicalUsage(
      usageOf({
        inputTokens: num(usage.input_tokens),
        cachedInputTokens: num(usage.cache_read_input_tokens),
        cacheWriteInputTokens: num(usage.cache_creation_input_tokens),
        outputTokens: num(usage.output_tokens),
      }),
      "anthropic",
    ),
    ...(latencyMs !== undefined && { latencyMs }),
  };
}

const NOT_PARAMS = new Set(["model", "messages", "system", "tools", "stream", "metadata"]);

export function anthropicCall(params: unknown, message: unknown, latencyMs?: number): LoggedCall {
  if (!isObject(params)) throw new SkipLine("malformed line");
  const tools = anthropicTools(params.tools);
  return {
    model: str(params.model) ?? (isObject(message) ? (str(message.model) ?? "unknown") : "unknown"),
    provider: "anthropic",
    messages: messagesOf(params.system, params.messages),
    ...(tools && { tools }),
    params: paramsOf(params, NOT_PARAMS),
    answer: anthropicAnswer(message, latencyMs),
  };
}
