/**
 * The OpenAI Chat Completions protocol (`POST …/chat/completions`), shared by every server that
 * speaks it: OpenAI itself, llama-server, vLLM, Ollama, LM Studio, OpenRouter, Groq, Together,
 * Fireworks. Bodies are pure functions of a request; responses, streamed (SSE chunks ending in
 * `[DONE]`) or whole, become runner events.
 */
import type { EventSourceMessage } from "eventsource-parser";
import { CallError } from "../src/core/errors.ts";
import type {
  GenerationRequest,
  RunnerEvent,
  RunnerEventSink,
  TokenUsage,
  ToolChoice,
  ToolDefinition,
} from "../src/core/runner.ts";
import {
  asObject,
  canonicalUsage,
  count,
  emitSummary,
  inBandError,
  type Summary,
  summaryEvents,
} from "./call-summary.ts";
import { scanContentDelta } from "./chat-chunk-scan.ts";
import { parseJson } from "./http.ts";
import type { SseBatch } from "./sse.ts";
import { decodedEvents, type StreamDecoder } from "./stream-decoder.ts";
import { argumentsText, ToolCallAssembler, toolCallEvent } from "./tool-calls.ts";

/** How a server family wants the common fields. */
export interface ChatBodyOptions {
  /** `model` field; llama-server ignores it, APIs require it. */
  model?: string;
  /**
   * OpenAI deprecated `max_tokens` for `max_completion_tokens` (and o-series models reject the
   * old name); most compatible servers only read `max_tokens`.
   */
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** Send `top_k` (llama.cpp, vLLM, Together…); OpenAI has none and it is left out. */
  topK: boolean;
  /** `reasoning_effort` for reasoning models. */
  reasoningEffort?: string;
}

/** Name of the schema in `response_format.json_schema` (OpenAI requires one). */
const SCHEMA_NAME = "output";

/** A message in the Chat Completions wire form. */
export type WireChatMessage = Record<string, unknown>;

/**
 * The conversation: `request.messages` verbatim (assistant tool calls and tool results
 * included) when given, else the system and user turns (an empty system prompt is left out).
 */
export function chatMessages(request: GenerationRequest): WireChatMessage[] {
  if (request.messages !== undefined) {
    return request.messages.map((message): WireChatMessage => {
      if (message.role === "tool") {
        return { role: "tool", tool_call_id: message.toolCallId ?? "", content: message.content };
      }
      if (message.role === "assistant" && message.toolCalls?.length) {
        return {
          role: "assistant",
          content: message.content === "" ? null : message.content,
          tool_calls: message.toolCalls.map((call, index) => ({
            id: call.id ?? `call_${index}`,
            type: "function",
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      }
      return { role: message.role, content: message.content };
    });
  }
  const messages: WireChatMessage[] = [];
  if (request.system !== undefined && request.system !== "") {
    messages.push({ role: "system", content: request.system });
  }
  messages.push({ role: "user", content: request.prompt });
  return messages;
}

/** Tools in the Chat Completions form: `{type: "function", function: {name, description, parameters}}`. */
export function chatTools(tools: readonly ToolDefinition[]): Record<string, unknown>[] {
  return tools.map((tool) => ({
    type: "function",
    function: {
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.parameters ?? { type: "object", properties: {} },
    },
  }));
}

/** `tool_choice` in the Chat Completions form. */
export function chatToolChoice(choice: ToolChoice): unknown {
  return typeof choice === "string" ? choice : { type: "function", function: { name: choice.name } };
}

/**
 * Body of `POST /chat/completions`. Streams ask for usage in the last chunk
 * (`stream_options.include_usage`); a JSON-schema request becomes a strict `response_format`.
 * A GBNF grammar is not part of the protocol: llama.cpp's runner adds it itself.
 */
export function openaiChatBody(
  request: GenerationRequest,
  options: ChatBodyOptions,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.model !== undefined) body.model = options.model;
  body.messages = chatMessages(request);
  body[options.maxTokensField] = request.maxTokens;
  body.stream = request.stream;
  if (request.stream) body.stream_options = { include_usage: true };
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (options.topK && request.topK !== undefined) body.top_k = request.topK;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.stop !== undefined && request.stop.length > 0) body.stop = request.stop;
  if (options.reasoningEffort !== undefined) body.reasoning_effort = options.reasoningEffort;
  if (request.tools !== undefined && request.tools.length > 0) body.tools = chatTools(request.tools);
  if (request.toolChoice !== undefined) body.tool_choice = chatToolChoice(request.toolChoice);
  if (request.structured?.type === "json_schema") {
    // llama-server reads response_format.json_schema.schema too (oaicompat_chat_params_parse).
    body.response_format = {
      type: "json_schema",
      json_schema: { name: SCHEMA_NAME, schema: request.structured.schema, strict: true },
    };
  }
  return body;
}

interface ChatError {
  code?: number | string | null;
  message?: string;
  type?: string;
}

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
}

/** Reasoning text: `reasoning_content` (llama.cpp, vLLM, DeepSeek) or `reasoning` (Ollama, OpenRouter). */
interface ChatMessage {
  content?: string | null;
  tool_calls?: ChatToolCall[] | null;
  reasoning_content?: string | null;
  reasoning?: unknown;
}

/** A tool call of a whole message, or a fragment of one in a streamed delta (by `index`). */
interface ChatToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: unknown };
}

