/**
 * Samples chunks of whole lines of a single-file log (a sampling thread's work, sample-worker.ts).
 * A chat-completions or Responses API line is first read by its sampling key alone
 * (chat-line-key.ts, responses-line-key.ts; an OTLP line by its spans' keys, otel-line-key.ts): it is
 * counted, and parsed and converted only when its priority can enter the bottom-k sample; a line
 * the key reader does not vouch for (malformed, skipped, another shape) is parsed in full, as in
 * `readLog`. Either way the sample, its weights and the skip counts are the full parse's.
 */
import { ChatLineScanner } from "./chat-line-key.ts";
import type { LogFormat } from "./detect.ts";
import { OtelLineScanner } from "./otel-line-key.ts";
import { sampleSpans } from "./otel-sample-spans.ts";
import { countLine, newStats, parseLogLine, type ReadStats } from "./read-log.ts";
import { ResponsesLineScanner } from "./responses-line-key.ts";
import { StratifiedSampler } from "./sample.ts";

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

  /** `keyed: false` parses every line in full (tests compare the two). */
  constructor(format: LogFormat, size: number, seed: number, keyed = true) {
    this.format = format;
    this.sampler = new StratifiedSampler(size, seed);
    this.scanner = keyed ? keyReader(format, seed) : undefined;
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
