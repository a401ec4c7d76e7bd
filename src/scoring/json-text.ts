/**
 * Reads a model's output as JSON for the JSON scorers. One Markdown code fence
 * around the whole output (```` ```json ```` … ```` ``` ````, any or no language tag) is
 * tolerated, because chat models add it even when told not to; the reason says so. Prose
 * before or after the JSON is not tolerated by `parseJsonOutput`; `extractJsonOutput` (scorers'
 * `extract_json: true`) finds JSON in chatty output. Any JSON value (RFC 8259) counts, scalars too.
 */

import { z } from "zod";

/** The `extract_json` option of every scorer that reads the output as JSON. */
export const ExtractJsonOption = z
  .boolean()
  .optional()
  .describe("Find the JSON in chatty output or a ```json block (default false: the whole output)");

/** The parser an `extract_json` setting picks. */
export function outputJsonParser(
  extract: boolean | undefined,
): (output: string) => ParsedOutput & { extracted?: boolean } {
  return extract === true ? extractJsonOutput : parseJsonOutput;
}

/** The reason of output that is not JSON (score 0). */
export function notJsonReason(parsed: { fenced: boolean; error: string }): string {
  return `not valid JSON${fenceNote(parsed.fenced)}: ${parsed.error}`;
}

const WHOLE_FENCE = /^```[\w+-]*[ \t]*\r?\n([\s\S]*?)\r?\n?[ \t]*```$/;

export type ParsedOutput =
  | { ok: true; value: unknown; fenced: boolean }
  | { ok: false; fenced: boolean; error: string };

/** Parses the output as JSON, unwrapping a surrounding code fence. */
export function parseJsonOutput(output: string): ParsedOutput {
  const trimmed = output.trim();
  const fence = WHOLE_FENCE.exec(trimmed);
  const text = fence === null ? trimmed : fence[1]!;
  const fenced = fence !== null;
  if (text.trim() === "") return { ok: false, fenced, error: "empty output" };
  try {
    return { ok: true, value: JSON.parse(text), fenced };
  } catch (error) {
    return { ok: false, fenced, error: (error as Error).message };
  }
}

/** "object", "array", "string", "number", "boolean" or "null". */
export function jsonKind(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/** Suffix for reasons when the JSON came out of a code fence. */
export function fenceNote(fenced: boolean): string {
  return fenced ? " (inside a ``` code fence)" : "";
}

/** JSON candidates tried in chatty output before giving up (each is one linear scan). */
const MAX_CANDIDATES = 64;
/** Unclosed brackets skipped before giving up (each costs a scan to the end). */
const MAX_UNCLOSED = 4;
/** How a whole output that is JSON (or one fenced block) can begin. */
const JSON_START = /^\s*(?:[{["\d-]|true|false|null|```)/;
const FENCE_ANYWHERE = /```[ \t]*([\w+-]*)[ \t]*\r?\n([\s\S]*?)```/g;

/**
 * Finds JSON in chatty output: the whole output (with one surrounding fence) first, then each
 * fenced block (```` ```json ```` before other tags), then the first `{…}` or `[…]` that parses,
 * strings and escapes respected. Tries a bounded number of candidates, so an adversarial
 * output costs linear time per try.
 */
export function extractJsonOutput(output: string): ParsedOutput & { extracted?: boolean } {
  // Prose first: skip parsing the whole output (a thrown SyntaxError costs microseconds).
  const whole: ParsedOutput = JSON_START.test(output)
    ? parseJsonOutput(output)
    : { ok: false, fenced: false, error: "the output does not start with JSON" };
  if (whole.ok) return whole;
  const fences = [...output.matchAll(FENCE_ANYWHERE)].slice(0, MAX_CANDIDATES);
  fences.sort((a, b) => Number(b[1] === "json") - Number(a[1] === "json"));
  for (const fence of fences) {
    try {
      return { ok: true, value: JSON.parse(fence[2]!), fenced: true, extracted: true };
    } catch {
      // Not JSON: try the next block.
    }
  }
  let tries = 0;
  let unclosed = 0;
  let from = 0;
  while (from < output.length && tries < MAX_CANDIDATES && unclosed < MAX_UNCLOSED) {
    const segment = nextBracketed(output, from);
    if (segment === undefined) break;
    tries++;
    if (segment.end < 0) {
      // An opening bracket never closed (a stray "{" in prose): look again after it, a few times
      // (each look scans to the end).
      unclosed++;
      from = segment.start + 1;
      continue;
    }
    try {
      const value: unknown = JSON.parse(output.slice(segment.start, segment.end + 1));
      return { ok: true, value, fenced: false, extracted: true };
    } catch {
      from = segment.start + 1;
    }
  }
  return { ok: false, fenced: whole.fenced, error: `no JSON found in the output (${whole.error})` };
}

/**
 * The next `{…}` or `[…]` from `from`: where it opens and the index of its closing bracket
 * (−1 when it never closes). Quotes count only inside brackets, where JSON strings are.
 */
function nextBracketed(text: string, from: number): { start: number; end: number } | undefined {
  let start = -1;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === "{" || char === "[") {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === "\\") i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === "{" || char === "[") depth++;
    else if (char === "}" || char === "]") {
      depth--;
      if (depth === 0) return { start, end: i };
    }
  }
  return { start, end: -1 };
}

/** Suffix for reasons saying where the JSON was found. */
export function foundNote(parsed: { fenced: boolean; extracted?: boolean }): string {
  if (parsed.extracted)
    return parsed.fenced ? " (from a ``` block in the output)" : " (found in the output's text)";
  return fenceNote(parsed.fenced);
}
