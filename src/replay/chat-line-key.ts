/**
 * The sampling key of a chat-completions log line, read from its raw bytes
 * without parsing it into objects: most lines of a large log are only counted (their priority
 * cannot enter the bottom-k sample), so only the few that can are parsed and converted.
 *
 * The scanner is sound, not complete: it gives a key only for a line that is valid JSON and
 * that the full parse (read-log.ts `parseLogLine`) turns into exactly one call, with the same
 * model, tool use, message characters and priority (sample.ts `requestPriority`). Anything else
 * (a malformed or truncated line, a skip of any reason, a shape it does not read, a repeated key,
 * an escaped key, deep nesting) gets no key, and the caller parses the line in full, which counts
 * its skip as before. It reads both `{request, response}` pairs and the flat
 * `{model, messages, …, choices, usage}` line.
 */

import { ChatContentBytes } from "./chat-content-bytes.ts";
import { CLOSE_ARRAY, CLOSE_OBJECT, NO_KEY, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from "./json-bytes.ts";
import { chatTools } from "./openai-messages.ts";
import type { SamplingKey } from "./sample.ts";
import { Hash53 } from "./seeded-hash.ts";

/** Distinct tools arrays whose converted JSON is remembered (a log repeats a few tool sets). */
const TOOLS_CACHE_SIZE = 64;
/** Model names remembered as bytes. */
const MODELS_CACHE_SIZE = 8;

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
};
/** Members of a flat line the reader leaves to the full parse (a pair's, a failure, a wrapped body). */
const FLAT_UNREAD = [KEY.request, KEY.response, KEY.error, KEY.body];
/**
 * What the pair reader returns for a line of the flat shape, to be read again as one (returned,
 * not thrown: a throw per line cost a sampling thread ~2 µs a line).
 */
const FLAT = Symbol("flat line");

export class ChatLineScanner extends ChatContentBytes {
  protected readonly seed: number;
  private readonly toolsCache = new Map<string, string | null>();
  private readonly models: [Buffer, string][] = [];

  constructor(seed: number) {
    super();
    this.seed = seed;
  }

  /** The key of the line `buf[start, end)`, or undefined: parse it in full. */
  key(buf: Buffer, start: number, end: number): SamplingKey | undefined {
    this.begin(buf, start, end);
    try {
      const key = this.line();
      if (key !== FLAT) return key;
      this.begin(buf, start, end);
      const flat = this.request(true);
      this.skipWhitespace();
      if (this.pos !== this.end) throw NO_KEY;
      return flat;
    } catch (error) {
      if (error === NO_KEY) return undefined;
      throw error;
    }
  }

  /** A pair's key, or FLAT: the line is of the flat shape, to be read again as one. */
  private line(): SamplingKey | typeof FLAT {
    this.expectObject();
    let key: SamplingKey | undefined;
    let response = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
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
        } else if (this.is(name, KEY.messages) || this.is(name, KEY.choices)) {
          // The flat `{model, messages, …, choices, usage}` shape, unless a pair member came first.
          if (key || response) throw NO_KEY;
          return FLAT;
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
        const name = this.member();
        if (this.is(name, KEY.choices)) {
          if (choices) throw NO_KEY;
          choices = true;
          this.choices();
        } else if (this.is(name, KEY.body)) {
          if (this.peek() === OPEN_OBJECT) throw NO_KEY;
          this.skipValue(1);
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (!choices) throw NO_KEY;
  }

  private isFlatUnread(name: number): boolean {
    for (const key of FLAT_UNREAD) if (this.is(name, key)) return true;
    return false;
  }

  /** The choices: an array whose first is an object (else the full parse skips the line). */
  private choices(): void {
    this.expectArray();
    if (this.peek() !== OPEN_OBJECT) throw NO_KEY;
    do this.skipValue(1);
    while (this.next(CLOSE_ARRAY));
  }

  /**
   * The request's members; `flat`: the line itself, its response members beside them (read-log.ts
   * takes the request as the line less its response keys, and the line as the response).
   */
  protected request(flat = false): SamplingKey {
    this.expectObject();
    let choices = false;
    let model: string | undefined;
    let hash: Hash53 | undefined;
    let chars = 0;
    /** Where the messages are when they come before the model (the hash starts with the model). */
    let messages = -1;
    let tools = -1;
    let toolsEnd = -1;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.model)) {
          if (model !== undefined || this.peek() !== QUOTE) throw NO_KEY;
          this.string();
          model = this.modelName();
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
          // The value's own bytes: the converted tools are looked up by them.
          this.skipWhitespace();
          tools = this.pos;
          this.skipValue(1);
          toolsEnd = this.pos;
        } else if (flat && this.is(name, KEY.choices)) {
          if (choices) throw NO_KEY;
          choices = true;
          this.choices();
        } else if (flat && this.isFlatUnread(name)) throw NO_KEY;
        else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (model === undefined || (flat && !choices)) throw NO_KEY;
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
        const name = this.member();
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

  /** The model string just read: a log names a few models, so the last ones are reused, not decoded again. */
  protected modelName(): string {
    if (this.plain) for (const [bytes, name] of this.models) if (this.stringIs(bytes)) return name;
    const name = this.decoded();
    if (this.plain) {
      if (this.models.length >= MODELS_CACHE_SIZE) this.models.shift();
      this.models.push([Buffer.from(name, "latin1"), name]);
    }
    return name;
  }

  /** The request's tools as the full parse converts them (it throws a SkipLine for a tool it skips). */
  protected convertTools(value: unknown): unknown[] | undefined {
    return chatTools(value);
  }

  /** The JSON of the request's tools as converted (undefined: none), or no key when one is not a function. */
  protected toolsJson(start: number, end: number): string | undefined {
    if (this.buf[start] !== OPEN_ARRAY) return undefined;
    const raw = this.buf.toString("latin1", start, end);
    let json = this.toolsCache.get(raw);
    if (json === undefined) {
      let tools: unknown[] | undefined;
      try {
        tools = this.convertTools(JSON.parse(this.buf.toString("utf8", start, end)));
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
}
