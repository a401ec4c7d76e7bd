/**
 * Anthropic's Messages API (`POST /v1/messages`): body, and responses streamed (named SSE events
 * from `message_start` to `message_stop`, with `ping` and `error` events between) or whole.
 * llama-server serves the same endpoint.
 */
import { CallError } from "../src/core/errors.ts";
import type {
  ChatMessage,
  GenerationRequest,
  RunnerEvent,
  TokenUsage,
  ToolChoice,
} from "../src/core/runner.ts";
import { unsupported } from "./api-call.ts";
import { asObject, canonicalUsage, count, inBandError, type Summary, summaryEvents } from "./call-summary.ts";
import { parseJson } from "./http.ts";
import type { SseBatch } from "./sse.ts";
import { argumentsObject, argumentsText, ToolCallAssembler, toolCallEvent } from "./tool-calls.ts";

export interface MessagesBodyOptions {
  model: string;
  /** Extended thinking budget in tokens; undefined: thinking off. */
  thinkingBudget?: number;
}

/**
 * Body of `POST /v1/messages`. `max_tokens` is required by the API. A JSON schema goes in
 * `output_config.format` (structured outputs, generally available; the older `output_format`
 * needed a beta header). The API has no seed (left out). With thinking on, the API accepts no
 * `temperature` or `top_k`: they are left out then.
 */
export function messagesBody(
  request: GenerationRequest,
  options: MessagesBodyOptions,
): Record<string, unknown> {
  if (request.structured?.type === "grammar")
    throw unsupported("a GBNF grammar", "the Anthropic Messages API");
  const thinking = options.thinkingBudget !== undefined;
  const body: Record<string, unknown> = { model: options.model, max_tokens: request.maxTokens };
  if (request.messages !== undefined) {
    const { system, messages } = anthropicMessages(request.messages);
    if (system !== "") body.system = system;
    body.messages = messages;
  } else {
    if (request.system !== undefined && request.system !== "") body.system = request.system;
    body.messages = [{ role: "user", content: request.prompt }];
  }
  body.stream = request.stream;
  if (request.temperature !== undefined && !thinking) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined && !thinking) body.top_k = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) body.stop_sequences = request.stop;
  if (thinking) body.thinking = { type: "enabled", budget_tokens: options.thinkingBudget };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      input_schema: tool.parameters ?? { type: "object", properties: {} },
    }));
  }
  if (request.toolChoice !== undefined) body.tool_choice = anthropicToolChoice(request.toolChoice);
  if (request.structured?.type === "json_schema") {
    body.output_config = { format: { type: "json_schema", schema: request.structured.schema } };
  }
  return body;
}

/** `tool_choice` in Anthropic's words: `required` is `any`, a named function is `tool`. */
function anthropicToolChoice(choice: ToolChoice): Record<string, unknown> {
  if (typeof choice !== "string") return { type: "tool", name: choice.name };
  return { type: choice === "required" ? "any" : choice };
}

/**
 * A conversation in Messages form: system turns joined into the top-level `system`; an
 * assistant's tool calls as `tool_use` blocks (arguments parsed back to an object, `{}` when
 * they are not JSON); tool results as `tool_result` blocks of a user turn, consecutive ones in one.
 */
export function anthropicMessages(messages: readonly ChatMessage[]): {
  system: string;
  messages: Record<string, unknown>[];
} {
  const system: string[] = [];
  const out: { role: string; content: string | Record<string, unknown>[] }[] = [];
  for (const message of messages) {
    if (message.role === "system") {
      system.push(message.content);
    } else if (message.role === "tool") {
      const block = { type: "tool_result", tool_use_id: message.toolCallId ?? "", content: message.content };
      const last = out.at(-1);
      const lastIsResults =
        last?.role === "user" && Array.isArray(last.content) && last.content[0]?.type === "tool_result";
      if (lastIsResults) (last.content as Record<string, unknown>[]).push(block);
      else out.push({ role: "user", content: [block] });
    } else if (message.role === "assistant" && message.toolCalls?.length) {
      const blocks: Record<string, unknown>[] = [];
      if (message.content !== "") blocks.push({ type: "text", text: message.content });
      for (const [index, call] of message.toolCalls.entries()) {
        blocks.push({
          type: "tool_use",
          id: call.id ?? `toolu_${index}`,
          name: call.name,
          input: argumentsObject(call.arguments) ?? {},
        });
      }
      out.push({ role: "assistant", content: blocks });
    } else {
      out.push({ role: message.role, content: message.content });
    }
  }
  return { system: system.join("\n\n"), messages: out };
}

interface MessagesUsage {
  input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens?: number | null;
}

interface ContentBlock {
  type?: string;
  text?: string;
  thinking?: string;
  /** tool_use blocks */
  id?: string;
  name?: string;
  input?: unknown;
}

/** The Message object (whole, or the `message` of `message_start`). */
interface MessageObject {
  type?: string;
  id?: string;
  model?: string;
  content?: ContentBlock[];
  stop_reason?: string | null;
  usage?: MessagesUsage;
  error?: AnthropicError;
}

