/**
 * A batch result line's `custom_id` and outcome (batch-index.ts `outcomeOf`), read from its raw
 * bytes without parsing it into objects. Sound, not complete: it answers only for a line that is
 * valid JSON and UTF-8 whose top-level `custom_id` string comes before any nested value (so that it
 * is the first `"custom_id": "…"` in the text, the one the index keys by), with no repeated or
 * escaped key where it reads; anything else is parsed in full.
 */
import { isUtf8 } from "node:buffer";
import { idBytes } from "./batch-id-table.ts";
import { Outcome } from "./batch-index.ts";
import type { LogFormat } from "./detect.ts";
import { CLOSE_OBJECT, JsonBytes, NO_KEY, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from "./json-bytes.ts";

const bytesOf = (text: string) => Buffer.from(text, "latin1");
const KEY = {
  customId: bytesOf("custom_id"),
  response: bytesOf("response"),
  error: bytesOf("error"),
  statusCode: bytesOf("status_code"),
  body: bytesOf("body"),
  choices: bytesOf("choices"),
  result: bytesOf("result"),
  type: bytesOf("type"),
  message: bytesOf("message"),
  content: bytesOf("content"),
};
const SUCCEEDED = bytesOf("succeeded");

export class BatchResultScanner extends JsonBytes {
  /** The custom_id of the line last read, as its bytes (batch-id-table.ts): idBuf[idStart, idEnd). */
  idBuf: Uint8Array = Buffer.alloc(0);
  idStart = 0;
  idEnd = 0;
  private readonly anthropic: boolean;

  constructor(format: LogFormat) {
    super();
    this.anthropic = format === "anthropic-batch";
  }

  /** The outcome of the result line `buf[start, end)`, or undefined: parse it in full. */
  read(buf: Buffer, start: number, end: number): Outcome | undefined {
    this.begin(buf, start, end);
    try {
      const outcome = this.line();
      // The index reads a result back as text: its bytes must be that text's (an ASCII line's are).
      if (!this.ascii && !isUtf8(buf.subarray(start, end))) return undefined;
      return outcome;
    } catch (error) {
      if (error === NO_KEY) return undefined;
      throw error;
    }
  }

  private line(): Outcome {
    this.expectObject();
    let id = false;
    /** Whether a nested value came before the custom_id (its text could hold another). */
    let nested = false;
    let failed = false;
    let seen = false;
    let outcome: Outcome = Outcome.NoResponse;
    let errorSeen = false;
    if (this.at(CLOSE_OBJECT)) throw NO_KEY;
    do {
      const name = this.member();
      if (this.is(name, KEY.customId)) {
        if (id || nested || this.peek() !== QUOTE) throw NO_KEY;
        this.string();
        id = true;
        if (this.plain) {
          this.idBuf = this.buf;
          this.idStart = this.stringStart + 1;
          this.idEnd = this.stringEnd - 1;
        } else {
          this.idBuf = idBytes(this.decoded());
          this.idStart = 0;
          this.idEnd = this.idBuf.length;
        }
      } else if (this.is(name, this.anthropic ? KEY.result : KEY.response)) {
        if (seen) throw NO_KEY;
        seen = true;
        if (this.peek() === OPEN_OBJECT) {
          const read = this.anthropic ? this.anthropicResult() : this.openaiResponse();
          if (read === Outcome.Failed) failed = true;
          else outcome = read;
        } else {
          failed = true;
          this.skipValue(1);
        }
        nested = true;
      } else if (!this.anthropic && this.is(name, KEY.error)) {
        if (errorSeen) throw NO_KEY;
        errorSeen = true;
        if (this.peek() === OPEN_OBJECT) failed = true;
        this.skipValue(1);
        nested = true;
      } else {
        const first = this.peek();
        if (first === OPEN_OBJECT || first === OPEN_ARRAY) nested = true;
        this.skipValue(1);
      }
    } while (this.next(CLOSE_OBJECT));
    this.skipWhitespace();
    if (this.pos !== this.end || !id) throw NO_KEY;
    // No response member: OpenAI counts it failed; Anthropic's `result` missing is a failure too.
    if (!seen) failed = true;
    return failed ? Outcome.Failed : outcome;
  }

  /** `response`: Failed for a status other than 200, else whether its body has a first choice. */
  private openaiResponse(): Outcome {
    this.expectObject();
    let failed = false;
    let status = false;
    let body = false;
    let call = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.statusCode)) {
          if (status) throw NO_KEY;
          status = true;
          const first = this.peek();
          if (first === 0x2d || (first >= 0x30 && first <= 0x39)) {
            const start = this.pos;
            this.number();
            const buf = this.buf;
            const ok =
              this.pos - start === 3 &&
              buf[start] === 0x32 &&
              buf[start + 1] === 0x30 &&
              buf[start + 2] === 0x30;
            // 200 written otherwise (200.0, 2e2) is left to the full parse.
            if (!ok) {
              if (Number(this.buf.toString("latin1", start, this.pos)) === 200) throw NO_KEY;
              failed = true;
            }
          } else this.skipValue(2);
        } else if (this.is(name, KEY.body)) {
          if (body) throw NO_KEY;
          body = true;
          call = this.firstChoice();
        } else this.skipValue(2);
      } while (this.next(CLOSE_OBJECT));
    }
    if (failed) return Outcome.Failed;
    return call ? Outcome.Call : Outcome.NoResponse;
  }

  /** Whether the value is an object whose `choices` is an array with an object first. */
  private firstChoice(): boolean {
    if (this.peek() !== OPEN_OBJECT) {
      this.skipValue(2);
      return false;
    }
    this.expectObject();
    let choices = false;
    let call = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.choices)) {
          if (choices) throw NO_KEY;
          choices = true;
          call = this.peek() === OPEN_ARRAY && this.buf[this.nextAfterOpen()] === OPEN_OBJECT;
          this.skipValue(3);
        } else this.skipValue(3);
      } while (this.next(CLOSE_OBJECT));
    }
    return call;
  }

  /** The position of the first non-whitespace byte after the `[` or `{` at pos (pos unchanged). */
  private nextAfterOpen(): number {
    const save = this.pos;
    this.pos++;
    let at: number;
    try {
      this.peek();
      at = this.pos;
    } finally {
      this.pos = save;
    }
    return at;
  }

  /** `result`: Failed unless its type is "succeeded", else whether its message has a content array. */
  private anthropicResult(): Outcome {
    this.expectObject();
    let type = false;
    let succeeded = false;
    let message = false;
    let call = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.type)) {
          if (type) throw NO_KEY;
          type = true;
          if (this.peek() === QUOTE) {
            this.string();
            succeeded = this.plain ? this.stringIs(SUCCEEDED) : this.decoded() === "succeeded";
          } else this.skipValue(2);
        } else if (this.is(name, KEY.message)) {
          if (message) throw NO_KEY;
          message = true;
          call = this.contentArray();
        } else this.skipValue(2);
      } while (this.next(CLOSE_OBJECT));
    }
    if (!succeeded) return Outcome.Failed;
    return call ? Outcome.Call : Outcome.NoResponse;
  }

  /** Whether the value is an object whose `content` is an array. */
  private contentArray(): boolean {
    if (this.peek() !== OPEN_OBJECT) {
      this.skipValue(2);
      return false;
    }
    this.expectObject();
    let content = false;
    let call = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.content)) {
          if (content) throw NO_KEY;
          content = true;
          call = this.peek() === OPEN_ARRAY;
          this.skipValue(3);
        } else this.skipValue(3);
      } while (this.next(CLOSE_OBJECT));
    }
    return call;
  }
}
