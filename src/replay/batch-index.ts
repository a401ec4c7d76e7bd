/**
 * The results file of a batch log indexed by `custom_id`: each result line's byte offset and
 * length, so that a request line's result is read back (one positioned read) only when it is
 * needed, and neither file is held whole. With `classify`, each result is also parsed once as it
 * is indexed and its outcome kept (a call, no response, a failure), so that a request whose
 * sampling key was read from its raw bytes (batch-line-key.ts) is counted without reading its
 * result. Memory: ~70–90 bytes per result line (its id, a Map entry, 14 bytes of arrays), however
 * long the lines are.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { IdTable, type IdTableState, idBytes } from "./batch-id-table.ts";
import { BatchResultScanner } from "./batch-result-key.ts";
import type { LogFormat } from "./detect.ts";
import { isObject, type SkipReason } from "./logged-call.ts";

/** Result entries reserved at most from the first read's estimate (~40 bytes each). */
const RESERVE_CAP = 1 << 20;

/** A result's outcome for a request the raw-line key vouches for. */
export const Outcome = {
  /** Not known without the full join (the line's bytes do not round-trip as text). */
  Unknown: 0,
  Call: 1,
  NoResponse: 2,
  Failed: 3,
} as const;
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** The skip a result's outcome gives its request. */
export const OUTCOME_SKIP: readonly (SkipReason | undefined)[] = [
  undefined,
  undefined,
  "no response",
  "failed response",
];

const NEWLINE = 0x0a;
const CR = 0x0d;
const READ_BYTES = 1 << 20;
const ID_PATTERN = /"custom_id"\s*:\s*"((?:[^"\\]|\\.)*)"/;

/**
 * What the join (read-log.ts `parseBatch`) makes of a parsed result line, for a request it
 * converts without a skip: a chat-completions request (OpenAI) or a Messages request (Anthropic).
 */
export function outcomeOf(format: LogFormat, result: unknown): Outcome {
  if (!isObject(result)) return Outcome.NoResponse;
  if (format === "anthropic-batch") {
    const outcome = isObject(result.result) ? result.result : {};
    if (outcome.type !== "succeeded") return Outcome.Failed;
    const message = outcome.message;
    return isObject(message) && Array.isArray(message.content) ? Outcome.Call : Outcome.NoResponse;
  }
  const response = isObject(result.response) ? result.response : undefined;
  if (
    !response ||
    isObject(result.error) ||
    (typeof response.status_code === "number" && response.status_code !== 200)
  ) {
    return Outcome.Failed;
  }
  const body = response.body;
  return isObject(body) && Array.isArray(body.choices) && isObject(body.choices[0])
    ? Outcome.Call
    : Outcome.NoResponse;
}

/** A ResultsIndex's arrays, to be sent to another thread. */
export interface ResultsIndexState {
  ids: IdTableState;
  offsets: Float64Array<ArrayBuffer>;
  lengths: Uint32Array<ArrayBuffer>;
  outcomes: Uint8Array<ArrayBuffer>;
}

export class ResultsIndex {
  private ids = new IdTable();
  private offsets = new Float64Array(1024);
  private lengths = new Uint32Array(1024);
  private outcomes = new Uint8Array(1024);
  private fd: number;
  /** The index opened its file (a path), rather than being given a descriptor its caller closes. */
  private readonly ownsFd: boolean;
  /** Reads a result's id and outcome from its bytes (classifying only). */
  private scanner: BatchResultScanner | undefined;

