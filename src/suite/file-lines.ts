/**
 * The lines of a text file, read in chunks rather than as one string: a dataset of a million rows
 * is never in memory whole. Synchronous: suites load before anything runs, and a run renders its
 * cases from small chunks (a read of one is too short to delay the calls it times).
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/** Bytes read at a time: a chunk's text stays a small young-generation string, and reading it takes microseconds. */
const CHUNK_BYTES = 64 * 1024;

export interface FileLinesOptions {
  /** Sees every chunk as it is read: all of the file's bytes, in order, if the lines are read to the end. */
  onBytes?: (chunk: Uint8Array) => void;
  /** Called with the open file's stats before each chunk is read; throw to stop (e.g. the file changed). */
  check?: (stats: Stats) => void;
}

/**
 * Yields each line of the UTF-8 file at `path` without its `\n` (a `\r` before it stays), dropping
 * a byte-order mark.
 */
export function* fileLines(path: string, options: FileLinesOptions = {}): Generator<string> {
  const { onBytes, check } = options;
  const fd = openSync(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    const decoder = new StringDecoder("utf8");
    // Pieces of a line that has not ended yet: joined once it ends, so a line longer than many
    // chunks is not copied again at every chunk.
    let pending: string[] = [];
    let atStart = true;
    for (;;) {
      check?.(fstatSync(fd));
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      onBytes?.(chunk);
      let text = decoder.write(chunk);
      if (atStart && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        atStart = false;
      }
      let start = 0;
      for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
        const end = text.slice(start, newline);
        if (pending.length === 0) yield end;
        else {
          pending.push(end);
          const line = pending.join("");
          pending = [];
          yield line;
        }
        start = newline + 1;
      }
      if (start < text.length) pending.push(text.slice(start));
    }
    const last = pending.join("") + decoder.end();
    if (last.length > 0) yield last;
  } finally {
    closeSync(fd);
  }
}
