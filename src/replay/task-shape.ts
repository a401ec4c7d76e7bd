/**
 * Which task a sampled call belongs to, by what its answer has to match: tool use (the request
 * offered tools), structured output (a JSON response format), labels (short answers from a small
 * set), or free text; and the expected answer each shape is scored against.
 */
import type { LoggedCall } from "./logged-call.ts";

export type TaskShape = "tool-use" | "json" | "labels" | "text";

/** Answers of a label task: at most this many characters and words, and this many distinct values. */
const LABEL_MAX_CHARS = 40;
const LABEL_MAX_WORDS = 4;
const LABEL_MAX_DISTINCT = 30;

function wantsJson(format: unknown): boolean {
  const type =
    typeof format === "object" && format !== null ? (format as { type?: unknown }).type : undefined;
  return type === "json_object" || type === "json_schema";
}

const isLabel = (output: string) => {
  const text = output.trim();
  return text.length > 0 && text.length <= LABEL_MAX_CHARS && text.split(/\s+/).length <= LABEL_MAX_WORDS;
};

/**
 * The shape of each call, in order. Calls without tools or a JSON format are labels when
 * (nearly) all their answers are short and few distinct, else free text.
 */
export function shapesOf(calls: readonly LoggedCall[]): TaskShape[] {
  const first = calls.map((c): TaskShape | undefined =>
    c.tools ? "tool-use" : wantsJson(c.responseFormat) ? "json" : undefined,
  );
  const rest = calls.filter((_, i) => first[i] === undefined);
  const short = rest.filter((c) => isLabel(c.answer.output));
  const distinct = new Set(short.map((c) => c.answer.output.trim().toLowerCase())).size;
  const labels =
    rest.length > 0 &&
    short.length >= 0.9 * rest.length &&
    distinct <= LABEL_MAX_DISTINCT &&
    distinct <= Math.max(3, rest.length / 2);
  return first.map((shape) => shape ?? (labels ? "labels" : "text"));
}

/** The expected answer of a call of a shape: the recorded output, or its tool calls as JSON. */
export function expectedOf(call: LoggedCall, shape: TaskShape): string {
  if (shape !== "tool-use") return call.answer.output;
  const calls = call.answer.toolCalls.map((c) => {
    let args: unknown;
    try {
      args = JSON.parse(c.arguments);
    } catch {
      args = c.arguments;
    }
    return { name: c.name, arguments: args };
  });
  return JSON.stringify(calls.length === 1 ? calls[0] : calls);
}
