/**
 * String tokens of an OTLP JSON line read faster than token by token (otel-line-key.ts): the
 * bytes exporters write around an attribute, and string tokens passed over to their closing quote
 * without checking them, which the caller decodes (JSON.parse checks them then), so the line's
 * JSON is still checked whole.
 */
import { CLOSE_OBJECT, JsonBytes, NO_KEY, OPEN_OBJECT, QUOTE } from "./json-bytes.ts";

const bytesOf = (text: string) => Buffer.from(text, "latin1");
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
/** An attribute's bytes as exporters write them, up to its key, and from its key to its value's type. */
export const KEY_HEAD = bytesOf('{"key":"');
export const VALUE_HEAD = bytesOf(',"value":{"');
export const STRING_VALUE = bytesOf("stringValue");
/** What follows a compact attribute's string value: its value object's and its own ends. */
const TOKEN_END = bytesOf('"}}');
/** 1 for a byte that is plain string text (printable ASCII but the quote and the backslash). */
export const PLAIN = new Uint8Array(256).map((_, b) =>
  b >= 0x20 && b < 0x80 && b !== QUOTE && b !== 0x5c ? 1 : 0,
);
/** 1 for a byte that a string token cannot hold as is: a control character, a backslash, non-ASCII. */
const SPECIAL = new Uint8Array(256).map((_, b) => (b < 0x20 || b === BACKSLASH || b >= 0x80 ? 1 : 0));

export class OtelBytes extends JsonBytes {
  /** Whether `bytes` are at `at`. */
  protected bytesAt(at: number, bytes: Uint8Array): boolean {
    const buf = this.buf;
    if (at + bytes.length > this.end) return false;
    for (let i = 0; i < bytes.length; i++) if (buf[at + i] !== bytes[i]) return false;
    return true;
  }

  /**
   * A long string token whose value object closes right after it: its end found natively, as the
   * first `"}}` whose quote is not escaped. Unchecked, and not plain: JSON.parse decodes it, and
   * fails when that `"}}` was not its end (then the line is parsed in full).
   */
  protected longStringEnd(): void {
    const buf = this.buf;
    this.stringStart = this.pos;
    let from = this.pos + 1;
    for (;;) {
      const quote = buf.indexOf(TOKEN_END, from);
      if (quote < 0 || quote + TOKEN_END.length > this.end) throw NO_KEY;
      let backslashes = 0;
      while (buf[quote - 1 - backslashes] === BACKSLASH) backslashes++;
      if ((backslashes & 1) === 0) {
        this.pos = quote + 1;
        break;
      }
      from = quote + 1;
    }
    this.stringEnd = this.pos;
    this.plain = false;
  }

  /** A string token passed over unchecked, decoded: one JSON does not accept means no keys for the line. */
  protected check(start: number, end: number): string {
    try {
      return JSON.parse(this.buf.toString("utf8", start, end)) as string;
    } catch {
      throw NO_KEY;
    }
  }

  /**
   * Passes over a string token to its closing quote, unchecked (JSON.parse checks it when
   * decoded); `plain`: printable ASCII without escapes, valid as it is.
   */
  protected stringEndOnly(): void {
    const buf = this.buf;
    const end = this.end;
    this.stringStart = this.pos;
    let special = 0;
    let i = this.pos + 1;
    for (; i < end; i++) {
      const b = buf[i]!;
      if (b === QUOTE) break;
      special |= SPECIAL[b]!;
      if (b === BACKSLASH) i++;
    }
    if (i >= end) throw NO_KEY;
    this.pos = i + 1;
    this.stringEnd = this.pos;
    this.plain = special === 0;
  }

  /**
   * An attribute's value: the bounds of its string token when it is `{"stringValue": "…"}` alone
   * ([-1, -1] otherwise), `plain` set for it. `needed`: its key is a needed one, and the token's
   * end is only found here (it is checked when decoded).
   */
  protected stringValue(needed: boolean): [number, number] {
    if (this.peek() !== OPEN_OBJECT) {
      this.skipValue(9);
      return [-1, -1];
    }
    this.pos++;
    let start = -1;
    let end = -1;
    let plain = false;
    let members = 0;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        members++;
        if (members === 1 && this.is(name, STRING_VALUE) && this.peek() === QUOTE) {
          if (needed) this.stringEndOnly();
          else this.string();
          start = this.stringStart;
          end = this.stringEnd;
          plain = this.plain;
        } else this.skipValue(9);
      } while (this.next(CLOSE_OBJECT));
    }
    if (members === 1) {
      this.plain = plain;
      return [start, end];
    }
    // Not kept, so not decoded: its token is checked now.
    if (needed && start >= 0) this.check(start, end);
    return [-1, -1];
  }
}
