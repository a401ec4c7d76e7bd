/**
 * Reads a model's output as JSON for `json_valid` and `json_schema`. One Markdown code fence
 * around the whole output (```` ```json ```` … ```` ``` ````, any or no language tag) is
 * tolerated, because chat models add it even when told not to; the reason says so. Prose
 * before or after the JSON is not tolerated. Any JSON value (RFC 8259) counts, scalars too.
 */

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
