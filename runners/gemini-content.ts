/**
 * Google's Gemini API (`models/{model}:generateContent`, and `:streamGenerateContent?alt=sse`
 * whose SSE events each carry one GenerateContentResponse, with no end marker: the last has a
 * `finishReason`). Thought parts (`thought: true`) are reasoning.
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
import { argumentsObject, argumentsText, toolCallEvent } from "./tool-calls.ts";

export interface GenerateContentOptions {
  /** `thinkingConfig.thinkingBudget` in tokens (0: off); undefined: the model's default. */
  thinkingBudget?: number;
}

/**
 * Body of `generateContent` / `streamGenerateContent`: `systemInstruction`, one user turn, and
 * `generationConfig`. A JSON schema goes in `responseJsonSchema` (plain JSON Schema; the older
 * `responseSchema` takes only an OpenAPI subset) with `responseMimeType: application/json`. A
 * thinking budget above 0 also asks for thought summaries (`includeThoughts`), so reasoning
 * gets its own TTFT.
 */
export function generateContentBody(
  request: GenerationRequest,
  options: GenerateContentOptions,
): Record<string, unknown> {
  if (request.structured?.type === "grammar") throw unsupported("a GBNF grammar", "the Gemini API");
  const config: Record<string, unknown> = { maxOutputTokens: request.maxTokens };
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.structured?.type === "json_schema") {
    config.responseMimeType = "application/json";
    config.responseJsonSchema = request.structured.schema;
  }
  if (options.thinkingBudget !== undefined) {
    config.thinkingConfig = {
      thinkingBudget: options.thinkingBudget,
      includeThoughts: options.thinkingBudget > 0,
    };
  }
  const body: Record<string, unknown> = {};
  const conversation =
    request.messages !== undefined
      ? geminiContents(request.messages)
      : { system: request.system ?? "", contents: [{ role: "user", parts: [{ text: request.prompt }] }] };
  if (conversation.system !== "") body.systemInstruction = { parts: [{ text: conversation.system }] };
  body.contents = conversation.contents;
  if (request.tools !== undefined && request.tools.length > 0) {
    const functionDeclarations = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description !== undefined && { description: tool.description }),
      ...(tool.parameters !== undefined && { parametersJsonSchema: tool.parameters }),
    }));
    body.tools = [{ functionDeclarations }];
  }
  if (request.toolChoice !== undefined) body.toolConfig = geminiToolConfig(request.toolChoice);
  body.generationConfig = config;
  return body;
}

/** `tool_choice` as `toolConfig.functionCallingConfig`: `required` is `ANY`, a named function is allowed alone. */
function geminiToolConfig(choice: ToolChoice): Record<string, unknown> {
  if (typeof choice !== "string") {
    return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.name] } };
  }
  const mode = choice === "required" ? "ANY" : choice === "none" ? "NONE" : "AUTO";
  return { functionCallingConfig: { mode } };
}

/**
 * A conversation as Gemini contents: system turns joined into `systemInstruction`; assistant
 * turns as `model` with `functionCall` parts; tool results as `functionResponse` parts of a user
 * turn (named after the call they answer; the result as `{result: text}` unless it is a JSON object).
 */
export function geminiContents(messages: readonly ChatMessage[]): {
  system: string;
  contents: { role: string; parts: Record<string, unknown>[] }[];
} {
  const system: string[] = [];
  const contents: { role: string; parts: Record<string, unknown>[] }[] = [];
  const callNames = new Map<string, string>();
  for (const message of messages) {
    if (message.role === "system") {
      system.push(message.content);
    } else if (message.role === "tool") {
      const name = callNames.get(message.toolCallId ?? "") ?? message.toolCallId ?? "";
      const part = {
        functionResponse: {
          name,
          ...(message.toolCallId !== undefined && { id: message.toolCallId }),
          response: resultObject(message.content),
        },
      };
      const last = contents.at(-1);
      if (last?.role === "user" && last.parts[0]?.functionResponse !== undefined) last.parts.push(part);
      else contents.push({ role: "user", parts: [part] });
    } else {
      const parts: Record<string, unknown>[] = [];
      if (message.content !== "" || !message.toolCalls?.length) parts.push({ text: message.content });
      for (const call of message.toolCalls ?? []) {
        if (call.id !== undefined) callNames.set(call.id, call.name);
        const args = argumentsObject(call.arguments) ?? {};
        parts.push({
          functionCall: { name: call.name, args, ...(call.id !== undefined && { id: call.id }) },
        });
      }
      contents.push({ role: message.role === "assistant" ? "model" : "user", parts });
    }
  }
  return { system: system.join("\n\n"), contents };
}

function resultObject(content: string): Record<string, unknown> {
  return argumentsObject(content) ?? { result: content };
}

interface UsageMetadata {
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  candidatesTokenCount?: number;
  thoughtsTokenCount?: number;
}

