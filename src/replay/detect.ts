/** Which log format a file holds, told from its first JSON line; errors say what was seen and what is expected. */

import { readLines } from "./line-reader.ts";
import { isObject } from "./logged-call.ts";

export const LOG_FORMATS = [
  "openai-batch",
  "openai-chat",
  "openai-responses",
  "anthropic-batch",
  "otel",
] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** What one file of a log is: its format and, for batch formats, which of the two files. */
export interface FileKind {
  format: LogFormat;
  /** Batch formats: the requests file or the results file. */
  side?: "requests" | "results";
}

export class LogFormatError extends Error {}

export const EXPECTED_SHAPES =
  "OpenAI Batch input/output JSONL ({custom_id, body} / {custom_id, response}), chat-completions pairs " +
  "({request, response} or {messages, choices, usage}), Responses API pairs ({request: {input}, response: {output}}), " +
  "Anthropic Message Batches requests/results ({custom_id, params} / {custom_id, result}), OTLP JSON spans ({resourceSpans})";

/** The kind of one parsed line, or undefined when no format has that shape. */
export function kindOfLine(line: unknown): FileKind | undefined {
  if (!isObject(line)) return undefined;
  if (Array.isArray(line.resourceSpans)) return { format: "otel" };
  if (typeof line.custom_id === "string") {
    if (isObject(line.body)) return { format: "openai-batch", side: "requests" };
    if ("response" in line) return { format: "openai-batch", side: "results" };
    if (isObject(line.params)) return { format: "anthropic-batch", side: "requests" };
    if (isObject(line.result)) return { format: "anthropic-batch", side: "results" };
    return undefined;
  }
  if (isObject(line.request)) {
    const response = isObject(line.response) ? line.response : {};
    const responses =
      "input" in line.request || response.object === "response" || Array.isArray(response.output);
    return { format: responses ? "openai-responses" : "openai-chat" };
  }
  if (Array.isArray(line.messages) && "choices" in line) return { format: "openai-chat" };
  if ("input" in line && Array.isArray(line.output)) return { format: "openai-responses" };
  return undefined;
}

/** Reads lines of `path` until one parses as JSON, and tells its kind; throws a LogFormatError when none fits. */
export async function detectFile(path: string, forced: LogFormat | undefined): Promise<FileKind> {
  let seen = "no JSON line";
  let checked = 0;
  for await (const line of readLines(path)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.text);
    } catch {
      if (++checked >= 20) break;
      continue;
    }
    const kind = kindOfLine(parsed);
    if (kind && (forced === undefined || kind.format === forced)) return kind;
    seen = isObject(parsed)
      ? `line ${line.number} has keys ${Object.keys(parsed).slice(0, 8).join(", ") || "(none)"}${kind ? ` (looks like ${kind.format})` : ""}`
      : `line ${line.number} is not a JSON object`;
    break;
  }
  const wanted = forced ? `the ${forced} format` : `one of: ${EXPECTED_SHAPES}`;
  throw new LogFormatError(`${path}: not a log format opbench reads (${seen}); expected ${wanted}`);
}
