/**
 * The append-only `events.jsonl` of a run directory, written synchronously. Call records are
 * gathered and written together (at most {@link CALL_FLUSH_MS} later, or once
 * {@link CALL_FLUSH_BYTES} wait): one write per record cost more CPU than the rest of a
 * record's bookkeeping. Every other event is written at once, after the records before it, and
 * the records waiting are written on `close` and when the process exits, so only a kill that
 * gives no chance to run (`SIGKILL`, a crash of the runtime) can lose the last moment's records,
 * which `--resume` makes again.
 */
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { LogEvent } from "./records.ts";
import { DEFAULT_MAX_OUTPUT_BYTES, storedCallRecord } from "./stored-output.ts";

export const EVENTS_FILE = "events.jsonl";

/** Longest a call record waits to be written, ms. */
export const CALL_FLUSH_MS = 100;
/** Call records waiting that are written at once, in UTF-8 bytes of their lines. */
export const CALL_FLUSH_BYTES = 64 * 1024;
/**
 * The buffer call records are gathered in, encoded as they come (no string of the batch is
 * built, flattened and encoded again on each write); a longer line is written on its own.
 */
const GATHER_BYTES = 4 * CALL_FLUSH_BYTES;

/** Events gathered into one write: the per-call records of runs, loads and judges. */
const BATCHED = new Set(["call", "load_call", "judge_call"]);

export class RunLog {
  private fd: number | undefined;
  private readonly secrets: string[];
  private readonly tap: ((event: LogEvent) => void) | undefined;
  private readonly maxOutputBytes: number;

  /**
   * Opens (creating or appending to) `<runDir>/events.jsonl`. `secrets` are masked in every line.
   * `tap` sees every event as written (a masked line is parsed back, so it never sees a secret).
   * A call's output and reasoning are kept up to `maxOutputBytes` each (see stored-output.ts).
   */
  constructor(
    runDir: string,
    secrets: readonly string[] = [],
    tap?: (event: LogEvent) => void,
    maxOutputBytes = DEFAULT_MAX_OUTPUT_BYTES,
  ) {
    this.tap = tap;
    this.maxOutputBytes = maxOutputBytes;
    const path = join(runDir, EVENTS_FILE);
    if (existsSync(path)) {
      const fd = openSync(path, "r+");
      dropPartialLastLine(fd);
      closeSync(fd);
    }
    this.fd = openSync(path, "a");
    this.secrets = secrets.filter((s) => s.length >= 8);
  }

  append(logged: LogEvent): void {
    if (this.fd === undefined) throw new Error("run log is closed");
    const event = this.stored(logged);
    const raw = JSON.stringify(event);
    let line = raw;
    for (const secret of this.secrets) line = line.replaceAll(secret, "[REDACTED]");
    if (BATCHED.has(event.type)) {
      this.gather(line);
      if (this.gatheredBytes >= CALL_FLUSH_BYTES) this.flush();
      else if (this.timer === undefined) {
        this.timer = setTimeout(this.flushLater, CALL_FLUSH_MS);
        this.timer.unref();
        process.once("exit", this.flushAtExit);
      }
    } else {
      this.flush();
      writeAll(this.fd, `${line}\n`);
    }
    this.tap?.(line === raw ? event : (JSON.parse(line) as LogEvent));
  }

  /** The event as kept: a call's (or a load call's) output, reasoning and tool arguments capped. */
  private stored(event: LogEvent): LogEvent {
    if (event.type === "call") return storedCallRecord(event, this.maxOutputBytes);
    if (event.type !== "load_call") return event;
    const call = storedCallRecord(event.call, this.maxOutputBytes);
    return call === event.call ? event : { ...event, call };
  }

