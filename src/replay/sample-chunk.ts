/**
 * Samples chunks of whole lines of a single-file log (a sampling thread's work, sample-worker.ts).
 * A chat-completions or Responses API line is first read by its sampling key alone
 * (chat-line-key.ts, responses-line-key.ts; an OTLP line by its spans' keys, otel-line-key.ts): it is
 * counted, and parsed and converted only when its priority can enter the bottom-k sample; a line
 * the key reader does not vouch for (malformed, skipped, another shape) is parsed in full, as in
 * `readLog`. A batch log's request lines are read so too (batch-line-key.ts), counted by their
 * result's outcome in the results index (batch-index.ts), and joined in full only where needed.
 * Either way the sample, its weights and the skip counts are the full parse's.
 */
import { readSync } from "node:fs";
import { DeferredRequests } from "./batch-deferred.ts";
import { OUTCOME_SKIP, Outcome, type ResultsIndex } from "./batch-index.ts";
import { type BatchKeyReader, batchKeyReader } from "./batch-line-key.ts";
import { ChatLineScanner } from "./chat-line-key.ts";
import type { LogFormat } from "./detect.ts";
import { OtelLineScanner } from "./otel-line-key.ts";
import { sampleSpans } from "./otel-sample-spans.ts";
import { count, countLine, newStats, parseBatchLine, parseLogLine, type ReadStats } from "./read-log.ts";
import { ResponsesLineScanner } from "./responses-line-key.ts";
import { type SamplingKey, StratifiedSampler } from "./sample.ts";

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Lines numbered from 0 per chunk: a line's position in the log is its chunk's, then its own. */
const LINES_PER_CHUNK = 2 ** 24;

/** The raw-line key reader of a format's lines, if it has one (OTLP lines: one key per span). */
export function keyReader(format: LogFormat, seed: number): ChatLineScanner | OtelLineScanner | undefined {
  if (format === "openai-chat") return new ChatLineScanner(seed);
  if (format === "openai-responses") return new ResponsesLineScanner(seed);
  if (format === "otel") return new OtelLineScanner(seed);
  return undefined;
}

export class ChunkSampler {
  readonly sampler: StratifiedSampler;
  readonly stats: ReadStats = newStats();
  private readonly format: LogFormat;
  private readonly scanner: ChatLineScanner | OtelLineScanner | undefined;
  /** A batch log: its results, and the raw-line key reader of its request lines. */
  private results: ResultsIndex | undefined;
  private readonly batchScanner: BatchKeyReader | undefined;
  /** A batch log's request lines read before its results index came (`deferUntilResults`). */
  private deferred: DeferredRequests | undefined;
  /** The requests file's descriptor (`deferUntilResults`), its giver's to close. */
  private requestsFd: number | undefined;
  /** The file offset of the chunk being sampled. */
  private chunkOffset = 0;

  /**
   * `keyed: false` parses every line in full (tests compare the two). `results`: the lines are a
   * batch log's requests, joined to these results (batch-index.ts).
   */
  constructor(format: LogFormat, size: number, seed: number, keyed = true, results?: ResultsIndex) {
    this.format = format;
    this.sampler = new StratifiedSampler(size, seed);
    this.results = results;
    this.scanner = keyed ? keyReader(format, seed) : undefined;
    this.batchScanner = keyed ? batchKeyReader(format, seed) : undefined;
  }

  /**
   * The lines are a batch log's requests (`requestsFd`, a descriptor of their file that stays the
   * caller's to close: kept lines are read back from it) whose results index is still being
   * built: their keys are kept until `setResults` (batch-deferred.ts).
   */
  deferUntilResults(requestsFd: number): void {
    this.deferred = new DeferredRequests();
    this.requestsFd = requestsFd;
  }

  /** The results index: the lines kept until now are counted. */
  setResults(results: ResultsIndex): void {
    this.results = results;
    const deferred = this.deferred;
    this.deferred = undefined;
    if (deferred) this.joinDeferred(deferred);
  }

  /**
   * The request lines of a chunk whose keys another thread read (`keyChunk`), counted and joined
   * as if this thread had read them; the results index must be here.
   */
  joinKeyed(lines: DeferredRequests): void {
    if (!this.results || this.deferred) throw new Error("request keys came before the results index");
    this.stats.lines += lines.size;
    this.joinDeferred(lines);
  }

