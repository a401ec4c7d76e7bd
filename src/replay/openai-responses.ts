/** OpenAI Responses API request and response bodies → a logged call. */
import type { ChatMessage, ToolCall } from "../core/runner.ts";
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
import { chatTools, textOf } from "./openai-messages.ts";

const INPUT_TEXT = ["input_text", "output_text", "text"];

function inputMessages(instructions: unknown, input: unknown): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (typeof instructions === "string" && instructions !== "")
    messages.push({ role: "system", content: instructions });
  if (typeof input === "string") return [...messages, { role: "user", content: input }];
  if (!Array.isArray(input) || input.length === 0) throw new SkipLine("no input messages");
  for (const item of input) {
    if (!isObject(item)) throw new SkipLine("malformed line");
    if (item.type === "function_call") {
      const call: ToolCall = { name: str(item.name) ?? "", arguments: str(item.arguments) ?? "{}" };
      if (typeof item.call_id === "string") call.id = item.call_id;
      const last = messages.at(-1);
      if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
      else messages.push({ role: "assistant", content: "", toolCalls: [call] });
    } else if (item.type === "function_call_output") {
      messages.push({
        role: "tool",
        content: typeof item.output === "string" ? item.output : JSON.stringify(item.output ?? ""),
        ...(typeof item.call_id === "string" && { toolCallId: item.call_id }),
      });
    } else if (item.type === undefined || item.type === "message") {
      const role = item.role === "developer" ? "system" : item.role;
      if (role !== "system" && role !== "user" && role !== "assistant") throw new SkipLine("malformed line");
      messages.push({ role, content: textOf(item.content, INPUT_TEXT) });
    } else if (item.type === "reasoning") {
      // A previous turn's reasoning summary: not part of what a chat model is sent.
    } else {
      throw new SkipLine("image or audio input");
    }
  }
  return messages;
}

export function responsesAnswer(body: unknown, latencyMs?: number): RecordedAnswer {
  if (!isObject(body) || !Array.isArray(body.output)) throw new SkipLine("no response");
  if (body.status === "failed") throw new SkipLine("failed response");
  let output = "";
  const toolCalls: ToolCall[] = [];
  for (const item of body.output) {
    if (!isObject(item)) continue;
    if (item.type === "message" && Array.isArray(item.content)) {
      for (const part of item.content)
        if (isObject(part) && part.type === "output_text") output += str(part.text) ?? "";
    } else if (item.type === "function_call") {
      toolCalls.push({
        ...(typeof item.call_id === "string" && { id: item.call_id }),
        name: str(item.name) ?? "",
        arguments: str(item.arguments) ?? "{}",
      });
    }
  }
  const usage = isObject(body.usage) ? body.usage : {};
  const inDetails = isObject(usage.input_tokens_details) ? usage.input_tokens_details : {};
  const outDetails = isObject(usage.output_tokens_details) ? usage.output_tokens_details : {};
  const incomplete = isObject(body.incomplete_details) ? str(body.incomplete_details.reason) : undefined;
  const finishReason = incomplete ?? (toolCalls.length > 0 ? "tool_calls" : str(body.status));
  return {
    output,
    toolCalls,
    ...(finishReason !== undefined && { finishReason }),
    ...(typeof body.model === "string" && { model: body.model }),
    ...(typeof body.id === "string" && { id: body.id }),
    usage: usageOf({
      inputTokens: num(usage.input_tokens),
      cachedInputTokens: num(inDetails.cached_tokens),
      outputTokens: num(usage.output_tokens),
      reasoningTokens: num(outDetails.reasoning_tokens),
    }),
    ...(latencyMs !== undefined && { latencyMs }),
  };
}

const NOT_PARAMS = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "text",
  "stream",
  "store",
  "metadata",
  "user",
]);

export function responsesCall(request: unknown, response: unknown, latencyMs?: number): LoggedCall {
  if (!isObject(request)) throw new SkipLine("malformed line");
  const tools = chatTools(request.tools);
  const format = isObject(request.text) ? request.text.format : undefined;
  return {
    model: str(request.model) ?? (isObject(response) ? (str(response.model) ?? "unknown") : "unknown"),
    messages: inputMessages(request.instructions, request.input),
    ...(tools && { tools }),
    ...(format !== undefined && { responseFormat: format }),
    params: paramsOf(request, NOT_PARAMS),
    answer: responsesAnswer(response, latencyMs),
  };
}