/** A `/chat/completions` chunk (streamed) or response (whole). */
interface ChatPayload {
  id?: string;
  model?: string;
  choices?: { delta?: ChatMessage; message?: ChatMessage; finish_reason?: string | null }[];
  usage?: ChatUsage | null;
  /** llama-server's own timings. */
  timings?: Record<string, unknown>;
  error?: ChatError;
}

/** A streamed chat completion, chunk by chunk; `stream_aborted` at the end if `[DONE]` never came. */
export class ChatStreamDecoder implements StreamDecoder {
  private readonly summary: Summary = {};
  private readonly calls = new ToolCallAssembler();
  private done = false;
  private tLast = 0;

  message(message: EventSourceMessage, t: number, emit: RunnerEventSink): void {
    this.tLast = t;
    if (this.done) return;
    if (message.data === "[DONE]") {
      this.done = true;
      return;
    }
    const summary = this.summary;
    // Once the id and model are known, a content-only chunk changes nothing else: scan it.
    if (summary.id !== undefined && summary.model !== undefined) {
      const content = scanContentDelta(message.data);
      if (content !== undefined) {
        if (content !== null) emit({ type: "delta", channel: "content", text: content, t });
        return;
      }
    }
    const chunk = parseJson(message.data) as ChatPayload;
    if (chunk.error) throw chatError(chunk.error);
    summary.id ??= chunk.id;
    summary.model ??= chunk.model;
    const choice = chunk.choices?.[0];
    if (choice !== undefined) {
      const delta = choice.delta;
      if (delta !== undefined) {
        const reasoning = reasoningOf(delta);
        if (reasoning) emit({ type: "delta", channel: "reasoning", text: reasoning, t });
        const content = delta.content;
        if (content) emit({ type: "delta", channel: "content", text: content, t });
        const toolCalls = delta.tool_calls;
        if (toolCalls) {
          for (let position = 0; position < toolCalls.length; position++) {
            const fragment = toolCalls[position]!;
            this.calls.add(fragment.index ?? position, t, {
              id: fragment.id,
              name: fragment.function?.name,
              arguments: fragmentText(fragment.function?.arguments),
            });
          }
        }
      }
      if (choice.finish_reason) summary.finishReason = choice.finish_reason;
    }
    if (chunk.usage) summary.usage = chatUsage(chunk.usage);
    if (chunk.timings) summary.timings = chunk.timings;
  }

  finish(emit: RunnerEventSink): void {
    if (!this.done) throw new CallError("stream_aborted", "the event stream ended before its [DONE] marker");
    for (const event of this.calls.events()) emit(event);
    emitSummary(this.summary, this.tLast, emit);
  }
}

/** Events of a streamed chat completion; throws `stream_aborted` if `[DONE]` never came. */
export function chatStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  return decodedEvents(batches, new ChatStreamDecoder());
}

/** Events of a whole (non-streamed) chat completion read at `tEnd`. */
export function* chatResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const response = asObject(value) as ChatPayload;
  if (response.error) throw chatError(response.error);
  const choice = response.choices?.[0];
  if (choice === undefined) throw new CallError("parse", "chat response without choices");
  const reasoning = reasoningOf(choice.message);
  if (reasoning) yield { type: "delta", channel: "reasoning", text: reasoning, t: tEnd };
  const content = choice.message?.content;
  if (content) yield { type: "delta", channel: "content", text: content, t: tEnd };
  for (const call of choice.message?.tool_calls ?? []) {
    const name = call.function?.name ?? "";
    yield toolCallEvent({ id: call.id, name, arguments: argumentsText(call.function?.arguments) }, tEnd);
  }
  yield* summaryEvents(
    {
      ...(response.usage && { usage: chatUsage(response.usage) }),
      ...(response.timings && { timings: response.timings }),
      ...(response.id !== undefined && { id: response.id }),
      ...(response.model !== undefined && { model: response.model }),
      ...(choice.finish_reason && { finishReason: choice.finish_reason }),
    },
    tEnd,
  );
}

/** A streamed arguments fragment: text, or (some servers) a whole object. */
function fragmentText(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : argumentsText(value);
}

function reasoningOf(message: ChatMessage | undefined): string | undefined {
  if (!message) return undefined;
  if (message.reasoning_content) return message.reasoning_content;
  return typeof message.reasoning === "string" && message.reasoning ? message.reasoning : undefined;
}

/** OpenAI-convention counts: already canonical (prompt includes cached, completion includes reasoning). */
function chatUsage(usage: ChatUsage): TokenUsage {
  const raw: TokenUsage = {};
  const input = count(usage.prompt_tokens);
  const cached = count(usage.prompt_tokens_details?.cached_tokens);
  const output = count(usage.completion_tokens);
  const reasoning = count(usage.completion_tokens_details?.reasoning_tokens);
  if (input !== undefined) raw.inputTokens = input;
  if (cached !== undefined) raw.cachedInputTokens = cached;
  if (output !== undefined) raw.outputTokens = output;
  if (reasoning !== undefined) raw.reasoningTokens = reasoning;
  return canonicalUsage(raw, "openai");
}

/**
 * An error inside a 200 response. llama-server gives an HTTP status as `code`; OpenAI gives a
 * string code (or null) and a `type`, mapped here to the status it would have had.
 */
function chatError(error: ChatError): CallError {
  const status =
    typeof error.code === "number"
      ? error.code
      : error.code === "rate_limit_exceeded" || error.type === "rate_limit_error"
        ? 429
        : error.type === "invalid_request_error"
          ? 400
          : 500;
  return inBandError(status, error.message ?? JSON.stringify(error));
}
