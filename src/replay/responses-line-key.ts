/**
 * The sampling key of an OpenAI Responses API `{request, response}` log line, read from its raw
 * bytes (as chat-line-key.ts reads a chat-completions line): the messages are what
 * openai-responses.ts makes of `instructions` and `input` (a string, or message items of text),
 * hashed as sample.ts `requestPriority` hashes them. Sound, not complete: tool-call items, reasoning
 * items, a failed or wrapped response, a repeated or escaped key and anything else it does not
 * read get no key, and the line is parsed in full.
 */
import { ChatLineScanner } from "./chat-line-key.ts";
import { CLOSE_ARRAY, CLOSE_OBJECT, NO_KEY, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from "./json-bytes.ts";
import type { SamplingKey } from "./sample.ts";
import { Hash53 } from "./seeded-hash.ts";

const bytesOf = (text: string) => Buffer.from(text, "latin1");
const KEY = {
  request: bytesOf("request"),
  response: bytesOf("response"),
  error: bytesOf("error"),
  body: bytesOf("body"),
  output: bytesOf("output"),
  status: bytesOf("status"),
  failed: bytesOf("failed"),
  model: bytesOf("model"),
  instructions: bytesOf("instructions"),
  input: bytesOf("input"),
  tools: bytesOf("tools"),
  type: bytesOf("type"),
  message: bytesOf("message"),
  role: bytesOf("role"),
  content: bytesOf("content"),
  text: bytesOf("text"),
};
/** Text part types openai-responses.ts joins into a message's content. */
const TEXT_PARTS = ["input_text", "output_text", "text"].map(bytesOf);
const ROLES: [Buffer, string][] = [
  [bytesOf("system"), "system"],
  [bytesOf("user"), "user"],
  [bytesOf("assistant"), "assistant"],
  [bytesOf("developer"), "system"],
];

export class ResponsesLineScanner extends ChatLineScanner {
  override key(buf: Buffer, start: number, end: number): SamplingKey | undefined {
    this.begin(buf, start, end);
    try {
      return this.pairKey();
    } catch (error) {
      if (error === NO_KEY) return undefined;
      throw error;
    }
  }

  private pairKey(): SamplingKey {
    this.expectObject();
    let key: SamplingKey | undefined;
    let response = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.request)) {
          if (key) throw NO_KEY;
          key = this.requestKey();
        } else if (this.is(name, KEY.response)) {
          if (response) throw NO_KEY;
          response = true;
          this.responseBody();
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

  /** The response: an object with an `output` array, not failed, not wrapped in a `body`, no error object. */
  private responseBody(): void {
    this.expectObject();
    let output = false;
    let status = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.output)) {
          if (output || this.peek() !== OPEN_ARRAY) throw NO_KEY;
          output = true;
          this.skipValue(1);
        } else if (this.is(name, KEY.status)) {
          if (status) throw NO_KEY;
          status = true;
          if (this.peek() === QUOTE) {
            this.string();
            if (!this.plain || this.stringIs(KEY.failed)) throw NO_KEY;
          } else this.skipValue(1);
        } else if (this.is(name, KEY.body) || this.is(name, KEY.error)) {
          if (this.peek() === OPEN_OBJECT) throw NO_KEY;
          this.skipValue(1);
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (!output) throw NO_KEY;
  }

  private requestKey(): SamplingKey {
    this.expectObject();
    let model: string | undefined;
    /** The instructions string's token start (they are hashed after the model), or -1. */
    let instructions = -1;
    let instructionsSeen = false;
    let input = -1;
    let tools = -1;
    let toolsEnd = -1;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.model)) {
          if (model !== undefined || this.peek() !== QUOTE) throw NO_KEY;
          this.string();
          model = this.modelName();
        } else if (this.is(name, KEY.instructions)) {
          if (instructionsSeen) throw NO_KEY;
          instructionsSeen = true;
          if (this.peek() === QUOTE) {
            instructions = this.pos;
            this.string();
          } else this.skipValue(1);
        } else if (this.is(name, KEY.input)) {
          if (input >= 0) throw NO_KEY;
          this.skipWhitespace();
          input = this.pos;
          this.skipValue(1);
        } else if (this.is(name, KEY.tools)) {
          if (tools >= 0) throw NO_KEY;
          this.skipWhitespace();
          tools = this.pos;
          this.skipValue(1);
          toolsEnd = this.pos;
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (model === undefined || input < 0) throw NO_KEY;
    const after = this.pos;
    const hash = new Hash53(this.seed).update(model);
    let chars = 0;
    if (instructions >= 0) {
      this.pos = instructions;
      this.string();
      if (this.stringEnd - this.stringStart > 2) {
        hash.update("system");
        chars += this.hashString(hash);
        hash.update("");
      }
    }
    this.pos = input;
    chars += this.inputMessages(hash);
    this.pos = after;
    const toolsJson = tools >= 0 ? this.toolsJson(tools, toolsEnd) : undefined;
    hash.update(toolsJson ?? "");
    return { model, tools: toolsJson !== undefined, chars, priority: hash.digest() };
  }

  /** The input as messages, hashed; returns their content's characters. */
  private inputMessages(hash: Hash53): number {
    if (this.peek() === QUOTE) {
      this.string();
      hash.update("user");
      const chars = this.hashString(hash);
      hash.update("");
      return chars;
    }
    this.expectArray();
    if (this.at(CLOSE_ARRAY)) throw NO_KEY;
    let chars = 0;
    do chars += this.messageItem(hash);
    while (this.next(CLOSE_ARRAY));
    return chars;
  }

  /** A message item (no `type`, or "message") of text content; any other item: no key. */
  private messageItem(hash: Hash53): number {
    this.expectObject();
    let role: string | undefined;
    let typeSeen = false;
    let content: string | undefined;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.type)) {
          if (typeSeen || this.peek() !== QUOTE) throw NO_KEY;
          typeSeen = true;
          this.string();
          if (!this.plain || !this.stringIs(KEY.message)) throw NO_KEY;
        } else if (this.is(name, KEY.role)) {
          if (role !== undefined || this.peek() !== QUOTE) throw NO_KEY;
          this.string();
          role = this.role(ROLES);
        } else if (this.is(name, KEY.content)) {
          if (content !== undefined) throw NO_KEY;
          content = this.itemContent();
        } else this.skipValue(2);
      } while (this.next(CLOSE_OBJECT));
    }
    if (role === undefined) throw NO_KEY;
    const text = content ?? "";
    hash.update(role).update(text).update("");
    return text.length;
  }

  /** Hashes the string just scanned as `Hash53.update` hashes its text; returns its length. */
  private hashString(hash: Hash53): number {
    if (!this.plain) {
      const text = this.decoded();
      hash.update(text);
      return text.length;
    }
    hash.updateAscii(this.buf, this.stringStart + 1, this.stringEnd - 1);
    return this.stringEnd - this.stringStart - 2;
  }

  /** A string, null, or an array of strings and text parts, joined. */
  private itemContent(): string {
    const first = this.peek();
    if (first === QUOTE) {
      this.string();
      return this.decoded();
    }
    if (first === 0x6e /* n */) {
      this.literal("null");
      return "";
    }
    return this.textParts(TEXT_PARTS);
  }
}
