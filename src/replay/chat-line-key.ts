/**
 * The sampling key of a chat-completions `{request, response}` log line, read from its raw bytes
 * without parsing it into objects: most lines of a large log are only counted (their priority
 * cannot enter the bottom-k sample), so only the few that can are parsed and converted.
 *
 * The scanner is sound, not complete: it gives a key only for a line that is valid JSON and
 * that the full parse (read-log.ts `parseLogLine`) turns into exactly one call, with the same
 * model, tool use, message characters and priority (sample.ts `requestPriority`). Anything else
 * (a malformed or truncated line, a skip of any reason, a shape it does not read: the flat
 * `{messages, choices}` pair, a repeated key, an escaped key, deep nesting) gets no key, and the
 * caller parses the line in full, which counts its skip as before.
 */
import { chatTools } from "./openai-messages.ts";
import type { SamplingKey } from "./sample.ts";
import { Hash53 } from "./seeded-hash.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** Beyond this nesting the line is parsed in full (the scanner recurses). */
const MAX_DEPTH = 64;
/** Distinct tools arrays whose converted JSON is remembered (a log repeats a few tool sets). */
const TOOLS_CACHE_SIZE = 64;

const bytesOf = (text: string) => Buffer.from(text, "latin1");
const KEY = {
  request: bytesOf("request"),
  response: bytesOf("response"),
  error: bytesOf("error"),
  body: bytesOf("body"),
  choices: bytesOf("choices"),
  model: bytesOf("model"),
  messages: bytesOf("messages"),
  tools: bytesOf("tools"),
  role: bytesOf("role"),
  content: bytesOf("content"),
  toolCalls: bytesOf("tool_calls"),
  toolCallId: bytesOf("tool_call_id"),
  id: bytesOf("id"),
  function: bytesOf("function"),
  name: bytesOf("name"),
  arguments: bytesOf("arguments"),
  type: bytesOf("type"),
  text: bytesOf("text"),
};
const ROLES: [Buffer, string][] = [
  [bytesOf("system"), "system"],
  [bytesOf("user"), "user"],
  [bytesOf("assistant"), "assistant"],
  [bytesOf("tool"), "tool"],
  [bytesOf("developer"), "system"],
];

/** A string longer than this is searched natively (the call costs more than a short loop). */
const LONG_STRING = 24;

/** Thrown inside the scanner: the line gets no key. */
class NoKey extends Error {}
const NO_KEY = new NoKey();

const isWhitespace = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
/** A byte that ends a string's plain run: a control character, a backslash, non-ASCII. */
const isSpecial = (b: number) => b < 0x20 || b === BACKSLASH || b >= 0x80;
const isHex = (b: number) => isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);

export class ChatLineScanner {
  private readonly seed: number;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** The last string scanned: its token's bounds (quotes included), and whether it is plain ASCII without escapes. */
  private stringStart = 0;
  private stringEnd = 0;
  private plain = true;
  private readonly toolsCache = new Map<string, string | null>();
  /** The buffer nextSpecialFrom searches, as whole 4-byte words from `wordsStart`; the last byte it found. */
  private chunk: Buffer | undefined;
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private wordsStart = 0;
  private specialFrom = 0;
  private nextSpecial = -1;

  constructor(seed: number) {
    this.seed = seed;
  }

  /** The key of the line `buf[start, end)`, or undefined: parse it in full. */
  key(buf: Buffer, start: number, end: number): SamplingKey | undefined {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    // What nextSpecialFrom found is good for this line only (the buffer may be refilled between lines).
    this.nextSpecial = -1;
    try {
      return this.line();
    } catch (error) {
      if (error === NO_KEY) return undefined;
      throw error;
    }
  }