  /**
   * Indexes `path` (or an open descriptor of it, which stays its caller's to close); `skip` counts a result line without a `custom_id` (malformed, or truncated
   * when it is the last, unended line). `classify`: keep each result's outcome for `format`.
   */
  constructor(
    path: string | number,
    format: LogFormat,
    skip: (reason: SkipReason) => void,
    classify: boolean,
    /** Built by the caller, a read at a time (`buildSteps`), or not at all (`fromState`). */
    deferBuild = false,
  ) {
    this.ownsFd = typeof path === "string";
    this.fd = typeof path === "string" ? openSync(path, "r") : path;
    this.format = format;
    this.skip = skip;
    this.classify = classify;
    if (classify) this.scanner = new BatchResultScanner(format);
    if (deferBuild) return;
    try {
      for (const _ of this.buildSteps());
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private readonly format: LogFormat;
  private readonly skip: (reason: SkipReason) => void;
  private readonly classify: boolean;

  /** An index of the file open as `fd` (its caller closes it) whose arrays another thread built (`state`). */
  static fromState(fd: number, format: LogFormat, state: ResultsIndexState): ResultsIndex {
    const index = new ResultsIndex(fd, format, () => {}, false, true);
    index.ids = IdTable.fromState(state.ids);
    index.offsets = state.offsets;
    index.lengths = state.lengths;
    index.outcomes = state.outcomes;
    return index;
  }

  state(): ResultsIndexState {
    return { ids: this.ids.state(), offsets: this.offsets, lengths: this.lengths, outcomes: this.outcomes };
  }

  /** Builds the index, one read of the file a step. */
  *buildSteps(): Generator<void> {
    const { format, skip, classify } = this;
    let buf = Buffer.allocUnsafeSlow(READ_BYTES);
    let filled = 0;
    /** The file offset of buf[0]. */
    let base = 0;
    for (;;) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const read = readSync(this.fd, buf, filled, buf.length - filled, base + filled);
      filled += read;
      let start = 0;
      for (;;) {
        const newline = buf.indexOf(NEWLINE, start);
        if (newline < 0 || newline >= filled) break;
        this.line(buf, start, newline, base, true, format, skip, classify);
        start = newline + 1;
      }
      // The first read tells the lines' length: room for the whole file's, grown once, not doubled.
      // Capped: a file whose first lines are short (failures) and the rest long would reserve many
      // times the entries it needs; past the cap the arrays double as they fill.
      if (base === 0 && start > 0) {
        const estimate = Math.ceil((fstatSync(this.fd).size / start) * this.ids.size * 1.05);
        this.reserve(Math.min(estimate, this.ids.size + RESERVE_CAP));
      }
      if (read === 0) {
        if (start < filled) this.line(buf, start, filled, base, false, format, skip, classify);
        break;
      }
      buf.copy(buf, 0, start, filled);
      filled -= start;
      base += start;
      yield;
    }
  }

  private line(
    buf: Buffer,
    start: number,
    end: number,
    base: number,
    complete: boolean,
    format: LogFormat,
    skip: (reason: SkipReason) => void,
    classify: boolean,
  ): void {
    const stop = complete && end > start && buf[end - 1] === CR ? end - 1 : end;
    if (stop <= start) return;
    const read = this.scanner?.read(buf, start, stop);
    if (read !== undefined) {
      const scanner = this.scanner!;
      this.set(scanner.idBuf, scanner.idStart, scanner.idEnd, base + start, stop - start, read);
      return;
    }
    const text = buf.toString("utf8", start, stop);
    const match = ID_PATTERN.exec(text);
    if (!match) {
      skip(complete ? "malformed line" : "truncated last line");
      return;
    }
    let id: string;
    try {
      id = JSON.parse(`"${match[1]}"`) as string;
    } catch {
      // A raw control character in the id: not JSON.
      skip(complete ? "malformed line" : "truncated last line");
      return;
    }
    // The join reads back as many bytes as the text has (read-log.ts did): where that is not the
    // line's own bytes (invalid UTF-8), the outcome is left to it.
    const length = Buffer.byteLength(text);
    let outcome: Outcome = Outcome.Unknown;
    if (classify && length === stop - start) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      outcome = outcomeOf(format, value);
    }
    const bytes = idBytes(id);
    this.set(bytes, 0, bytes.length, base + start, length, outcome);
  }

  /** A later result of the same id replaces the earlier. */
  private set(
    id: Uint8Array,
    idStart: number,
    idEnd: number,
    offset: number,
    length: number,
    outcome: Outcome,
  ): void {
    const entry = this.ids.insert(id, idStart, idEnd);
    if (entry === this.offsets.length) this.grow();
    this.offsets[entry] = offset;
    this.lengths[entry] = length;
    this.outcomes[entry] = outcome;
  }

  private reserve(entries: number): void {
    this.ids.reserve(entries);
    if (entries > this.offsets.length) this.grow(entries);
  }

  private grow(size = this.offsets.length * 2): void {
    const offsets = new Float64Array(size);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Uint32Array(size);
    lengths.set(this.lengths);
    this.lengths = lengths;
    const outcomes = new Uint8Array(size);
    outcomes.set(this.outcomes);
    this.outcomes = outcomes;
  }

  /** The outcome kept for the result of the id whose bytes (batch-id-table.ts) are `id[start, end)`; none: no response. */
  outcome(id: Uint8Array, start: number, end: number): Outcome {
    const entry = this.ids.find(id, start, end);
    return entry < 0 ? Outcome.NoResponse : (this.outcomes[entry] as Outcome);
  }

  /** `id`'s result line parsed (undefined: none, or not JSON). */
  result(id: string): unknown {
    const key = idBytes(id);
    const entry = this.ids.find(key, 0, key.length);
    if (entry < 0) return undefined;
    const bytes = Buffer.alloc(this.lengths[entry]!);
    readSync(this.fd, bytes, 0, bytes.length, this.offsets[entry]!);
    try {
      return JSON.parse(bytes.toString("utf8"));
    } catch {
      return undefined;
    }
  }

  /** Closes the results file if it opened it; a second call does nothing. */
  close(): void {
    if (this.fd < 0) return;
    if (this.ownsFd) closeSync(this.fd);
    this.fd = -1;
  }
}
