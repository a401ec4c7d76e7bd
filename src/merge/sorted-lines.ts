/**
 * An external sort of text lines by a key: lines are held up to a memory budget, then sorted and
 * written to a temporary file, and read back merged from all those files (k-way). Memory stays
 * at the budget plus one line per file, whatever the number of lines.
 */
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";

/** Default memory budget for lines held before a sorted chunk goes to disk, in UTF-16 units. */
export const DEFAULT_CHUNK_CHARS = 8 * 1024 * 1024;

/** Writes strings to a file descriptor in batches of about 1 MiB (one syscall per batch). */
export class BatchedWriter {
  private parts: string[] = [];
  private size = 0;
  private readonly fd: number;
  constructor(fd: number) {
    this.fd = fd;
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, this.parts.join(""));
    this.parts = [];
    this.size = 0;
  }
}

/** Sorts lines by key. Keys are compared as strings and must be unique and contain no tab. */
export class ExternalLineSorter {
  private keys: string[] = [];
  private lines: string[] = [];
  private chars = 0;
  private readonly chunks: string[] = [];
  private tmpMade = false;
  private readonly tmpDir: string;
  private readonly chunkChars: number;

  /** @param tmpDir where sorted chunks go (made when needed; `dispose` removes it) */
  constructor(tmpDir: string, chunkChars = DEFAULT_CHUNK_CHARS) {
    this.tmpDir = tmpDir;
    this.chunkChars = chunkChars;
  }

  add(key: string, line: string): void {
    this.keys.push(key);
    this.lines.push(line);
    this.chars += key.length + line.length;
    if (this.chars >= this.chunkChars) this.spill();
  }

  /** Number of sorted chunks written to disk so far. */
  get spilled(): number {
    return this.chunks.length;
  }

  /** The held lines, sorted by key, in order: indexes into `keys` / `lines`. */
  private sortedHeld(): number[] {
    const order = Array.from(this.keys, (_, i) => i);
    const keys = this.keys;
    order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    return order;
  }

  private spill(): void {
    if (this.keys.length === 0) return;
    if (!this.tmpMade) mkdirSync(this.tmpDir, { recursive: true });
    this.tmpMade = true;
    const path = join(this.tmpDir, `chunk-${this.chunks.length}.txt`);
    const fd = openSync(path, "w");
    try {
      const out = new BatchedWriter(fd);
      for (const i of this.sortedHeld()) out.write(`${this.keys[i]}\t${this.lines[i]}\n`);
      out.flush();
    } finally {
      closeSync(fd);
    }
    this.chunks.push(path);
    this.keys = [];
    this.lines = [];
    this.chars = 0;
  }

  /** Every line added, in key order (call once, after the last `add`). */
  *sorted(): Generator<string> {
    if (this.chunks.length === 0) {
      const lines = this.lines;
      for (const i of this.sortedHeld()) yield lines[i]!;
      this.keys = [];
      this.lines = [];
      return;
    }
    this.spill();
    const heads = this.chunks.map((path) => new ChunkReader(path));
    try {
      const live: ChunkReader[] = [];
      for (const head of heads) if (head.advance()) live.push(head);
      while (live.length > 0) {
        // Few chunks (one per budget's worth of lines): a scan for the smallest key is enough.
        let best = 0;
        for (let i = 1; i < live.length; i++) if (live[i]!.key < live[best]!.key) best = i;
        const head = live[best]!;
        yield head.line;
        if (!head.advance()) live.splice(best, 1);
      }
    } finally {
      for (const head of heads) head.close();
    }
  }

  /** Removes the temporary files. */
  dispose(): void {
    if (this.tmpMade) rmSync(this.tmpDir, { recursive: true, force: true });
  }
}

/**
 * A file read a line at a time with synchronous 64 KiB reads: what it holds is one read's worth
 * of lines (no queue of lines read ahead, as readline keeps per open file).
 */
export class LineReader {
  private readonly fd: number;
  private readonly block = Buffer.alloc(64 * 1024);
  private readonly decoder = new StringDecoder("utf8");
  private lines: string[] = [];
  private next = 0;
  private partial = "";
  private done = false;

  constructor(path: string) {
    this.fd = openSync(path, "r");
  }

  /** The next line (without its line break), or undefined at the end of the file. */
  read(): string | undefined {
    while (this.next >= this.lines.length) {
      if (this.done) return undefined;
      const bytes = readSync(this.fd, this.block, 0, this.block.length, null);
      if (bytes === 0) {
        this.done = true;
        const last = this.partial + this.decoder.end();
        this.partial = "";
        this.lines = last.length > 0 ? [last] : [];
      } else {
        const lines = (this.partial + this.decoder.write(this.block.subarray(0, bytes))).split("\n");
        this.partial = lines.pop()!;
        this.lines = lines;
      }
      this.next = 0;
    }
    const line = this.lines[this.next++]!;
    return line.endsWith("\r") ? line.slice(0, -1) : line;
  }

  close(): void {
    if (!this.done) this.done = true;
    this.lines = [];
    closeSync(this.fd);
  }
}

/** One sorted chunk file, a line at a time: its current line's key and text. */
class ChunkReader {
  key = "";
  line = "";
  private readonly reader: LineReader;

  constructor(path: string) {
    this.reader = new LineReader(path);
  }

  /** Moves to the next line; false at the end. */
  advance(): boolean {
    const next = this.reader.read();
    if (next === undefined) return false;
    const tab = next.indexOf("\t");
    this.key = next.slice(0, tab);
    this.line = next.slice(tab + 1);
    return true;
  }

  close(): void {
    this.reader.close();
  }
}
