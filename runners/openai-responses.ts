/**
 * The OpenAI Responses API (`POST …/responses`): body, and responses streamed (typed SSE events
 * ending in `response.completed`, `response.incomplete` or `response.failed`; no `[DONE]`) or
 * whole. llama-server serves the same endpoint.
 */
import { CallError } from "../src/core/errors.ts";
import type { ChatMessage, GenerationRequest, RunnerEvent, TokenUsage } from "../src/core/runner.ts";
import { unsupported } from "./api-call.ts";
import { asObject, canonicalUsage, count, inBandError, type Summary, summaryEvents } from "./call-summary.ts";
import { parseJson } from "./http.ts";
import type { SseBatch } from "./sse.ts";
import { argumentsText, ToolCallAssembler, toolCallEvent } from "./tool-calls.ts";

export interface ResponsesBodyOptions {
  model: string;
  /** `reasoning.effort` for reasoning models. */
  reasoningEffort?: string;
}

/**
 * Body of `POST /responses`: `instructions` (system) and `input` (the prompt),
 * `max_output_tokens`, sampling, `text.format` for a JSON schema, `store: false` (a benchmark
 * has no use for stored responses). The protocol has no `seed`, `top_k` or stop sequences: seed
 * and top_k are left out (sampling hints, as for any backend without them); stop sequences
 * change the output, so a request with them fails instead.
 */
export function responsesBody(
  request: GenerationRequest,
  options: ResponsesBodyOptions,
): Record<string, unknown> {
  if (request.stop !== undefined && request.stop.length > 0) {
    throw unsupported("stop sequences", "the OpenAI Responses API");
  }
  if (request.structured?.type === "grammar") throw unsupported("a GBNF grammar", "the OpenAI Responses API");
  const body: Record<string, unknown> = { model: options.model };
  if (request.messages !== undefined) body.input = responsesInput(request.messages);
  else {
    if (request.system !== undefined && request.system !== "") body.instructions = request.system;
    body.input = request.prompt;
  }
  body.max_output_tokens = request.maxTokens;
  body.stream = request.stream;
  body.store = false;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (options.reasoningEffort !== undefined) body.reasoning = { effort: options.reasoningEffort };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      parameters: tool.parameters ?? { type: "object", properties: {} },
      strict: false,
    }));
  }
  const choice = request.toolChoice;
  if (choice !== undefined) {
    body.tool_choice = typeof choice === "string" ? choice : { type: "function", name: choice.name };
  }
  if (request.structured?.type === "json_schema") {
    body.text = {
      format: { type: "json_schema", name: "output", schema: request.structured.schema, strict: true },
    };
  }
  return body;
}

/**
 * A conversation as Responses input items: text turns as messages, an assistant's tool calls as
 * `function_call` items and tool results as `function_call_output` items.
 */
export function responsesInput(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  for (const message of messages) {
    if (message.role === "tool") {
      items.push({
        type: "function_call_output",
        call_id: message.toolCallId ?? "",
        output: message.content,
      });
      continue;
    }
    if (message.content !== "" || !message.toolCalls?.length) {
      items.push({ role: message.role, content: message.content });
    }
    for (const [index, call] of (message.toolCalls ?? []).entries()) {
      items.push({
        type: "function_call",
        call_id: call.id ?? `call_${index}`,
        name: call.name,
        arguments: call.arguments,
      });
    }
  }
  return items;
}