  /** Adds a call record's line to those waiting, in order; one too long to gather is written now. */
  private gather(line: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes, and the newline 1.
    const most = line.length * 3 + 1;
    if (this.gatheredBytes + most > GATHER_BYTES) {
      this.writeGathered();
      if (most > GATHER_BYTES) {
        writeAll(this.fd!, `${line}\n`);
        return;
      }
    }
    this.gathered ??= Buffer.allocUnsafe(GATHER_BYTES);
    const buffer = this.gathered;
    this.gatheredBytes += buffer.write(line, this.gatheredBytes);
    buffer[this.gatheredBytes++] = 0x0a;
  }

  /** Writes the call records waiting. */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      process.off("exit", this.flushAtExit);
    }
    this.writeGathered();
  }

  private writeGathered(): void {
    const bytes = this.gatheredBytes;
    if (bytes === 0 || this.fd === undefined) return;
    this.gatheredBytes = 0;
    writeBytes(this.fd, this.gathered!, bytes);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private gathered: Buffer | undefined;
  private gatheredBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushLater = () => {
    this.timer = undefined;
    process.off("exit", this.flushAtExit);
    this.flush();
  };
  private readonly flushAtExit = () => this.flush();
}

/** A crash mid-write can leave half a line at the end: cut it so the next event starts clean. */
function dropPartialLastLine(fd: number): void {
  const size = fstatSync(fd).size;
  if (size === 0) return;
  const tail = Buffer.alloc(Math.min(size, 1 << 20));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  if (tail[tail.length - 1] === 0x0a) return;
  const lastNewline = tail.lastIndexOf(0x0a);
  ftruncateSync(fd, lastNewline < 0 ? size - tail.length : size - tail.length + lastNewline + 1);
}

/** Bytes of the log read at a time by {@link readRunLog}. */
const READ_BYTES = 1 << 20;

/**
 * Streams the events of a run log, one parsed event at a time (memory stays flat for any size).
 * A line that is not JSON (a torn final write) is skipped; `onSkipped` hears of it (1-based line
 * number). `keepLine`, when given, sees each raw line first and skips those it rejects unparsed
 * (parsing is most of a read's time; a reader wanting a few records can pre-filter on the text).
 * Lines end at `\n` (a `\r` before it is dropped). Read in 1 MiB chunks and split here rather
 * than through `readline`, whose per-line events cost ~20% of a pass over a run's records.
 */
export async function* readRunLog(
  runDir: string,
  onSkipped?: (lineNumber: number) => void,
  keepLine?: (line: string) => boolean,
): AsyncGenerator<LogEvent> {
  const file = await open(join(runDir, EVENTS_FILE), "r");
  let lineNumber = 0;
  const parse = (raw: string): LogEvent | undefined => {
    lineNumber++;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.length === 0 || (keepLine && !keepLine(line))) return undefined;
    try {
      return JSON.parse(line) as LogEvent;
    } catch {
      onSkipped?.(lineNumber);
      return undefined;
    }
  };
  try {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const decoder = new StringDecoder("utf8");
    // Pieces of a line not ended yet, joined once it ends (a line may span many chunks).
    let pending: string[] = [];
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, READ_BYTES, null);
      if (bytesRead === 0) break;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      let start = 0;
      for (let newline = text.indexOf("\n"); newline >= 0; newline = text.indexOf("\n", start)) {
        let line = text.slice(start, newline);
        if (pending.length > 0) {
          pending.push(line);
          line = pending.join("");
          pending = [];
        }
        start = newline + 1;
        const event = parse(line);
        if (event !== undefined) yield event;
      }
      if (start < text.length) pending.push(text.slice(start));
    }
    const last = pending.join("") + decoder.end();
    if (last.length > 0) {
      const event = parse(last);
      if (event !== undefined) yield event;
    }
  } finally {
    await file.close();
  }
}

/** Writes a line whole: a write may take fewer bytes than given, and the rest must follow in order. */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  writeBytes(fd, bytes, bytes.length);
}

function writeBytes(fd: number, bytes: Uint8Array, length: number): void {
  for (let written = 0; written < length; ) written += writeSync(fd, bytes, written, length - written);
}