interface AnthropicError {
  type?: string;
  message?: string;
}

/** One streamed event; which fields it has depends on `type`. */
interface MessagesEvent {
  type?: string;
  message?: MessageObject;
  index?: number;
  content_block?: ContentBlock;
  delta?: {
    type?: string;
    text?: string;
    thinking?: string;
    partial_json?: string;
    stop_reason?: string | null;
  };
  usage?: MessagesUsage;
  error?: AnthropicError;
}

/** Events of a streamed message; throws `stream_aborted` when `message_stop` never came. */
export async function* messagesStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  let started: MessageObject | undefined;
  let usage: MessagesUsage = {};
  let stopReason: string | null | undefined;
  const calls = new ToolCallAssembler();
  let done = false;
  let tLast = 0;
  for await (const batch of batches) {
    tLast = batch.t;
    for (const message of batch.messages) {
      if (done) continue;
      const event = asObject(parseJson(message.data)) as MessagesEvent;
      switch (event.type ?? message.event) {
        case "message_start":
          started = event.message ?? {};
          usage = { ...started.usage };
          break;
        case "content_block_start": {
          const block = event.content_block;
          if (block?.type === "tool_use")
            calls.add(event.index ?? 0, batch.t, { id: block.id, name: block.name });
          break;
        }
        case "content_block_delta": {
          const delta = event.delta;
          if (delta?.type === "input_json_delta") {
            calls.add(event.index ?? 0, batch.t, { arguments: delta.partial_json });
          } else if (delta?.type === "text_delta" && delta.text) {
            yield { type: "delta", channel: "content", text: delta.text, t: batch.t };
          } else if (delta?.type === "thinking_delta" && delta.thinking) {
            yield { type: "delta", channel: "reasoning", text: delta.thinking, t: batch.t };
          }
          break;
        }
        case "message_delta":
          // Its usage is cumulative, and newer API versions repeat the input counts in it.
          usage = mergeUsage(usage, event.usage);
          stopReason = event.delta?.stop_reason ?? stopReason;
          break;
        case "message_stop":
          done = true;
          break;
        case "error":
          throw anthropicError(event.error ?? {});
      }
    }
  }
  if (!done) throw new CallError("stream_aborted", "the event stream ended before message_stop");
  yield* calls.events();
  yield* summaryEvents(messageSummary({ ...started, usage, stop_reason: stopReason ?? null }), tLast);
}

/** Events of a whole message read at `tEnd`. */
export function* messagesResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const message = asObject(value) as MessageObject;
  if (message.type === "error") throw anthropicError(message.error ?? {});
  let reasoning = "";
  let content = "";
  const calls: RunnerEvent[] = [];
  for (const block of message.content ?? []) {
    if (block.type === "text") content += block.text ?? "";
    else if (block.type === "thinking") reasoning += block.thinking ?? "";
    else if (block.type === "tool_use") {
      calls.push(
        toolCallEvent({ id: block.id, name: block.name ?? "", arguments: argumentsText(block.input) }, tEnd),
      );
    }
  }
  if (reasoning) yield { type: "delta", channel: "reasoning", text: reasoning, t: tEnd };
  if (content) yield { type: "delta", channel: "content", text: content, t: tEnd };
  yield* calls;
  yield* summaryEvents(messageSummary(message), tEnd);
}

/** Anthropic stop reasons in the Chat Completions words the records use. */
const FINISH_REASONS: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

function messageSummary(message: MessageObject): Summary {
  const stop = message.stop_reason;
  return {
    ...(message.usage && { usage: messagesUsage(message.usage) }),
    ...(message.id !== undefined && { id: message.id }),
    ...(message.model !== undefined && { model: message.model }),
    ...(stop && { finishReason: FINISH_REASONS[stop] ?? stop }),
  };
}

function mergeUsage(base: MessagesUsage, update: MessagesUsage | undefined): MessagesUsage {
  const merged: MessagesUsage = { ...base };
  for (const [field, value] of Object.entries(update ?? {}) as [keyof MessagesUsage, number | null][]) {
    if (typeof value === "number") merged[field] = value;
  }
  return merged;
}

/** Anthropic counts: input excludes cache reads and writes, canonicalised (src/cost/tokens.ts). */
function messagesUsage(usage: MessagesUsage): TokenUsage {
  const raw: TokenUsage = {};
  const input = count(usage.input_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const output = count(usage.output_tokens);
  if (input !== undefined) raw.inputTokens = input;
  if (cacheRead !== undefined) raw.cachedInputTokens = cacheRead;
  if (cacheWrite !== undefined) raw.cacheWriteInputTokens = cacheWrite;
  if (output !== undefined) raw.outputTokens = output;
  return canonicalUsage(raw, "anthropic");
}

/** HTTP status of each Anthropic error type (docs: API errors). */
const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** An `error` event (or error body), classed by its type as the HTTP status it stands for. */
function anthropicError(error: AnthropicError): CallError {
  const status = ERROR_STATUS[error.type ?? ""] ?? 500;
  const message = error.message ?? "unknown error";
  return inBandError(status, error.type ? `${message} (${error.type})` : message);
}