/** A GenerateContentResponse: one streamed event, or the whole response. */
interface GeminiResponse {
  candidates?: {
    content?: {
      parts?: {
        text?: string;
        thought?: boolean;
        functionCall?: { id?: string; name?: string; args?: unknown };
      }[];
    };
    finishReason?: string;
  }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: UsageMetadata;
  modelVersion?: string;
  responseId?: string;
  error?: { code?: number; message?: string; status?: string };
}

/** Events of a streamed response; throws `stream_aborted` when no event carried a finish reason. */
export async function* geminiStreamEvents(batches: AsyncIterable<SseBatch>): AsyncGenerator<RunnerEvent> {
  const summary: Summary = {};
  let finished = false;
  let tLast = 0;
  for await (const batch of batches) {
    tLast = batch.t;
    for (const message of batch.messages) {
      if (finished) continue;
      const chunk = asObject(parseJson(message.data)) as GeminiResponse;
      if (chunk.error) throw geminiError(chunk.error);
      yield* partEvents(chunk, batch.t);
      finished = absorb(summary, chunk);
    }
  }
  if (!finished) throw new CallError("stream_aborted", "the event stream ended before a finishReason");
  yield* summaryEvents(summary, tLast);
}

/** Events of a whole response read at `tEnd`. */
export function* geminiResponseEvents(value: unknown, tEnd: number): Generator<RunnerEvent> {
  const response = asObject(value) as GeminiResponse;
  if (response.error) throw geminiError(response.error);
  if (response.candidates === undefined && response.promptFeedback === undefined) {
    throw new CallError("parse", "Gemini response without candidates or promptFeedback");
  }
  let reasoning = "";
  let content = "";
  const calls: RunnerEvent[] = [];
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    if (part.functionCall) calls.push(functionCallEvent(part.functionCall, tEnd));
    else if (part.thought === true) reasoning += part.text ?? "";
    else content += part.text ?? "";
  }
  if (reasoning) yield { type: "delta", channel: "reasoning", text: reasoning, t: tEnd };
  if (content) yield { type: "delta", channel: "content", text: content, t: tEnd };
  yield* calls;
  const summary: Summary = {};
  absorb(summary, response);
  yield* summaryEvents(summary, tEnd);
}

function* partEvents(chunk: GeminiResponse, t: number): Generator<RunnerEvent> {
  for (const part of chunk.candidates?.[0]?.content?.parts ?? []) {
    // Gemini streams a function call whole, in one part.
    if (part.functionCall) yield functionCallEvent(part.functionCall, t);
    if (!part.text) continue; // e.g. a part with only a thoughtSignature
    yield { type: "delta", channel: part.thought === true ? "reasoning" : "content", text: part.text, t };
  }
}

function functionCallEvent(call: { id?: string; name?: string; args?: unknown }, t: number): RunnerEvent {
  return toolCallEvent({ id: call.id, name: call.name ?? "", arguments: argumentsText(call.args) }, t);
}

/** Folds one response into the summary; true when it ends the response (finish or block reason). */
function absorb(summary: Summary, chunk: GeminiResponse): boolean {
  summary.id ??= chunk.responseId;
  summary.model ??= chunk.modelVersion;
  // Every chunk repeats the running totals: the last one counts.
  if (chunk.usageMetadata) summary.usage = geminiUsage(chunk.usageMetadata);
  const finish = chunk.candidates?.[0]?.finishReason;
  const blocked = chunk.promptFeedback?.blockReason;
  if (finish) summary.finishReason = finishReason(finish);
  else if (blocked) summary.finishReason = "content_filter";
  return Boolean(finish || blocked);
}

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY"]);

/** Gemini finish reasons in the Chat Completions words the records use; others lower-cased. */
function finishReason(reason: string): string {
  if (reason === "STOP") return "stop";
  if (reason === "MAX_TOKENS") return "length";
  if (FILTERED.has(reason)) return "content_filter";
  return reason.toLowerCase();
}

/** Gemini counts: candidates exclude thoughts, canonicalised (src/cost/tokens.ts). */
function geminiUsage(usage: UsageMetadata): TokenUsage {
  const raw: TokenUsage = {};
  const input = count(usage.promptTokenCount);
  const cached = count(usage.cachedContentTokenCount);
  const output = count(usage.candidatesTokenCount);
  const thoughts = count(usage.thoughtsTokenCount);
  if (input !== undefined) raw.inputTokens = input;
  if (cached !== undefined) raw.cachedInputTokens = cached;
  // A response with no visible output may omit candidatesTokenCount while still reporting thoughts.
  if (output !== undefined || thoughts !== undefined) raw.outputTokens = output ?? 0;
  if (thoughts !== undefined) raw.reasoningTokens = thoughts;
  return canonicalUsage(raw, "gemini");
}

function geminiError(error: NonNullable<GeminiResponse["error"]>): CallError {
  const status = typeof error.code === "number" ? error.code : 500;
  const message = error.message ?? "unknown error";
  return inBandError(status, error.status ? `${message} (${error.status})` : message);
}
