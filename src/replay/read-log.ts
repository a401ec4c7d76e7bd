/**
 * Logged calls from one log (one file, or a batch's requests and results files), streamed: each
 * line is parsed, converted and handed on; what cannot be replayed is counted by reason, never
 * thrown. Batch results are matched to their requests by `custom_id` through an index of byte
 * offsets (batch-index.ts), so neither file is held whole.
 */
import { anthropicCall } from "./anthropic-messages.ts";
import { ResultsIndex } from "./batch-index.ts";
import { detectFile, type FileKind, type LogFormat, LogFormatError } from "./detect.ts";
import { readLines } from "./line-reader.ts";
import { isObject, type LoggedCall, type ParsedLine, SkipLine, type SkipReason } from "./logged-call.ts";
import { chatCall, loggedLatencyMs } from "./openai-messages.ts";
import { responsesCall } from "./openai-responses.ts";
import { otelLine } from "./otel-spans.ts";

export interface ReadStats {
  format: LogFormat | undefined;
  lines: number;
  calls: number;
  skipped: Map<SkipReason, number>;
}

export const newStats = (): ReadStats => ({ format: undefined, lines: 0, calls: 0, skipped: new Map() });

const RESPONSE_KEYS = new Set([
  "choices",
  "usage",
  "id",
  "object",
  "created",
  "system_fingerprint",
  "service_tier",
  "response",
]);

const bodyOf = (value: unknown): unknown => (isObject(value) && isObject(value.body) ? value.body : value);

/** A line of a single-file format as calls. */
function parseSingle(format: LogFormat, line: Record<string, unknown>): ParsedLine {
  const latency = loggedLatencyMs(line);
  if (format === "otel") return otelLine(line);
  if (isObject(line.request)) {
    const response = bodyOf(line.response);
    if (isObject(response) && isObject(response.error) && !("choices" in response))
      return { skip: "failed response" };
    if (isObject(line.error)) return { skip: "failed response" };
    const convert = format === "openai-responses" ? responsesCall : chatCall;
    return { call: convert(line.request, response, latency) };
  }
  if (format === "openai-responses") {
    const request = Object.fromEntries(Object.entries(line).filter(([k]) => k !== "output" && k !== "usage"));
    return { call: responsesCall(request, line, latency) };
  }
  const request = Object.fromEntries(
    Object.entries(line).filter(([k]) => !RESPONSE_KEYS.has(k) && !k.endsWith("_ms")),
  );
  return { call: chatCall(request, isObject(line.response) ? line.response : line, latency) };
}

/** A line of a single-file format (`complete`: it ended with a newline) as calls or a skip. */
export function parseLogLine(format: LogFormat, text: string, complete: boolean): ParsedLine {
  try {
    const value: unknown = JSON.parse(text);
    if (!isObject(value)) return { skip: "malformed line" };
    return parseSingle(format, value);
  } catch (error) {
    if (error instanceof SkipLine) return { skip: error.reason };
    if (error instanceof SyntaxError) return { skip: complete ? "malformed line" : "truncated last line" };
    throw error;
  }
}

/** Counts a parsed line into `stats`; returns its calls. */
export function countLine(stats: ReadStats, parsed: ParsedLine): LoggedCall[] {
  if ("skip" in parsed) {
    count(stats, parsed.skip);
    return [];
  }
  if ("call" in parsed) {
    stats.calls++;
    return [parsed.call];
  }
  for (const reason of parsed.skipped ?? []) count(stats, reason);
  stats.calls += parsed.calls.length;
  return parsed.calls;
}

/** A batch request line and its result line (undefined: none in the results file) as a call. */
function parseBatch(format: LogFormat, request: Record<string, unknown>, result: unknown): ParsedLine {
  if (!isObject(result)) return { skip: "no response" };
  if (format === "anthropic-batch") {
    const outcome = isObject(result.result) ? result.result : {};
    if (outcome.type !== "succeeded") return { skip: "failed response" };
    return { call: anthropicCall(request.params, outcome.message) };
  }
  const response = isObject(result.response) ? result.response : undefined;
  if (
    !response ||
    isObject(result.error) ||
    (typeof response.status_code === "number" && response.status_code !== 200)
  ) {
    return { skip: "failed response" };
  }
  const url = String(request.url ?? "");
  const convert = url.endsWith("/responses") ? responsesCall : chatCall;
  return { call: convert(request.body, response.body) };
}

/**
 * A batch request line (`complete`: it ended with a newline) joined to its result in `index`, as
 * a call or a skip.
 */
export function parseBatchLine(
  format: LogFormat,
  text: string,
  complete: boolean,
  index: ResultsIndex,
): ParsedLine {
  try {
    const value: unknown = JSON.parse(text);
    if (!isObject(value)) return { skip: "malformed line" };
    return parseBatch(format, value, index.result(String(value.custom_id)));
  } catch (error) {
    if (error instanceof SkipLine) return { skip: error.reason };
    if (error instanceof SyntaxError) return { skip: complete ? "malformed line" : "truncated last line" };
    throw error;
  }
}

export function count(stats: ReadStats, reason: SkipReason, n = 1): void {
  stats.skipped.set(reason, (stats.skipped.get(reason) ?? 0) + n);
}

/** Which files are which: one file of a single-file format, or a batch's requests and results. */
export async function logFiles(
  files: readonly string[],
  forced: LogFormat | undefined,
): Promise<{ format: LogFormat; main: string; results?: string }> {
  const kinds: FileKind[] = [];
  for (const file of files) kinds.push(await detectFile(file, forced));
  const format = kinds[0]!.format;
  if (kinds.some((k) => k.format !== format)) {
    throw new LogFormatError(
      `the files are of different formats: ${files.map((f, i) => `${f}: ${kinds[i]!.format}`).join(", ")}`,
    );
  }
  if (kinds[0]!.side === undefined) {
    if (files.length > 1) throw new LogFormatError(`${format} logs are one file; got ${files.length}`);
    return { format, main: files[0]! };
  }
  const requests = files.filter((_, i) => kinds[i]!.side === "requests");
  const results = files.filter((_, i) => kinds[i]!.side === "results");
  if (requests.length !== 1 || results.length !== 1) {
    throw new LogFormatError(
      `${format} needs its requests file and its results file (give --from twice); got ${requests.length} requests and ${results.length} results file(s)`,
    );
  }
  return { format, main: requests[0]!, results: results[0]! };
}

/** The calls of a log, in file order; `stats` counts lines, calls and skips as they go. */
export async function* readLog(
  files: readonly string[],
  forced: LogFormat | undefined,
  stats: ReadStats,
): AsyncGenerator<LoggedCall> {
  const { format, main, results } = await logFiles(files, forced);
  stats.format = format;
  const index = results
    ? new ResultsIndex(results, format, (reason) => count(stats, reason), false)
    : undefined;
  try {
    for await (const line of readLines(main)) {
      stats.lines++;
      const parsed = index
        ? parseBatchLine(format, line.text, line.complete, index)
        : parseLogLine(format, line.text, line.complete);
      yield* countLine(stats, parsed);
    }
  } finally {
    index?.close();
  }
}
