/**
 * The sampling key of a batch request line, read from its raw bytes (as chat-line-key.ts reads a
 * chat-completions line), with its `custom_id`: an OpenAI Batch input line
 * (`{custom_id, method, url, body}`, its body a chat-completions request) and an Anthropic
 * Message Batches request (`{custom_id, params}`, its messages as anthropic-messages.ts makes
 * them). The key is the one the full join (read-log.ts `parseBatchLine`) gives the request when
 * its result is a call; whether it is, is the results index's to say (batch-index.ts). Sound, not
 * complete: a Responses API url, tool use or tool results in Anthropic turns, blocks other than
 * text, a repeated or escaped key and anything else it does not read get no key, and the line is
 * joined in full.
 */
import { anthropicTools } from "./anthropic-messages.ts";
import { idBytes } from "./batch-id-table.ts";
import { ChatLineScanner } from "./chat-line-key.ts";
import type { LogFormat } from "./detect.ts";
import { CLOSE_ARRAY, CLOSE_OBJECT, NO_KEY, OPEN_ARRAY, QUOTE } from "./json-bytes.ts";
import type { SamplingKey } from "./sample.ts";
import { Hash53 } from "./seeded-hash.ts";

const bytesOf = (text: string) => Buffer.from(text, "latin1");
const KEY = {
  customId: bytesOf("custom_id"),
  url: bytesOf("url"),
  body: bytesOf("body"),
  params: bytesOf("params"),
  model: bytesOf("model"),
  system: bytesOf("system"),
  messages: bytesOf("messages"),
  tools: bytesOf("tools"),
  role: bytesOf("role"),
  content: bytesOf("content"),
  type: bytesOf("type"),
  text: bytesOf("text"),
};
/** Anthropic's content blocks: only `{"type": "text"}` ones are read by the key. */
const TEXT_BLOCK = [KEY.text];
const RESPONSES_PATH = bytesOf("/responses");
const ANTHROPIC_ROLES: [Buffer, string][] = [
  [bytesOf("user"), "user"],
  [bytesOf("assistant"), "assistant"],
];

/** A batch request line's sampling key and, once it is read, its custom_id. */
export interface BatchKeyReader {
  key(buf: Buffer, start: number, end: number): SamplingKey | undefined;
  /** The custom_id of the line whose key was last given, as its bytes (batch-id-table.ts): idBuf[idStart, idEnd). */
  readonly idBuf: Uint8Array;
  readonly idStart: number;
  readonly idEnd: number;
}

export function batchKeyReader(format: LogFormat, seed: number): BatchKeyReader | undefined {
  if (format === "openai-batch") return new OpenAIBatchScanner(seed);
  if (format === "anthropic-batch") return new AnthropicBatchScanner(seed);
  return undefined;
}

abstract class BatchScanner extends ChatLineScanner {
  idBuf: Uint8Array = Buffer.alloc(0);
  idStart = 0;
  idEnd = 0;

  override key(buf: Buffer, start: number, end: number): SamplingKey | undefined {
    this.begin(buf, start, end);
    try {
      return this.batchLine();
    } catch (error) {
      if (error === NO_KEY) return undefined;
      throw error;
    }
  }

  /** The request member's key (`body` or `params`), read at its value. */
  protected abstract requestMember(name: number): SamplingKey | undefined;

  /** The top-level member `name`, other than custom_id and the request (false: skip it). */
  protected otherMember(_name: number): boolean {
    return false;
  }

  private batchLine(): SamplingKey {
    this.expectObject();
    let key: SamplingKey | undefined;
    let id = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.customId)) {
          if (id || this.peek() !== QUOTE) throw NO_KEY;
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
        } else if (!this.otherMember(name)) {
          const read = this.requestMember(name);
          if (read) {
            if (key) throw NO_KEY;
            key = read;
          }
        }
      } while (this.next(CLOSE_OBJECT));
    }
    this.skipWhitespace();
    if (this.pos !== this.end || !key || !id) throw NO_KEY;
    return key;
  }
}

/** `{custom_id, method, url, body}`: a chat-completions body (a url that ends in /responses: no key). */
class OpenAIBatchScanner extends BatchScanner {
  private url = false;

  override key(buf: Buffer, start: number, end: number): SamplingKey | undefined {
    this.url = false;
    return super.key(buf, start, end);
  }

  protected override otherMember(name: number): boolean {
    if (!this.is(name, KEY.url)) return false;
    if (this.url || this.peek() !== QUOTE) throw NO_KEY;
    this.url = true;
    this.string();
    if (!this.plain) throw NO_KEY;
    const start = this.stringEnd - 1 - RESPONSES_PATH.length;
    if (start <= this.stringStart) return true;
    for (let i = 0; i < RESPONSES_PATH.length; i++)
      if (this.buf[start + i] !== RESPONSES_PATH[i]) return true;
    throw NO_KEY;
  }

