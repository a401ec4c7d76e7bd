/**
 * One logged API call as every log format reads into it: the request as sent (messages, tools,
 * response format, generation parameters, verbatim) and the answer as recorded.
 */
import type { ChatMessage, TokenUsage, ToolCall, ToolDefinition } from "../core/runner.ts";

export interface RecordedAnswer {
  output: string;
  toolCalls: ToolCall[];
  finishReason?: string;
  /** The model snapshot the API said it ran. */
  model?: string;
  id?: string;
  usage: TokenUsage;
  /** End-to-end latency when the log has it; absent: not recorded (never invented). */
  latencyMs?: number;
}

export interface LoggedCall {
  /** The model the request named. */
  model: string;
  /** genai-prices provider id, when the format says (anthropic, openai). */
  provider?: string;
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /** The request's response format, verbatim (OpenAI `response_format`, Responses `text.format`). */
  responseFormat?: unknown;
  /** Generation parameters as sent (temperature, max_tokens, top_p, stop, seed, tool_choice …). */
  params: Record<string, unknown>;
  answer: RecordedAnswer;
}

/** Why a line gave no call: counted per reason, never thrown. */
export type SkipReason =
  | "malformed line"
  | "truncated last line"
  | "no response"
  | "failed response"
  | "image or audio input"
  | "non-function tool"
  | "no input messages"
  | "not a model call";

export type ParsedLine =
  | { call: LoggedCall }
  | { skip: SkipReason }
  | { calls: LoggedCall[]; skipped?: SkipReason[] };

/** Thrown inside a converter for content a local model cannot take; becomes a skip. */
export class SkipLine extends Error {
  readonly reason: SkipReason;
  constructor(reason: SkipReason) {
    super(reason);
    this.reason = reason;
  }
}

export { isObject } from "../core/json-object.ts";

export const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v) ? v : undefined;

export const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** Copies the generation parameters of a request body (everything but the conversation itself). */
export function paramsOf(
  body: Record<string, unknown>,
  exclude: ReadonlySet<string>,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const key in body) if (!exclude.has(key)) params[key] = body[key];
  return params;
}

/** Usage with undefined fields left out (in the caller's order; no intermediate arrays: it runs per logged line). */
export function usageOf(fields: TokenUsage): TokenUsage {
  const usage: TokenUsage = {};
  for (const key in fields) {
    const value = fields[key as keyof TokenUsage];
    if (value !== undefined) usage[key as keyof TokenUsage] = value;
  }
  return usage;
}
