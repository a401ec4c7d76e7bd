/**
 * The append-only `events.jsonl` of a run directory. Each event is written with one synchronous
 * write, so whatever finished is on disk even if the process is killed a moment later.
 */
import {
  closeSync,
  createReadStream,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { LogEvent } from "./records.ts";
import { DEFAULT_MAX_OUTPUT_BYTES, storedCallRecord } from "./stored-output.ts";

export const EVENTS_FILE = "events.jsonl";

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
    const event = logged.type === "call" ? storedCallRecord(logged, this.maxOutputBytes) : logged;
    const raw = JSON.stringify(event);
    let line = raw;
    for (const secret of this.secrets) line = line.replaceAll(secret, "[REDACTED]");
    writeSync(this.fd, `${line}\n`);
    this.tap?.(line === raw ? event : (JSON.parse(line) as LogEvent));
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
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

/**
 * Streams the events of a run log, one parsed event at a time (memory stays flat for any size).
 * A line that is not JSON (a torn final write) is skipped; `onSkipped` hears of it (1-based line
 * number). `keepLine`, when given, sees each raw line first and skips those it rejects unparsed
 * (parsing is most of a read's time; a reader wanting a few records can pre-filter on the text).
 */
export async function* readRunLog(
  runDir: string,
  onSkipped?: (lineNumber: number) => void,
  keepLine?: (line: string) => boolean,
): AsyncGenerator<LogEvent> {
  const lines = createInterface({ input: createReadStream(join(runDir, EVENTS_FILE)), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.length === 0 || (keepLine && !keepLine(line))) continue;
    let event: LogEvent;
    try {
      event = JSON.parse(line) as LogEvent;
    } catch {
      onSkipped?.(lineNumber);
      continue;
    }
    yield event;
  }
}