  private line(): SamplingKey {
    this.expectObject();
    let key: SamplingKey | undefined;
    let response = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.key_();
        if (this.is(name, KEY.request)) {
          if (key) throw NO_KEY;
          key = this.request();
        } else if (this.is(name, KEY.response)) {
          if (response) throw NO_KEY;
          response = true;
          this.response();
        } else if (this.is(name, KEY.error)) {
          if (this.peek() === OPEN_OBJECT) throw NO_KEY;
          this.skipValue(0);
        } else this.skipValue(0);
      } while (this.next(CLOSE_OBJECT));
    }
    this.skipWhitespace();
    if (this.pos !== this.end || !key || !response) throw NO_KEY;
    return key;
  }

  /** The response: an object with `choices` whose first is an object (else "no response"), not a batch `body`. */
  private response(): void {
    this.expectObject();
    let choices = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.key_();
        if (this.is(name, KEY.choices)) {
          if (choices) throw NO_KEY;
          choices = true;
          this.expectArray();
          if (this.peek() !== OPEN_OBJECT) throw NO_KEY;
          do this.skipValue(1);
          while (this.next(CLOSE_ARRAY));
        } else if (this.is(name, KEY.body)) {
          if (this.peek() === OPEN_OBJECT) throw NO_KEY;
          this.skipValue(1);
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (!choices) throw NO_KEY;
  }

  private request(): SamplingKey {
    this.expectObject();
    let model: string | undefined;
    let hash: Hash53 | undefined;
    let chars = 0;
    /** Where the messages are when they come before the model (the hash starts with the model). */
    let messages = -1;
    let tools = -1;
    let toolsEnd = -1;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.key_();
        if (this.is(name, KEY.model)) {
          if (model !== undefined || this.peek() !== QUOTE) throw NO_KEY;
          this.string();
          model = this.decoded();
        } else if (this.is(name, KEY.messages)) {
          if (hash || messages >= 0) throw NO_KEY;
          if (model === undefined) {
            messages = this.pos;
            this.skipValue(1);
          } else {
            hash = new Hash53(this.seed).update(model);
            chars = this.messages(hash);
          }
        } else if (this.is(name, KEY.tools)) {
          if (tools >= 0) throw NO_KEY;
          tools = this.pos;
          this.skipValue(1);
          toolsEnd = this.pos;
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (model === undefined) throw NO_KEY;
    if (!hash) {
      if (messages < 0) throw NO_KEY;
      const after = this.pos;
      this.pos = messages;
      hash = new Hash53(this.seed).update(model);
      chars = this.messages(hash);
      this.pos = after;
    }
    const toolsJson = tools >= 0 ? this.toolsJson(tools, toolsEnd) : undefined;
    hash.update(toolsJson ?? "");
    return { model, tools: toolsJson !== undefined, chars, priority: hash.digest() };
  }

  /** Hashes the messages as requestPriority does; returns their content's characters. */
  private messages(hash: Hash53): number {
    this.expectArray();
    if (this.at(CLOSE_ARRAY)) throw NO_KEY;
    let chars = 0;
    do chars += this.message(hash);
    while (this.next(CLOSE_ARRAY));
    return chars;
  }

  private message(hash: Hash53): number {
    this.expectObject();
    let role: string | undefined;
    let contentSeen = false;
    /** Plain content's bytes, or decoded content. */
    let contentStart = 0;
    let contentEnd = 0;
    let content: string | undefined = "";
    let toolCallId: string | undefined;
    let toolCallIdSeen = false;
    let calls: string[] | undefined;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.key_();
        if (this.is(name, KEY.role)) {
          if (role !== undefined || this.peek() !== QUOTE) throw NO_KEY;
          this.string();
          role = this.role();
        } else if (this.is(name, KEY.content)) {
          if (contentSeen) throw NO_KEY;
          contentSeen = true;
          const first = this.peek();
          if (first === QUOTE) {
            this.string();
            if (this.plain) {
              contentStart = this.stringStart + 1;
              contentEnd = this.stringEnd - 1;
              content = undefined;
            } else content = this.decoded();
          } else if (first === OPEN_ARRAY) content = this.textParts();
          else if (first === 0x6e /* n */) this.literal("null");
          else throw NO_KEY;
        } else if (this.is(name, KEY.toolCalls)) {
          if (calls) throw NO_KEY;
          if (this.peek() === OPEN_ARRAY) calls = this.toolCalls();
          else {
            calls = [];
            this.skipValue(2);
          }
        } else if (this.is(name, KEY.toolCallId)) {
          if (toolCallIdSeen) throw NO_KEY;
          toolCallIdSeen = true;
          if (this.peek() === QUOTE) {
            this.string();
            toolCallId = this.decoded();
          } else this.skipValue(2);
        } else this.skipValue(2);
      } while (this.next(CLOSE_OBJECT));
    }
    if (role === undefined) throw NO_KEY;
    hash.update(role);
    if (content === undefined) hash.updateAscii(this.buf, contentStart, contentEnd);
    else hash.update(content);
    hash.update(toolCallId ?? "");
    if (calls) for (const text of calls) hash.update(text);
    return content === undefined ? contentEnd - contentStart : content.length;
  }

  private role(): string {
    if (!this.plain) throw NO_KEY;
    for (const [bytes, role] of ROLES) if (this.stringIs(bytes)) return role;
    throw NO_KEY;
  }

  /** A content array of text parts, joined (any other part: parsed in full, which skips the line). */
  private textParts(): string {
    this.expectArray();
    let text = "";
    if (this.at(CLOSE_ARRAY)) return text;
    do {
      const first = this.peek();
      if (first === QUOTE) {
        this.string();
        text += this.decoded();
        continue;
      }
      if (first !== OPEN_OBJECT) throw NO_KEY;
      this.expectObject();
      let type = false;
      let part: string | undefined;
      let partSeen = false;
      if (!this.at(CLOSE_OBJECT)) {
        do {
          const name = this.key_();
          if (this.is(name, KEY.type)) {
            if (type || this.peek() !== QUOTE) throw NO_KEY;
            this.string();
            if (!this.plain || !this.stringIs(KEY.text)) throw NO_KEY;
            type = true;
          } else if (this.is(name, KEY.text)) {
            if (partSeen) throw NO_KEY;
            partSeen = true;
            if (this.peek() === QUOTE) {
              this.string();
              part = this.decoded();
            } else this.skipValue(4);
          } else this.skipValue(4);
        } while (this.next(CLOSE_OBJECT));
      }
      if (!type) throw NO_KEY;
      text += part ?? "";
    } while (this.next(CLOSE_ARRAY));
    return text;
  }

  /** An assistant turn's tool calls as the strings requestPriority hashes: id (or ""), name, arguments. */
  private toolCalls(): string[] {
    this.expectArray();
    const texts: string[] = [];
    if (this.at(CLOSE_ARRAY)) return texts;
    do {
      this.expectObject();
      let id: string | undefined;
      let idSeen = false;
      let fn = false;
      let name = "";
      let args = "{}";
      if (!this.at(CLOSE_OBJECT)) {
        do {
          const key = this.key_();
          if (this.is(key, KEY.id)) {
            if (idSeen) throw NO_KEY;
            idSeen = true;
            if (this.peek() === QUOTE) {
              this.string();
              id = this.decoded();
            } else this.skipValue(4);
          } else if (this.is(key, KEY.function)) {
            if (fn) throw NO_KEY;
            fn = true;
            [name, args] = this.toolFunction();
          } else this.skipValue(4);
        } while (this.next(CLOSE_OBJECT));
      }
      if (!fn) throw NO_KEY;
      texts.push(id ?? "", name, args);
    } while (this.next(CLOSE_ARRAY));
    return texts;
  }

  /** A tool call's function: its name ("" unless a string) and arguments (a string, else their JSON). */
  private toolFunction(): [string, string] {
    this.expectObject();
    let name: string | undefined;
    let nameSeen = false;
    let args: string | undefined;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const key = this.key_();
        if (this.is(key, KEY.name)) {
          if (nameSeen) throw NO_KEY;
          nameSeen = true;
          if (this.peek() === QUOTE) {
            this.string();
            name = this.decoded();
          } else this.skipValue(5);
        } else if (this.is(key, KEY.arguments)) {
          if (args !== undefined) throw NO_KEY;
          const start = this.pos;
          this.skipValue(5);
          const value: unknown = JSON.parse(this.buf.toString("utf8", start, this.pos));
          args = typeof value === "string" ? value : JSON.stringify(value ?? {});
        } else this.skipValue(5);
      } while (this.next(CLOSE_OBJECT));
    }
    return [name ?? "", args ?? "{}"];
  }

  /** The JSON of the request's tools as converted (undefined: none), or no key when one is not a function. */
  private toolsJson(start: number, end: number): string | undefined {
    if (this.buf[start] !== OPEN_ARRAY) return undefined;
    const raw = this.buf.toString("latin1", start, end);
    let json = this.toolsCache.get(raw);
    if (json === undefined) {
      let tools: ReturnType<typeof chatTools>;
      try {
        tools = chatTools(JSON.parse(this.buf.toString("utf8", start, end)));
      } catch {
        tools = undefined;
        json = null;
      }
      if (json === undefined) json = tools ? JSON.stringify(tools) : "";
      if (this.toolsCache.size >= TOOLS_CACHE_SIZE) this.toolsCache.clear();
      this.toolsCache.set(raw, json);
    }
    if (json === null) throw NO_KEY;
    return json === "" ? undefined : json;
  }

  // The JSON grammar, as JSON.parse reads it.

  private peek(): number {
    this.skipWhitespace();
    if (this.pos >= this.end) throw NO_KEY;
    return this.buf[this.pos]!;
  }

  private skipWhitespace(): void {
    while (this.pos < this.end && isWhitespace(this.buf[this.pos]!)) this.pos++;
  }

  private expectObject(): void {
    if (this.peek() !== OPEN_OBJECT) throw NO_KEY;
    this.pos++;
  }

  private expectArray(): void {
    if (this.peek() !== OPEN_ARRAY) throw NO_KEY;
    this.pos++;
  }

  /** Consumes `byte` when it is next. */
  private at(byte: number): boolean {
    if (this.peek() !== byte) return false;
    this.pos++;
    return true;
  }

  /** After a member: true on a comma (another follows), false on `close`. */
  private next(close: number): boolean {
    const b = this.peek();
    this.pos++;
    if (b === COMMA) return true;
    if (b === close) return false;
    throw NO_KEY;
  }

  /** An object's key and its colon; returns the key's token start (plain keys only). */
  private key_(): number {
    if (this.peek() !== QUOTE) throw NO_KEY;
    this.string();
    if (!this.plain) throw NO_KEY;
    if (this.peek() !== COLON) throw NO_KEY;
    this.pos++;
    return this.stringStart;
  }

  /** Whether the plain key whose token starts at `start` (and was the last string scanned) is `name`. */
  private is(start: number, name: Buffer): boolean {
    return start === this.stringStart && this.stringIs(name);
  }

  private stringIs(name: Buffer): boolean {
    const start = this.stringStart + 1;
    const length = this.stringEnd - 1 - start;
    if (length !== name.length) return false;
    for (let i = 0; i < length; i++) if (this.buf[start + i] !== name[i]) return false;
    return true;
  }

  /** The last string scanned, decoded. */
  private decoded(): string {
    return this.plain
      ? this.buf.toString("latin1", this.stringStart + 1, this.stringEnd - 1)
      : (JSON.parse(this.buf.toString("utf8", this.stringStart, this.stringEnd)) as string);
  }

  /** The next byte at or after `from` that is not plain string text: a control character (a newline too), a backslash or non-ASCII. */
  private nextSpecialFrom(from: number): number {
    const buf = this.buf;
    if (this.chunk !== buf) {
      this.chunk = buf;
      this.wordsStart = (4 - (buf.byteOffset & 3)) & 3;
      const length = Math.max(0, (buf.length - this.wordsStart) >> 2);
      this.words = new Int32Array(buf.buffer, buf.byteOffset + Math.min(this.wordsStart, buf.length), length);
    }
    if (from < this.specialFrom || this.nextSpecial < from) {
      this.specialFrom = from;
      this.nextSpecial = this.findSpecial(from);
    }
    return this.nextSpecial;
  }

  /** Searches four bytes a step: a byte-wise loop is the scanner's main cost on long strings. */
  private findSpecial(from: number): number {
    const buf = this.buf;
    const start = this.wordsStart;
    const words = this.words;
    let i = from;
    while (i < buf.length && (i < start || ((i - start) & 3) !== 0)) {
      if (isSpecial(buf[i]!)) return i;
      i++;
    }
    for (let k = (i - start) >> 2; k < words.length; k++) {
      const x = words[k]!;
      const backslash = x ^ 0x5c5c5c5c;
      // Per byte: its top bit (non-ASCII), below 0x20 (control), equal to 0x5c (backslash).
      if (((x | ((x - 0x20202020) & ~x) | ((backslash - 0x01010101) & ~backslash)) & 0x80808080) !== 0) {
        for (let j = start + 4 * k; ; j++) if (isSpecial(buf[j]!)) return j;
      }
    }
    for (i = Math.max(from, start + 4 * words.length); i < buf.length; i++) if (isSpecial(buf[i]!)) return i;
    return Number.POSITIVE_INFINITY;
  }

  private string(): void {
    const buf = this.buf;
    const end = this.end;
    this.stringStart = this.pos;
    let plain = true;
    let i = this.pos + 1;
    const native = i + LONG_STRING;
    for (;;) {
      if (i === native && plain) {
        // A long string's end is found natively: its closing quote, when no special byte comes before it.
        const close = buf.indexOf(QUOTE, i);
        if (close >= 0 && close < end && this.nextSpecialFrom(i) > close) {
          i = close;
          break;
        }
      }
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
      if (b >= 0x80) plain = false;
      i++;
    }
    this.pos = i + 1;
    this.stringEnd = this.pos;
    this.plain = plain;
  }

  private literal(word: "true" | "false" | "null"): void {
    for (let i = 0; i < word.length; i++) if (this.buf[this.pos + i] !== word.charCodeAt(i)) throw NO_KEY;
    if (this.pos + word.length > this.end) throw NO_KEY;
    this.pos += word.length;
  }

  private number(): void {
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
  private skipValue(depth: number): void {
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
