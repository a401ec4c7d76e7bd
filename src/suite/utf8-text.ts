/**
 * Bytes read as UTF-8 text, or where they stop being text. A binary or UTF-16 file handed to the
 * YAML parser yields a pile of syntax errors that say nothing of the cause; this says it once.
 */

/** Why the bytes are not UTF-8 text, and where (line and column are 1-based, in characters). */
export interface NotUtf8Text {
  reason: string;
  /** 0-based offset of the offending byte. */
  byte: number;
  line: number;
  column: number;
}

export type DecodedText = { ok: true; text: string } | { ok: false; problem: NotUtf8Text };

/** The text of `bytes`; a UTF-8 byte-order mark is fine and kept (the text is hashed as read). */
export function decodeUtf8Text(bytes: Uint8Array): DecodedText {
  const utf16 = utf16ByteOrderMark(bytes);
  if (utf16)
    return { ok: false, problem: { reason: `${utf16} byte-order mark`, byte: 0, line: 1, column: 1 } };
  const nul = bytes.indexOf(0);
  let invalid: number | undefined;
  try {
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    if (nul < 0) return { ok: true, text };
  } catch {
    invalid = firstInvalidByte(bytes);
  }
  const byte = nul >= 0 && (invalid === undefined || nul < invalid) ? nul : invalid!;
  const hex = bytes[byte]!.toString(16).toUpperCase().padStart(2, "0");
  const reason = byte === nul ? "NUL byte" : `invalid UTF-8 byte 0x${hex}`;
  // Everything before the first problem is valid UTF-8.
  const before = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes.subarray(0, byte));
  const lineStart = before.lastIndexOf("\n") + 1;
  const line = before.slice(0, lineStart).split("\n").length;
  return { ok: false, problem: { reason, byte, line, column: before.length - lineStart + 1 } };
}

function utf16ByteOrderMark(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "UTF-16LE";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "UTF-16BE";
  return undefined;
}

/**
 * Offset of the first byte that is not valid UTF-8, found through the lenient decoding: the first
 * U+FFFD that the bytes do not spell out (EF BF BD). Up to there every character re-encodes to
 * exactly the bytes it came from, so the offset is the UTF-8 length of the text before it.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  const encoder = new TextEncoder();
  let byte = 0;
  let from = 0;
  for (let at = text.indexOf("\uFFFD"); at >= 0; at = text.indexOf("\uFFFD", at + 1)) {
    byte += encoder.encode(text.slice(from, at)).length;
    if (bytes[byte] !== 0xef || bytes[byte + 1] !== 0xbf || bytes[byte + 2] !== 0xbd) return byte;
    byte += 3;
    from = at + 1;
  }
  throw new Error("firstInvalidByte: the bytes are valid UTF-8");
}
