/**
 * The message content of a chat-completions request read from its raw bytes, for the raw-line key
 * readers (chat-line-key.ts and those built on it): roles, text parts and an assistant turn's tool
 * calls, each as the full parse (openai-messages.ts) reads it, or no key where it would differ.
 */
import { CLOSE_ARRAY, CLOSE_OBJECT, JsonBytes, NO_KEY, OPEN_OBJECT, QUOTE } from "./json-bytes.ts";

const bytesOf = (text: string) => Buffer.from(text, "latin1");
const KEY = {
  id: bytesOf("id"),
  function: bytesOf("function"),
  name: bytesOf("name"),
  arguments: bytesOf("arguments"),
  type: bytesOf("type"),
  text: bytesOf("text"),
};
/** Chat Completions' text part type. */
const TEXT_PART = [KEY.text];
const ROLES: [Buffer, string][] = [
  [bytesOf("system"), "system"],
  [bytesOf("user"), "user"],
  [bytesOf("assistant"), "assistant"],
  [bytesOf("tool"), "tool"],
  [bytesOf("developer"), "system"],
];

export class ChatContentBytes extends JsonBytes {
  /** The role string just scanned, by `roles` (raw name → role); any other: no key. */
  protected role(roles: readonly [Buffer, string][] = ROLES): string {
    if (!this.plain) throw NO_KEY;
    for (const [bytes, role] of roles) if (this.stringIs(bytes)) return role;
    throw NO_KEY;
  }

  /**
   * A content array of strings (unless `blocksOnly`) and text parts (of a type in `types`), joined;
   * any other part: no key (the full parse skips the line).
   */
  protected textParts(types: readonly Buffer[] = TEXT_PART, blocksOnly = false): string {
    this.expectArray();
    let text = "";
    if (this.at(CLOSE_ARRAY)) return text;
    do {
      const first = this.peek();
      if (first === QUOTE && !blocksOnly) {
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
          const name = this.member();
          if (this.is(name, KEY.type)) {
            if (type || this.peek() !== QUOTE) throw NO_KEY;
            this.string();
            if (!this.plain || !types.some((bytes) => this.stringIs(bytes))) throw NO_KEY;
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
  protected toolCalls(): string[] {
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
          const key = this.member();
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
        const key = this.member();
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
}
