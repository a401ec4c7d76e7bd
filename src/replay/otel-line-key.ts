/**
 * The sampling keys of an OTLP JSON line's GenAI spans, read from its raw bytes without parsing
 * the line into objects: a line holds many spans, and most spans of a large log are only counted
 * (their priority cannot enter the bottom-k sample), so only the few that can are parsed and
 * converted, each from its own bytes.
 *
 * The reader checks the whole line against JSON's grammar (json-bytes.ts) and, per span, reads
 * only the attributes a key needs (`NEEDED`), as `{"stringValue": …}` values decoded natively; it
 * hands those strings to otel-spans.ts's own `outputParts`, `toolsOf`, `systemMessages` and
 * `conversation`, in `spanCall`'s order (tool sets and system instructions cached by their raw
 * bytes), so a span it keys is a call with the full parse's model, tool use, message characters
 * and priority, and a span it skips has the full parse's reason. It is sound, not complete: a line
 * it cannot read (malformed, truncated, a repeated or escaped key in the line's structure, nesting
 * past 64) gets no keys and is parsed in full; a span whose needed attributes are not single
 * string values (or have a repeated member, or an escaped key) is converted in full from its own
 * bytes.
 */

import type { ChatMessage } from "../core/runner.ts";
import { CLOSE_ARRAY, CLOSE_OBJECT, NO_KEY, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from "./json-bytes.ts";
import { SkipLine, type SkipReason } from "./logged-call.ts";
import { COLON, KEY_HEAD, OtelBytes, PLAIN, STRING_VALUE, VALUE_HEAD } from "./otel-bytes.ts";
import { conversation, MODEL_OPERATIONS, outputParts, systemMessages, toolsOf } from "./otel-spans.ts";
import { messagesPriority, type SamplingKey } from "./sample.ts";

/** A GenAI span of a line, by its bytes: keyed, skipped (with the full parse's reason), or to be converted in full. */
export interface SpanEntry {
  start: number;
  end: number;
  key?: SamplingKey;
  skip?: SkipReason;
}

const bytesOf = (text: string) => Buffer.from(text, "latin1");
const KEY = {
  resourceSpans: bytesOf("resourceSpans"),
  scopeSpans: bytesOf("scopeSpans"),
  spans: bytesOf("spans"),
  attributes: bytesOf("attributes"),
  key: bytesOf("key"),
  value: bytesOf("value"),
};

/** The attributes a span's key is read from, by slot. */
const NEEDED = [
  "gen_ai.operation.name",
  "gen_ai.request.model",
  "gen_ai.response.model",
  "gen_ai.system_instructions",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.tool.definitions",
].map(bytesOf);
const OPERATION = 0;
const REQUEST_MODEL = 1;
const RESPONSE_MODEL = 2;
const SYSTEM = 3;
const INPUT = 4;
const OUTPUT = 5;
const TOOLS = 6;
/** An attribute not in NEEDED (or without a string key): passed over. */
const UNNEEDED = -1;

/** Distinct tool sets and system instructions remembered converted (a log repeats a few of each). */
const CACHE_SIZE = 64;

export class OtelLineScanner extends OtelBytes {
  private readonly seed: number;
  /** Per needed attribute of the span being read: its string token's bounds (start -1: absent). */
  private readonly tokenStart = new Int32Array(NEEDED.length);
  private readonly tokenEnd = new Int32Array(NEEDED.length);
  /** Whether the token is printable ASCII without escapes (decoded as it is). */
  private readonly tokenPlain = new Uint8Array(NEEDED.length);
  /** The span being read has a needed attribute this reader does not vouch for: convert it in full. */
  private unsure = false;
  private entries: SpanEntry[] = [];
  private readonly tools = new Map<string, string | Skipped>();
  private readonly systems = new Map<string, ChatMessage[] | Skipped>();

  constructor(seed: number) {
    super();
    this.seed = seed;
  }

  /** The GenAI spans of the line `buf[start, end)` in order, or undefined: parse the line in full. */
  spans(buf: Buffer, start: number, end: number): SpanEntry[] | undefined {
    this.begin(buf, start, end);
    this.entries = [];
    try {
      this.line();
      return this.entries;
    } catch (error) {
      if (error === NO_KEY) return undefined;
      throw error;
    }
  }

  private line(): void {
    this.expectObject();
    let seen = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.resourceSpans)) {
          if (seen) throw NO_KEY;
          seen = true;
          this.list(KEY.scopeSpans, () => this.list(KEY.spans, () => this.spanList()));
        } else this.skipValue(1);
      } while (this.next(CLOSE_OBJECT));
    }
    this.skipWhitespace();
    if (this.pos !== this.end) throw NO_KEY;
  }

  /**
   * An array of objects whose member `name` (an array) `inner` reads, as otel-spans.ts walks
   * resourceSpans and scopeSpans: other values are passed over.
   */
  private list(name: Buffer, inner: () => void): void {
    if (this.peek() !== OPEN_ARRAY) {
      this.skipValue(1);
      return;
    }
    this.pos++;
    if (this.at(CLOSE_ARRAY)) return;
    do {
      if (this.peek() !== OPEN_OBJECT) {
        this.skipValue(2);
        continue;
      }
      this.pos++;
      let seen = false;
      if (this.at(CLOSE_OBJECT)) continue;
      do {
        const member = this.member();
        if (this.is(member, name)) {
          if (seen) throw NO_KEY;
          seen = true;
          inner();
        } else this.skipValue(3);
      } while (this.next(CLOSE_OBJECT));
    } while (this.next(CLOSE_ARRAY));
  }

  private spanList(): void {
    if (this.peek() !== OPEN_ARRAY) {
      this.skipValue(4);
      return;
    }
    this.pos++;
    if (this.at(CLOSE_ARRAY)) return;
    do {
      if (this.peek() === OPEN_OBJECT) this.span();
      else this.skipValue(5);
    } while (this.next(CLOSE_ARRAY));
  }

  private span(): void {
    const start = this.pos;
    this.pos++;
    this.tokenStart.fill(-1);
    this.unsure = false;
    let attributes = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.attributes)) {
          // A repeated member is the last one to JSON.parse: left to it.
          if (attributes) this.unsure = true;
          attributes = true;
          if (this.peek() === OPEN_ARRAY) this.attributes();
          else this.skipValue(6);
        } else this.skipValue(6);
      } while (this.next(CLOSE_OBJECT));
    }
    this.entry(start, this.pos);
  }

  private attributes(): void {
    this.pos++;
    if (this.at(CLOSE_ARRAY)) return;
    do {
      if (this.peek() === OPEN_OBJECT) {
        if (!this.compactAttribute()) this.attribute();
      } else this.skipValue(7);
    } while (this.next(CLOSE_ARRAY));
  }

  /**
   * An attribute as exporters write it, `{"key":"<plain>","value":{"<type>":<value>}}` without
   * whitespace, read without a call per token; false (nothing read): read it by `attribute`.
   */
  private compactAttribute(): boolean {
    const buf = this.buf;
    const end = this.end;
    const start = this.pos;
    if (!this.bytesAt(start, KEY_HEAD)) return false;
    let p = start + KEY_HEAD.length;
    const keyStart = p;
    while (p < end && PLAIN[buf[p]!] === 1) p++;
    if (buf[p] !== QUOTE || !this.bytesAt(p + 1, VALUE_HEAD)) return false;
    const slot = this.slotOf(keyStart, p);
    p += 1 + VALUE_HEAD.length;
    const typeStart = p;
    while (p < end && PLAIN[buf[p]!] === 1) p++;
    if (buf[p] !== QUOTE || buf[p + 1] !== COLON) return false;
    const isString = p - typeStart === STRING_VALUE.length && this.bytesAt(typeStart, STRING_VALUE);
    this.pos = p + 2;
    if (slot === UNNEEDED || !isString || buf[this.pos] !== QUOTE) this.skipValue(9);
    else if (slot >= SYSTEM) this.longStringEnd();
    else this.stringEndOnly();
    if (buf[this.pos] !== CLOSE_OBJECT || buf[this.pos + 1] !== CLOSE_OBJECT) {
      this.pos = start;
      return false;
    }
    this.pos += 2;
    if (slot === UNNEEDED) return true;
    if (!isString || buf[p + 2] !== QUOTE) {
      this.unsure = true;
      return true;
    }
    // Map.set keeps the last; an earlier token of the slot is checked here, as it is not decoded.
    if (this.tokenStart[slot]! >= 0) this.decode(slot);
    this.tokenStart[slot] = this.stringStart;
    this.tokenEnd[slot] = this.stringEnd;
    this.tokenPlain[slot] = this.plain ? 1 : 0;
    return true;
  }

  /** The slot in NEEDED of the plain key `buf[start, end)`, or UNNEEDED. */
  private slotOf(start: number, end: number): number {
    const buf = this.buf;
    const length = end - start;
    next: for (let slot = 0; slot < NEEDED.length; slot++) {
      const name = NEEDED[slot]!;
      if (name.length !== length) continue;
      for (let i = length - 1; i >= 0; i--) if (buf[start + i] !== name[i]) continue next;
      return slot;
    }
    return UNNEEDED;
  }

  /** `{"key": …, "value": {"stringValue": …}}`, either order; a needed one's string token is kept. */
  private attribute(): void {
    this.pos++;
    let slot = UNNEEDED;
    let keySeen = false;
    let valueSeen = false;
    let valueStart = -1;
    let valueEnd = -1;
    let valuePlain = false;
    if (!this.at(CLOSE_OBJECT)) {
      do {
        const name = this.member();
        if (this.is(name, KEY.key)) {
          if (keySeen) this.unsure = true;
          keySeen = true;
          if (this.peek() !== QUOTE) this.skipValue(8);
          else {
            this.string();
            if (!this.plain) this.unsure = true;
            else slot = this.neededSlot();
          }
        } else if (this.is(name, KEY.value)) {
          if (valueSeen) this.unsure = true;
          valueSeen = true;
          // The value of an attribute known not to be needed is only checked.
          if (keySeen && slot === UNNEEDED) this.skipValue(8);
          else {
            [valueStart, valueEnd] = this.stringValue(keySeen);
            valuePlain = this.plain;
          }
        } else this.skipValue(8);
      } while (this.next(CLOSE_OBJECT));
    }
    if (slot === UNNEEDED) return;
    if (valueStart < 0) {
      this.unsure = true;
      return;
    }
    // Map.set keeps the last; an earlier token of the slot is checked here, as it is not decoded.
    if (this.tokenStart[slot]! >= 0) this.decode(slot);
    this.tokenStart[slot] = valueStart;
    this.tokenEnd[slot] = valueEnd;
    this.tokenPlain[slot] = valuePlain ? 1 : 0;
  }

  /** The slot of the plain attribute key just read in NEEDED, or UNNEEDED. */
  private neededSlot(): number {
    for (let slot = 0; slot < NEEDED.length; slot++) if (this.stringIs(NEEDED[slot]!)) return slot;
    return UNNEEDED;
  }

  /** The needed attribute's string, decoded (undefined: absent). */
  private decode(slot: number): string | undefined {
    const start = this.tokenStart[slot]!;
    if (start < 0) return undefined;
    const end = this.tokenEnd[slot]!;
    return this.tokenPlain[slot] === 1
      ? this.buf.toString("latin1", start + 1, end - 1)
      : this.check(start, end);
  }

  /**
   * A needed attribute's value through `cache`: its token's bytes (as latin1, one-to-one) to what
   * `convert` makes of the decoded string, or the skip it throws; undefined: absent.
   */
  private cached<T>(
    slot: number,
    cache: Map<string, T | Skipped>,
    convert: (text: string) => T,
  ): T | Skipped | undefined {
    const start = this.tokenStart[slot]!;
    if (start < 0) return undefined;
    const raw = this.buf.toString("latin1", start, this.tokenEnd[slot]!);
    let value = cache.get(raw);
    if (value === undefined) {
      const text = this.decode(slot)!;
      try {
        value = convert(text);
      } catch (error) {
        if (!(error instanceof SkipLine)) throw error;
        value = new Skipped(error.reason);
      }
      if (cache.size >= CACHE_SIZE) cache.clear();
      cache.set(raw, value);
    }
    return value;
  }

  /** The span `buf[start, end)` just read: its entry, if it is a GenAI model call (or may be). */
  private entry(start: number, end: number): void {
    // Every kept token is decoded (checked: the line's JSON), whether or not the span is a call.
    const operation = this.decode(OPERATION);
    const request = this.decode(REQUEST_MODEL);
    const response = this.decode(RESPONSE_MODEL);
    const output = this.decode(OUTPUT);
    const input = this.decode(INPUT);
    const tools = this.cached(TOOLS, this.tools, toolsJsonOf);
    const system = this.cached(SYSTEM, this.systems, systemMessages);
    if (this.unsure) {
      this.entries.push({ start, end });
      return;
    }
    if (operation === undefined || !MODEL_OPERATIONS.has(operation)) return;
    try {
      // spanCall's order: the output, the tools, the system instructions, the input.
      outputParts(output);
      const toolsJson = unwrap(tools) ?? "";
      const messages = conversation(input, [...(unwrap(system) ?? [])]);
      const model = request ?? response ?? "unknown";
      let chars = 0;
      for (const m of messages) chars += m.content.length;
      const priority = messagesPriority(this.seed, model, messages, toolsJson);
      this.entries.push({ start, end, key: { model, tools: toolsJson !== "", chars, priority } });
    } catch (error) {
      if (!(error instanceof SkipLine)) throw error;
      this.entries.push({ start, end, skip: error.reason });
    }
  }
}

/** A skip a cached conversion threw, thrown again wherever it is met. */
class Skipped {
  readonly reason: SkipReason;
  constructor(reason: SkipReason) {
    this.reason = reason;
  }
}

function unwrap<T>(value: T | Skipped | undefined): T | undefined {
  if (value instanceof Skipped) throw new SkipLine(value.reason);
  return value;
}

/** The JSON of a span's tools as converted ("" for none, as requestPriority hashes it); throws toolsOf's skip. */
function toolsJsonOf(text: string): string {
  const tools = toolsOf(text);
  return tools ? JSON.stringify(tools) : "";
}
