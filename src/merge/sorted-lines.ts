/**
 * An external sort of text lines by a key: lines are held up to a memory budget, then sorted and
 * written to a temporary file, and read back merged from all those files (k-way). Memory stays
 * at the budget plus one line per file, whatever the number of lines.
 */
import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  type ReadStream,
  rmSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface, type Interface } from "node:readline";

/** Default memory budget for lines held before a sorted chunk goes to disk, in UTF-16 units. */
export const DEFAULT_CHUNK_CHARS = 16 * 1024 * 1024;

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
  async *sorted(): AsyncGenerator<string> {
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
      for (const head of heads) if (await head.advance()) live.push(head);
      while (live.length > 0) {
        // Few chunks (one per budget's worth of lines): a scan for the smallest key is enough.
        let best = 0;
        for (let i = 1; i < live.length; i++) if (live[i]!.key < live[best]!.key) best = i;
        const head = live[best]!;
        yield head.line;
        if (!(await head.advance())) live.splice(best, 1);
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

/** One sorted chunk file, read a line at a time. */
class ChunkReader {
  key = "";
  line = "";
  private readonly input: ReadStream;
  private readonly reader: Interface;
  private readonly lines: AsyncIterator<string>;

  constructor(path: string) {
    this.input = createReadStream(path);
    this.reader = createInterface({ input: this.input, crlfDelay: Infinity });
    this.lines = this.reader[Symbol.asyncIterator]();
  }

  /** Moves to the next line; false at the end. */
  async advance(): Promise<boolean> {
    const next = await this.lines.next();
    if (next.done) return false;
    const tab = next.value.indexOf("\t");
    this.key = next.value.slice(0, tab);
    this.line = next.value.slice(tab + 1);
    return true;
  }

  close(): void {
    this.reader.close();
    this.input.destroy();
  }
}