interface ResponsesUsage {
  input_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

interface ResponsesError {
  code?: string | null;
  message?: string;
}

interface OutputItem {
  type?: string;
  /** function_call items */
  call_id?: string;
  name?: string;
  arguments?: unknown;
  content?: { type?: string; text?: string }[] | null;
  summary?: { type?: string; text?: string }[] | null;
}

/** The Response object (whole, or inside created/completed/incomplete/failed events). */
interface ResponseObject {
  id?: string;
  model?: string;
  status?: string;
  output?: OutputItem[];
  usage?: ResponsesUsage | null;
  incomplete_details?: { reason?: string } | null;
  error?: ResponsesError | null;
}

/** One streamed event; which fields it has depends on `type`. */
interface ResponsesEvent {
  type?: string;
  delta?: string;
  response?: ResponseObject;
  output_index?: number;
  item_id?: string;
  item?: OutputItem & { id?: string };
  arguments?: string;
  code?: string | null;
  message?: string;
  /** llama-server adds its timings to the terminal event. */
  timings?: Record<string, unknown>;
}

/** Events that carry reasoning text: summaries (OpenAI) and raw reasoning (open-weight servers). */
const REASONING_DELTAS = new Set(["response.reasoning_summary_text.delta", "response.reasoning_text.delta"]);

/** Events of a streamed response; throws `stream_aborted` when no terminal event came. */
export async function* responsesStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  let summary: Summary | undefined;
  const calls = new ToolCallAssembler();
  let id: string | undefined;
  let model: string | undefined;
  let tLast = 0;
  for await (const batch of batches) {
    tLast = batch.t;
    for (const message of batch.messages) {
      if (summary) continue;
      const event = asObject(parseJson(message.data)) as ResponsesEvent;
      const type = event.type ?? message.event;
      id ??= event.response?.id;
      model ??= event.response?.model;
      if (type === "response.output_text.delta") {
        if (event.delta) yield { type: "delta", channel: "content", text: event.delta, t: batch.t };
      } else if (type !== undefined && REASONING_DELTAS.has(type)) {
        if (event.delta) yield { type: "delta", channel: "reasoning", text: event.delta, t: batch.t };
      } else if (type === "response.output_item.added" || type === "response.output_item.done") {
        const item = event.item;
        if (item?.type === "function_call") {
          const whole = { id: item.call_id, name: item.name };
          const key = event.output_index ?? item.id ?? "";
          if (type === "response.output_item.done" && item.arguments !== undefined) {
            calls.complete(key, batch.t, { ...whole, arguments: argumentsText(item.arguments) });
          } else calls.add(key, batch.t, whole);
        }
      } else if (type === "response.function_call_arguments.delta") {
        calls.add(event.output_index ?? event.item_id ?? "", batch.t, { arguments: event.delta });
      } else if (type === "response.completed" || type === "response.incomplete") {
        summary = responseSummary(event.response ?? {}, event.timings);
      } else if (type === "response.failed") {
        throw responsesError(event.response?.error ?? { message: "the response failed" });
      } else if (type === "error") {
        throw responsesError({ code: event.code ?? null, message: event.message ?? JSON.stringify(event) });
      }
    }
  }
  if (!summary) {
    throw new CallError(
      "stream_aborted",
      "the event stream ended before response.completed (or incomplete/failed)",
    );
  }
  summary.id ??= id;
  summary.model ??= model;
  yield* calls.events();
  yield* summaryEvents(summary, tLast);
}

/** Events of a whole response read at `tEnd`. */
export function* responsesResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const response = asObject(value) as ResponseObject & { timings?: Record<string, unknown> };
  if (response.status === "failed" || response.error) {
    throw responsesError(response.error ?? { message: "the response failed" });
  }
  let reasoning = "";
  let content = "";
  const calls: RunnerEvent[] = [];
  for (const item of response.output ?? []) {
    if (item.type === "function_call") {
      const call = { id: item.call_id, name: item.name ?? "", arguments: argumentsText(item.arguments) };
      calls.push(toolCallEvent(call, tEnd));
    } else if (item.type === "reasoning") {
      for (const part of [...(item.summary ?? []), ...(item.content ?? [])]) reasoning += part.text ?? "";
    } else if (item.type === "message") {
      for (const part of item.content ?? []) if (part.type === "output_text") content += part.text ?? "";
    }
  }
  if (reasoning) yield { type: "delta", channel: "reasoning", text: reasoning, t: tEnd };
  if (content) yield { type: "delta", channel: "content", text: content, t: tEnd };
  yield* calls;
  yield* summaryEvents(responseSummary(response, response.timings), tEnd);
}

/**
 * The closing summary of a completed or incomplete response. Finish reasons use the Chat
 * Completions words: completed → `stop`; incomplete for `max_output_tokens` → `length`.
 */
function responseSummary(response: ResponseObject, timings: Record<string, unknown> | undefined): Summary {
  const reason = response.incomplete_details?.reason;
  const finishReason =
    response.status === "incomplete"
      ? reason === "max_output_tokens"
        ? "length"
        : (reason ?? "incomplete")
      : response.status === "completed"
        ? "stop"
        : response.status;
  return {
    ...(response.usage && { usage: responsesUsage(response.usage) }),
    ...(timings && { timings }),
    ...(response.id !== undefined && { id: response.id }),
    ...(response.model !== undefined && { model: response.model }),
    ...(finishReason !== undefined && { finishReason }),
  };
}

/** OpenAI-convention counts: input includes cached, output includes reasoning. */
function responsesUsage(usage: ResponsesUsage): TokenUsage {
  const raw: TokenUsage = {};
  const input = count(usage.input_tokens);
  const cached = count(usage.input_tokens_details?.cached_tokens);
  const output = count(usage.output_tokens);
  const reasoning = count(usage.output_tokens_details?.reasoning_tokens);
  if (input !== undefined) raw.inputTokens = input;
  if (cached !== undefined) raw.cachedInputTokens = cached;
  if (output !== undefined) raw.outputTokens = output;
  if (reasoning !== undefined) raw.reasoningTokens = reasoning;
  return canonicalUsage(raw, "openai");
}

/** A failed response or an `error` event, classed by its code as the HTTP status it stands for. */
function responsesError(error: ResponsesError): CallError {
  const code = error.code ?? "";
  const status = code === "rate_limit_exceeded" ? 429 : code.startsWith("invalid") ? 400 : 500;
  const message = error.message ?? "the response failed";
  return inBandError(status, code ? `${message} (${code})` : message);
}
