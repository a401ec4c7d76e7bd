/**
 * Lines of a file as a stream of chunks: memory stays one chunk plus one line, whatever the file's
 * size. Each line comes with its 1-based number, its byte offset, and whether it ended with a
 * newline (a last line without one is what a truncated log looks like).
 */
import { createReadStream } from "node:fs";

export interface FileLine {
  text: string;
  number: number;
  offset: number;
  /** False for a last line the file ends inside. */
  complete: boolean;
}

const NEWLINE = 0x0a;

export async function* readLines(path: string): AsyncGenerator<FileLine> {
  let carry: Buffer | null = null;
  let offset = 0;
  let number = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const end = data.indexOf(NEWLINE, start);
      if (end < 0) break;
      const stop = end > start && data[end - 1] === 0x0d ? end - 1 : end;
      number++;
      if (stop > start) yield { text: data.toString("utf8", start, stop), number, offset, complete: true };
      offset += end + 1 - start;
      start = end + 1;
    }
    carry = start < data.length ? data.subarray(start) : null;
  }
  if (carry && carry.length > 0) {
    number++;
    yield { text: carry.toString("utf8"), number, offset, complete: false };
  }
}
