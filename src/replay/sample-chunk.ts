/**
 * Samples chunks of whole lines of a single-file log (a sampling thread's work, sample-worker.ts).
 * A chat-completions or Responses API line is first read by its sampling key alone
 * (chat-line-key.ts, responses-line-key.ts): it is
 * counted, and parsed and converted only when its priority can enter the bottom-k sample; a line
 * the key reader does not vouch for (malformed, skipped, another shape) is parsed in full, as in
 * `readLog`. Either way the sample, its weights and the skip counts are the full parse's.
 */
import { OUTCOME_SKIP, Outcome, type ResultsIndex } from "./batch-index.ts";
import { type BatchKeyReader, batchKeyReader } from "./batch-line-key.ts";
import { ChatLineScanner } from "./chat-line-key.ts";
import type { LogFormat } from "./detect.ts";
import { count, countLine, newStats, parseBatchLine, parseLogLine, type ReadStats } from "./read-log.ts";
import { ResponsesLineScanner } from "./responses-line-key.ts";
import { StratifiedSampler } from "./sample.ts";

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Lines numbered from 0 per chunk: a line's position in the log is its chunk's, then its own. */
const LINES_PER_CHUNK = 2 ** 24;

/** The raw-line key reader of a format's lines, if it has one. */
export function keyReader(format: LogFormat, seed: number): ChatLineScanner | undefined {
  if (format === "openai-chat") return new ChatLineScanner(seed);
  if (format === "openai-responses") return new ResponsesLineScanner(seed);
  return undefined;
}

export class ChunkSampler {
  readonly sampler: StratifiedSampler;
  readonly stats: ReadStats = newStats();
  private readonly format: LogFormat;
  private readonly scanner: ChatLineScanner | undefined;
  /** A batch log: its results, and the raw-line key reader of its request lines. */
  private readonly results: ResultsIndex | undefined;
  private readonly batchScanner: BatchKeyReader | undefined;

  /**
   * `keyed: false` parses every line in full (tests compare the two). `results`: the lines are a
   * batch log's requests, joined to these results (batch-index.ts).
   */
  constructor(format: LogFormat, size: number, seed: number, keyed = true, results?: ResultsIndex) {
    this.format = format;
    this.sampler = new StratifiedSampler(size, seed);
    this.results = results;
    this.scanner = keyed && !results ? keyReader(format, seed) : undefined;
    this.batchScanner = keyed && results ? batchKeyReader(format, seed) : undefined;
  }

  /**
   * A batch request line: its key read from its bytes and its result's outcome from the index
   * (the result is read only when the request can enter the sample), else joined in full.
   */
  private batchLine(data: Buffer, start: number, stop: number, complete: boolean, order: number): void {
    const { stats, sampler, format, batchScanner } = this;
    const results = this.results!;
    const key = batchScanner?.key(data, start, stop);
    const outcome = key
      ? results.outcome(batchScanner!.idBuf, batchScanner!.idStart, batchScanner!.idEnd)
      : Outcome.Unknown;
    if (key && outcome === Outcome.Call) {
      stats.calls++;
      if (sampler.count(key)) {
        const parsed = parseBatchLine(format, data.toString("utf8", start, stop), complete, results);
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
    const text = data.toString("utf8", start, stop);
    for (const call of countLine(stats, parseBatchLine(format, text, complete, results)))
      sampler.add(call, order);
  }

  /** The lines of `data`, the `seq`th chunk of the log (`endsWithNewline`: its last line is whole). */
  sampleChunk(data: Buffer, seq: number, endsWithNewline: boolean): void {
    const { stats, sampler, scanner, format } = this;
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
        if (this.results) {
          this.batchLine(data, start, stop, lineComplete, order);
          start = end + 1;
          continue;
        }
        const key = scanner?.key(data, start, stop);
        if (key) {
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
