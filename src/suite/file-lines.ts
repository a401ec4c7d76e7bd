/**
 * The lines of a text file, read in chunks rather than as one string: a dataset of a million rows
 * is never in memory whole. Synchronous: suites load before anything runs, and a run renders its
 * cases from small chunks (a read of one is too short to delay the calls it times).
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { StringDecoder } from "node:string_decoder";

export interface FileLinesOptions {
  /** Sees every chunk as it is read: all of the file's bytes, in order, if the lines are read to the end. */
  onBytes?: (chunk: Uint8Array) => void;
  /** Bytes read at a time (default 1 MiB). */
  chunkBytes?: number;
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
    const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 20);
    const decoder = new StringDecoder("utf8");
    let rest = "";
    let atStart = true;
    for (;;) {
      check?.(fstatSync(fd));
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const chunk = buffer.subarray(0, read);
      onBytes?.(chunk);
      let text = rest + decoder.write(chunk);
      if (atStart && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        atStart = false;
      }
      let start = 0;
      for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
        yield text.slice(start, newline);
        start = newline + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.end();
    if (rest.length > 0) yield rest;
  } finally {
    closeSync(fd);
  }
}
