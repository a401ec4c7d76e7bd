/**
 * How much of a call's text its record keeps. A server that ignores `max_tokens` can send
 * megabytes per call; the record keeps the first `maxBytes` of the output (and of the
 * reasoning), cut at a character boundary, with the whole text's length and sha256. Scorers ran
 * on the whole text before the record is stored.
 */
import { createHash } from "node:crypto";
import type { CallRecord } from "./records.ts";

/** Bytes of output (and of reasoning) a record keeps unless the suite says otherwise: 1 MiB. */
export const DEFAULT_MAX_OUTPUT_BYTES = 1 << 20;

/** What a cut text leaves in the record beside its first bytes. */
export interface CutText {
  text: string;
  /** UTF-8 length of the whole text. */
  bytes: number;
  /** sha256 (hex) of the whole text's UTF-8 bytes. */
  sha256: string;
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, or undefined when it fits. */
export function cutText(text: string, maxBytes: number): CutText | undefined {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most outputs are settled without encoding them.
  if (text.length * 3 <= maxBytes) return undefined;
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return undefined;
  let end = maxBytes;
  // Back off to the start of a character (continuation bytes are 10xxxxxx).
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return {
    text: bytes.subarray(0, end).toString("utf8"),
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/**
 * `record` as stored: the same object when its output and reasoning fit in `maxBytes`, else a
 * copy with them cut, `output_truncated: true`, `output_bytes` and `output_sha256` (and the
 * `reasoning_…` fields likewise); a tool call's `arguments` longer than `maxBytes` are cut too,
 * with `tool_calls_truncated: true`.
 */
export function storedCallRecord(record: CallRecord, maxBytes: number): CallRecord {
  const output = record.output === null ? undefined : cutText(record.output, maxBytes);
  const reasoning = record.reasoning === null ? undefined : cutText(record.reasoning, maxBytes);
  const calls = record.tool_calls?.map((call) => ({ call, cut: cutText(call.arguments, maxBytes) }));
  const callsCut = calls?.some((c) => c.cut !== undefined) === true;
  if (output === undefined && reasoning === undefined && !callsCut) return record;
  return {
    ...record,
    ...(callsCut && {
      tool_calls: calls!.map(({ call, cut }) => (cut ? { ...call, arguments: cut.text } : call)),
      tool_calls_truncated: true,
    }),
    ...(output && {
      output: output.text,
      output_truncated: true,
      output_bytes: output.bytes,
      output_sha256: output.sha256,
    }),
    ...(reasoning && {
      reasoning: reasoning.text,
      reasoning_truncated: true,
      reasoning_bytes: reasoning.bytes,
      reasoning_sha256: reasoning.sha256,
    }),
  };
}