  /**
   * The keys, ids and places of the request lines of `data` (a chunk as `sampleChunk` takes it),
   * for another thread's `joinKeyed`: the key reading is most of a request line's cost, so a
   * reading thread with time to spare takes it on.
   */
  keyChunk(data: Buffer, seq: number, endsWithNewline: boolean, fileOffset: number): DeferredRequests {
    const lines = new DeferredRequests();
    const { deferred, results } = this;
    const counted = this.stats.lines;
    this.deferred = lines;
    this.results = undefined;
    try {
      this.sampleChunk(data, seq, endsWithNewline, fileOffset);
    } finally {
      this.deferred = deferred;
      this.results = results;
      this.stats.lines = counted;
    }
    return lines;
  }

  /** Counts and joins kept lines, reading back from the requests file the text of those it needs. */
  private joinDeferred(deferred: DeferredRequests): void {
    const fd = this.requestsFd!;
    for (const line of deferred.lines()) {
      const text = () => {
        const bytes = Buffer.allocUnsafe(line.length);
        readSync(fd, bytes, 0, line.length, line.offset);
        return bytes.toString("utf8");
      };
      this.joinLine(line.key, line.id, line.idStart, line.idEnd, text, line.complete, line.order);
    }
  }

  /** A batch request line: joined now, or kept with its key until the results index comes. */
  private batchLine(data: Buffer, start: number, stop: number, complete: boolean, order: number): void {
    const scanner = this.batchScanner;
    const key = scanner?.key(data, start, stop);
    const id = key ? scanner!.idBuf : data;
    const idStart = key ? scanner!.idStart : 0;
    const idEnd = key ? scanner!.idEnd : 0;
    if (this.deferred) {
      const offset = this.chunkOffset + start;
      this.deferred.add({ key, id, idStart, idEnd, offset, length: stop - start, complete, order });
      return;
    }
    this.joinLine(key, id, idStart, idEnd, () => data.toString("utf8", start, stop), complete, order);
  }

  /**
   * A batch request line (its key, if read, and its id's bytes): counted by its result's outcome
   * from the index, its text (`text`) read only when it can enter the sample; else joined in full.
   */
  private joinLine(
    key: SamplingKey | undefined,
    id: Uint8Array,
    idStart: number,
    idEnd: number,
    text: () => string,
    complete: boolean,
    order: number,
  ): void {
    const { stats, sampler, format } = this;
    const results = this.results!;
    const outcome = key ? results.outcome(id, idStart, idEnd) : Outcome.Unknown;
    if (key && outcome === Outcome.Call) {
      stats.calls++;
      if (sampler.count(key)) {
        const parsed = parseBatchLine(format, text(), complete, results);
        if (!("call" in parsed))
          throw new Error("a batch line's sampling key and result were read, but the line does not join");
        sampler.addKeyed(parsed.call, key, order);
      }
      return;
    }
    const skip = OUTCOME_SKIP[outcome];
    if (key && skip) {
      count(stats, skip);
      return;
    }
    for (const call of countLine(stats, parseBatchLine(format, text(), complete, results)))
      sampler.add(call, order);
  }

  /** The lines of `data`, the `seq`th chunk of the log (`endsWithNewline`: its last line is whole). */
  sampleChunk(data: Buffer, seq: number, endsWithNewline: boolean, fileOffset = 0): void {
    const { stats, sampler, scanner, format } = this;
    const batch = this.results !== undefined || this.deferred !== undefined;
    this.chunkOffset = fileOffset;
    let start = 0;
    let index = 0;
    while (start < data.length) {
      let end = data.indexOf(NEWLINE, start);
      const lineComplete = end >= 0 || endsWithNewline;
      if (end < 0) end = data.length;
      const stop = end > start && data[end - 1] === CR ? end - 1 : end;
      if (stop > start) {
        stats.lines++;
        const order = seq * LINES_PER_CHUNK + index++;
        if (batch) {
          this.batchLine(data, start, stop, lineComplete, order);
          start = end + 1;
          continue;
        }
        const spans = scanner instanceof OtelLineScanner ? scanner.spans(data, start, stop) : undefined;
        const key = scanner instanceof ChatLineScanner ? scanner.key(data, start, stop) : undefined;
        if (spans) sampleSpans(spans, data, order, stats, sampler);
        else if (key) {
          stats.calls++;
          if (sampler.count(key)) {
            const parsed = parseLogLine(format, data.toString("utf8", start, stop), lineComplete);
            if (!("call" in parsed))
              throw new Error("a chat line's sampling key was read, but the line does not parse");
            sampler.addKeyed(parsed.call, key, order);
          }
        } else {
          const text = data.toString("utf8", start, stop);
          for (const call of countLine(stats, parseLogLine(format, text, lineComplete)))
            sampler.add(call, order);
        }
      }
      start = end + 1;
    }
  }
}
