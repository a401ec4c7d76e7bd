/**
 * JSON read from its UTF-8 bytes without building values: the grammar exactly as JSON.parse
 * accepts it (strings, escapes, numbers, literals, nesting), checked and passed over, with the
 * bounds and plainness of the last string read. Whatever does not fit throws NO_KEY. A long
 * string's end is found natively (its closing quote, then a 4-byte-a-step search for a byte that
 * would need decoding) rather than byte by byte: a log line is mostly such strings.
 */

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;
/** Beyond this nesting the line is parsed in full (the scanner recurses). */
const MAX_DEPTH = 64;
/** A string longer than this is searched natively (the call costs more than a short loop). */
const LONG_STRING = 24;

/** Thrown where the text is not what the reader vouches for (the caller parses it in full). */
class NoKey extends Error {}
export const NO_KEY = new NoKey();

const isWhitespace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
/** A byte that ends a string's plain run: a control character, a backslash, non-ASCII. */
const isSpecial = (b: number) => b < 0x20 || b === BACKSLASH || b >= 0x80;
/** 1 for a byte that is plain string text (printable ASCII but the quote and the backslash). */
const PLAIN = new Uint8Array(256).map((_, b) =>
  b >= 0x20 && b < 0x80 && b !== QUOTE && b !== BACKSLASH ? 1 : 0,
);
const isHex = (b: number) => isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);

export class JsonBytes {
  protected buf: Buffer = Buffer.alloc(0);
  protected pos = 0;
  protected end = 0;
  /** The last string read: its token's bounds (quotes included), and whether it is plain ASCII without escapes. */
  protected stringStart = 0;
  protected stringEnd = 0;
  protected plain = true;
  /** Whether no string read since `begin` held a byte ≥ 0x80 (a line read whole is then ASCII, so valid UTF-8). */
  protected ascii = true;
  /** The buffer plainRun searches, as whole 4-byte words from `wordsStart`. */
  private chunk: Buffer | undefined;
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private wordsStart = 0;

  /** Reads `buf[start, end)` from its start. */
  protected begin(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.ascii = true;
  }

  /** The next byte that is not whitespace (it runs per token: fields are read once, written only past whitespace). */
  protected peek(): number {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    while (pos < end) {
      const b = buf[pos]!;
      if (!isWhitespace(b)) {
        this.pos = pos;
        return b;
      }
      pos++;
    }
    this.pos = pos;
    throw NO_KEY;
  }

  protected skipWhitespace(): void {
    const buf = this.buf;
    const end = this.end;
    let pos = this.pos;
    while (pos < end && isWhitespace(buf[pos]!)) pos++;
    this.pos = pos;
  }

  protected expectObject(): void {
    if (this.peek() !== OPEN_OBJECT) throw NO_KEY;
    this.pos++;
  }

  protected expectArray(): void {
    if (this.peek() !== OPEN_ARRAY) throw NO_KEY;
    this.pos++;
  }

  /** Consumes `byte` when it is next. */
  protected at(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.pos++;
    return true;
  }

  /** After a member: true on a comma (another follows), false on `close`. */
  protected next(close: number): boolean {
    const b = this.peek();
    this.pos++;
    if (b === COMMA) return true;
    if (b === close) return false;
    throw NO_KEY;
  }

  /** An object's key and its colon; returns the key's token start (plain keys only). */
  protected member(): number {
    if (this.peek() !== QUOTE) throw NO_KEY;
    this.string();
    if (!this.plain) throw NO_KEY;
    if (this.peek() !== COLON) throw NO_KEY;
    this.pos++;
    return this.stringStart;
  }

  /** Whether the plain key whose token starts at `start` (and was the last string scanned) is `name`. */
  protected is(start: number, name: Buffer): boolean {
    return start === this.stringStart && this.stringIs(name);
  }

  protected stringIs(name: Buffer): boolean {
    const start = this.stringStart + 1;
    const length = this.stringEnd - 1 - start;
    if (length !== name.length) return false;
    for (let i = 0; i < length; i++) if (this.buf[start + i] !== name[i]) return false;
    return true;
  }

  /** The last string scanned, decoded. */
  protected decoded(): string {
    return this.plain
      ? this.buf.toString("latin1", this.stringStart + 1, this.stringEnd - 1)
      : (JSON.parse(this.buf.toString("utf8", this.stringStart, this.stringEnd)) as string);
  }

