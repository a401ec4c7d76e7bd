/**
 * A cheap read of the commonest streamed Chat Completions chunk: one choice whose delta carries
 * only content text (`{"choices":[{"index":0,"delta":{"content":"tok"},"finish_reason":null}],…}`).
 * Parsing every such chunk whole (an object per field, per choice, per delta) was the largest
 * single item of a streamed call's CPU after the transport. Anything else — tool calls,
 * reasoning, usage, timings, an error, a finish reason, several `content` fields (several
 * choices), unusual spacing — is left to the full parse: the scan only ever declines.
 */

/** Fields whose presence needs the full parse (their values matter to the decoder). */
const NEEDS_PARSE = ['"tool_calls"', '"reasoning', '"timings"', '"error"', '"function_call"', '"message"'];

const CONTENT = '"content":';
const FINISH = '"finish_reason":';
const USAGE = '"usage":';

/**
 * The content text of a content-only chunk (`null`: its content is null or empty), or
 * `undefined` when the chunk needs the full parse. `data` is one SSE event's data, a JSON object.
 */
export function scanContentDelta(data: string): string | null | undefined {
  if (!data.includes('"delta":')) return undefined;
  for (const field of NEEDS_PARSE) if (data.includes(field)) return undefined;
  if (!onlyNull(data, FINISH) || !onlyNull(data, USAGE)) return undefined;
  const at = data.indexOf(CONTENT);
  if (at < 0 || data.indexOf(CONTENT, at + CONTENT.length) >= 0) return undefined;
  if (at > 0 && data.charCodeAt(at - 1) === 92 /* \ */) return undefined;
  const start = at + CONTENT.length;
  if (data.startsWith("null", start)) return null;
  if (data.charCodeAt(start) !== 34 /* " */) return undefined;
  const end = closingQuote(data, start + 1);
  if (end < 0) return undefined;
  const raw = data.slice(start + 1, end);
  if (!raw.includes("\\")) return raw === "" ? null : raw;
  try {
    const text = JSON.parse(`"${raw}"`) as string;
    return text === "" ? null : text;
  } catch {
    return undefined;
  }
}

/** Whether every occurrence of `field` in `data` has the value null (or there is none). */
function onlyNull(data: string, field: string): boolean {
  for (let at = data.indexOf(field); at >= 0; at = data.indexOf(field, at + field.length)) {
    if (!data.startsWith("null", at + field.length)) return false;
  }
  return true;
}

/** The index of the `"` closing the JSON string whose text starts at `from`, or -1. */
function closingQuote(data: string, from: number): number {
  for (let at = data.indexOf('"', from); at >= 0; at = data.indexOf('"', at + 1)) {
    let backslashes = 0;
    while (data.charCodeAt(at - 1 - backslashes) === 92) backslashes++;
    if (backslashes % 2 === 0) return at;
  }
  return -1;
}
