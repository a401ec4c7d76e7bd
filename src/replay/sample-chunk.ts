/**
 * One chunk of whole log lines parsed and sampled: what each sampling thread does with the chunks
 * it is sent, and what the reading thread does with a chunk when every sampling thread is busy.
 */
import type { LogFormat } from "./detect.ts";
import { countLine, parseLogLine, type ReadStats } from "./read-log.ts";
import type { StratifiedSampler } from "./sample.ts";

const NEWLINE = 0x0a;
const CR = 0x0d;

/** Lines numbered from 0 per chunk: a line's position in the log is its chunk's, then its own. */
const LINES_PER_CHUNK = 2 ** 24;

/** Samples the lines of chunk number `seq` (`endsWithNewline`: its last line is complete). */
export function sampleChunk(
  format: LogFormat,
  stats: ReadStats,
  sampler: StratifiedSampler,
  data: Buffer,
  seq: number,
  endsWithNewline: boolean,
): void {
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
      for (const call of countLine(
        stats,
        parseLogLine(format, data.toString("utf8", start, stop), lineComplete),
      ))
        sampler.add(call, order);
    }
    start = end + 1;
  }
}