  protected requestMember(name: number): SamplingKey | undefined {
    if (!this.is(name, KEY.body)) {
      this.skipValue(0);
      return undefined;
    }
    return this.request();
  }
}

/** `{custom_id, params}`: Messages API params, their turns plain text. */
class AnthropicBatchScanner extends BatchScanner {
  /** The request's messages as read: role, and content as plain bytes [start, end) or text. */
  private roles: string[] = [];
  private starts: number[] = [];
  private ends: number[] = [];
  private texts: (string | undefined)[] = [];

  protected requestMember(name: number): SamplingKey | undefined {
    if (!this.is(name, KEY.params)) {
      this.skipValue(0);
      return undefined;
    }
    return this.params();
  }

  protected override convertTools(value: unknown): unknown[] | undefined {
    return anthropicTools(value);
  }

  private params(): SamplingKey {
    this.expectObject();
    this.roles.length = 0;
    let model: string | undefined;
    let systemSeen = false;
    let systemText: string | undefined = "";
    let systemStart = 0;
    let systemEnd = 0;
    let messages = false;
    let tools = -1;
    let toolsEnd = -1;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.model)) {
          if (model !== undefined || this.peek() !== QUOTE) throw NO_KEY;
          this.string();
          model = this.modelName();
        } else if (this.is(name, KEY.system)) {
          if (systemSeen) throw NO_KEY;
          systemSeen = true;
          const first = this.peek();
          if (first === QUOTE) {
            this.string();
            if (this.plain && this.stringEnd - this.stringStart > 2) {
              systemStart = this.stringStart + 1;
              systemEnd = this.stringEnd - 1;
              systemText = undefined;
            } else systemText = this.decoded();
          } else if (first === OPEN_ARRAY) systemText = this.textParts(TEXT_BLOCK, true);
          else if (first === 0x6e /* n */) this.literal("null");
          else throw NO_KEY;
        } else if (this.is(name, KEY.messages)) {
          if (messages) throw NO_KEY;
          messages = true;
          this.turns();
        } else if (this.is(name, KEY.tools)) {
          if (tools >= 0) throw NO_KEY;
          this.skipWhitespace();
          tools = this.pos;
          this.skipValue(1);
          toolsEnd = this.pos;
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    if (model === undefined || !messages) throw NO_KEY;
    // Tools are converted first (a non-function tool skips the call), as anthropicCall does.
    const toolsJson = tools >= 0 ? this.toolsJson(tools, toolsEnd) : undefined;
    const hash = new Hash53(this.seed).update(model);
    let chars = 0;
    if (systemText === undefined) {
      hash.update("system").updateAscii(this.buf, systemStart, systemEnd).update("");
      chars += systemEnd - systemStart;
    } else if (systemText !== "") {
      hash.update("system").update(systemText).update("");
      chars += systemText.length;
    }
    const { roles, starts, ends, texts } = this;
    for (let i = 0; i < roles.length; i++) {
      hash.update(roles[i]!);
      const text = texts[i];
      if (text === undefined) {
        hash.updateAscii(this.buf, starts[i]!, ends[i]!);
        chars += ends[i]! - starts[i]!;
      } else {
        hash.update(text);
        chars += text.length;
      }
      hash.update("");
    }
    hash.update(toolsJson ?? "");
    return { model, tools: toolsJson !== undefined, chars, priority: hash.digest() };
  }

  /** The turns: user or assistant, content a string or text blocks (a turn of no text is dropped). */
  private turns(): void {
    this.expectArray();
    if (this.at(CLOSE_ARRAY)) throw NO_KEY;
    do {
      this.expectObject();
      let role: string | undefined;
      let contentSeen = false;
      let start = 0;
      let end = 0;
      let text: string | undefined;
      let blocks = false;
      if (!this.at(CLOSE_OBJECT)) {
        do {
          const name = this.member();
          if (this.is(name, KEY.role)) {
            if (role !== undefined || this.peek() !== QUOTE) throw NO_KEY;
            this.string();
            role = this.role(ANTHROPIC_ROLES);
          } else if (this.is(name, KEY.content)) {
            if (contentSeen) throw NO_KEY;
            contentSeen = true;
            const first = this.peek();
            if (first === QUOTE) {
              this.string();
              if (this.plain) {
                start = this.stringStart + 1;
                end = this.stringEnd - 1;
              } else text = this.decoded();
            } else if (first === OPEN_ARRAY) {
              blocks = true;
              text = this.textParts(TEXT_BLOCK, true);
            } else throw NO_KEY;
          } else this.skipValue(2);
        } while (this.next(CLOSE_OBJECT));
      }
      if (role === undefined || !contentSeen) throw NO_KEY;
      if (blocks && text === "") continue;
      const i = this.roles.length;
      this.roles[i] = role;
      this.starts[i] = start;
      this.ends[i] = end;
      this.texts[i] = text;
    } while (this.next(CLOSE_ARRAY));
  }
}