  /** Whether `buf[from, to)` is plain string text: no control character, backslash or non-ASCII byte. */
  private plainRun(from: number, to: number): boolean {
    const buf = this.buf;
    if (this.chunk !== buf) {
      this.chunk = buf;
      this.wordsStart = (4 - (buf.byteOffset & 3)) & 3;
      const length = Math.max(0, (buf.length - this.wordsStart) >> 2);
      this.words = new Int32Array(buf.buffer, buf.byteOffset + Math.min(this.wordsStart, buf.length), length);
    }
    const start = this.wordsStart;
    const words = this.words;
    let i = from;
    while (i < to && (i < start || ((i - start) & 3) !== 0)) {
      if (isSpecial(buf[i]!)) return false;
      i++;
    }
    // Four bytes a step (a byte-wise loop is the reader's main cost on long strings): per byte,
    // its top bit (non-ASCII), below 0x20 (control), equal to 0x5c (backslash).
    const last = Math.min(words.length, Math.floor((to - start) / 4));
    let k = (i - start) >> 2;
    for (; k < last; k++) {
      const x = words[k]!;
      const backslash = x ^ 0x5c5c5c5c;
      if (((x | ((x - 0x20202020) & ~x) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) !== 0)
        return false;
    }
    for (i = Math.max(i, start + 4 * k); i < to; i++) if (isSpecial(buf[i]!)) return false;
    return true;
  }

  protected string(): void {
    const buf = this.buf;
    const end = this.end;
    this.stringStart = this.pos;
    let plain = true;
    let i = this.pos + 1;
    const native = Math.min(end, i + LONG_STRING);
    while (i < native && PLAIN[buf[i]!] === 1) i++;
    // A long string's end is found natively: its closing quote, when no special byte comes before it.
    const close = i === native && i < end ? buf.indexOf(QUOTE, i) : -1;
    if (close >= 0 && close < end && this.plainRun(i, close)) i = close;
    else {
      // Byte by byte from the first byte that is not plain text: escapes checked, the quote found.
      for (;;) {
        if (i >= end) throw NO_KEY;
        const b = buf[i]!;
        if (b === QUOTE) break;
        if (b === BACKSLASH) {
          plain = false;
          const e = buf[i + 1];
          if (e === 0x75 /* u */) {
            if (i + 5 >= end) throw NO_KEY;
            for (let k = 2; k < 6; k++) if (!isHex(buf[i + k]!)) throw NO_KEY;
            i += 6;
          } else if (
            e === QUOTE ||
            e === BACKSLASH ||
            e === 0x2f ||
            e === 0x62 ||
            e === 0x66 ||
            e === 0x6e ||
            e === 0x72 ||
            e === 0x74
          ) {
            i += 2;
          } else throw NO_KEY;
          continue;
        }
        if (b < 0x20) throw NO_KEY;
        if (b >= 0x80) {
          plain = false;
          this.ascii = false;
        }
        i++;
      }
    }
    this.pos = i + 1;
    this.stringEnd = this.pos;
    this.plain = plain;
  }

  protected literal(word: "true" | "false" | "null"): void {
    for (let i = 0; i < word.length; i++) if (this.buf[this.pos + i] !== word.charCodeAt(i)) throw NO_KEY;
    if (this.pos + word.length > this.end) throw NO_KEY;
    this.pos += word.length;
  }

  protected number(): void {
    const buf = this.buf;
    const end = this.end;
    let i = this.pos;
    if (i < end && buf[i] === 0x2d) i++;
    if (i < end && buf[i] === 0x30) i++;
    else if (i < end && buf[i]! >= 0x31 && buf[i]! <= 0x39) while (i < this.end && isDigit(buf[i]!)) i++;
    else throw NO_KEY;
    if (i < this.end && buf[i] === 0x2e) {
      i++;
      if (!(i < this.end && isDigit(buf[i]!))) throw NO_KEY;
      while (i < this.end && isDigit(buf[i]!)) i++;
    }
    if (i < this.end && (buf[i] === 0x65 || buf[i] === 0x45)) {
      i++;
      if (i < this.end && (buf[i] === 0x2b || buf[i] === 0x2d)) i++;
      if (!(i < this.end && isDigit(buf[i]!))) throw NO_KEY;
      while (i < this.end && isDigit(buf[i]!)) i++;
    }
    this.pos = i;
  }

  /** Any JSON value, checked and passed over. */
  protected skipValue(depth: number): void {
    if (depth > MAX_DEPTH) throw NO_KEY;
    const b = this.peek();
    if (b === QUOTE) this.string();
    else if (b === OPEN_OBJECT) {
      this.pos++;
      if (this.at(CLOSE_OBJECT)) return;
      do {
        if (this.peek() !== QUOTE) throw NO_KEY;
        this.string();
        if (this.peek() !== COLON) throw NO_KEY;
        this.pos++;
        this.skipValue(depth + 1);
      } while (this.next(CLOSE_OBJECT));
    } else if (b === OPEN_ARRAY) {
      this.pos++;
      if (this.at(CLOSE_ARRAY)) return;
      do this.skipValue(depth + 1);
      while (this.next(CLOSE_ARRAY));
    } else if (b === 0x74) this.literal("true");
    else if (b === 0x66) this.literal("false");
    else if (b === 0x6e) this.literal("null");
    else this.number();
  }
}
