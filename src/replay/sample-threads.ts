/**
 * `init --from`'s sample drawn in sampling threads: this thread reads the log in chunks of whole
 * lines and hands each to the least busy sampling thread (sample-worker.ts), which parses and
 * samples it; their samples merge into the whole log's (StratifiedSampler.absorb), the same as
 * one thread reading it all. Parsing is most of the work: off this thread it overlaps the reads
 * and runs without a per-line async step. Memory
 * stays flat: two chunk buffers per thread, reused, and each thread holds only its sample.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import { getCompileCacheDir } from "node:module";
import { setFlagsFromString } from "node:v8";
import { Worker } from "node:worker_threads";
import { DeferredRequests, type DeferredState } from "./batch-deferred.ts";
import { ResultsIndex, type ResultsIndexState } from "./batch-index.ts";
import { batchKeyReader } from "./batch-line-key.ts";
import type { LogFormat } from "./detect.ts";
import type { SkipReason } from "./logged-call.ts";
import { OtelLineScanner } from "./otel-line-key.ts";
import { count, newStats, type ReadStats } from "./read-log.ts";
import { type SamplerState, StratifiedSampler } from "./sample.ts";
import { ChunkSampler, keyReader } from "./sample-chunk.ts";

export type ThreadMessage =
  | {
      type: "chunk";
      seq: number;
      data: ArrayBuffer;
      length: number;
      endsWithNewline: boolean;
      offset: number;
    }
  | { type: "results"; state: ResultsIndexState }
  /** A batch chunk's request lines keyed by the reading thread (ChunkSampler.keyChunk). */
  | { type: "keyed"; lines: DeferredState }
  | { type: "end" };

export interface ThreadResult {
  type: "result";
  state: SamplerState;
  lines: number;
  calls: number;
  skipped: [SkipReason, number][];
}

const WORKER_URL = new URL(
  `./sample-worker${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`,
  import.meta.url,
);

const WORKER_BOOT = `const { workerData } = require("node:worker_threads");
if (workerData.compileCache) require("node:module").enableCompileCache?.(workerData.compileCache);
import(workerData.url);`;

const NEWLINE = 0x0a;
/** Chunks in flight per thread: one being parsed, one waiting, so no thread idles on a read. */
const IN_FLIGHT = 2;
/**
 * Chunks keyed by this thread in flight per sampling thread (~100–170 KB of typed arrays each):
 * enough to keep this thread at work while a sampling thread joins the request lines it kept
 * until the results index came (their parses, most of the sample's, are there).
 */
const KEYED_IN_FLIGHT = 16;
/**
 * The sampling threads' semi-space, MB. Parsing every line in full (formats without a raw-line key
 * reader) allocates fast: twice the CLI's 4 (bin/opbench.js) keeps fewer of a chunk's parsed lines
 * alive, and promoted, at a scavenge. Chat-completions and Responses lines are mostly only counted from their
 * raw bytes (sample-chunk.ts), which allocates little: the CLI's 4 MB, less RSS (BENCHMARKS.md "Replay")
 * — when the log's first line has such a key (a log of lines parsed in full keeps 8 MB).
 */
function semiSpaceMb(file: string, format: LogFormat, seed: number): number {
  return firstLineKeyed(file, format, seed) ? 4 : 8;
}

/** Whether the log's first line has a raw-line key (chat-line-key.ts, batch-line-key.ts). */
function firstLineKeyed(file: string, format: LogFormat, seed: number): boolean {
  const reader = keyReader(format, seed) ?? batchKeyReader(format, seed);
  if (!reader) return false;
  const head = Buffer.alloc(1 << 20);
  const fd = openSync(file, "r");
  let length: number;
  try {
    length = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  let end = head.indexOf(NEWLINE);
  if (end < 0) end = length;
  if (end > 0 && head[end - 1] === 0x0d) end--;
  return (
    (reader instanceof OtelLineScanner ? reader.spans(head, 0, end) : reader.key(head, 0, end)) !== undefined
  );
}

/** The semi-space flag as this process was started with (0: V8's own sizing). */
function restoreSemiSpace(): void {
  const flag = [...process.execArgv].reverse().find((arg) => arg.startsWith("--max-semi-space-size="));
  setFlagsFromString(`--max-semi-space-size=${flag?.split("=")[1] ?? 0}`);
}

interface SamplingThread {
  worker: Worker;
  inFlight: number;
  /** Chunks keyed by this thread (`ChunkSampler.keyChunk`) sent and not yet joined. */
  keyedInFlight: number;
  result: Promise<ThreadResult>;
}

export interface ThreadedSampleOptions {
  threads: number;
  /** Bytes read at a time (tests make it small to cut a log into many chunks). */
  chunkBytes?: number;
  /**
   * A batch log's request chunks keyed by this thread once the results index is built: when every
   * sampling thread has its chunks in flight (the default), always (tests), or never.
   */
  readerKeys?: "when-busy" | "always" | "never";
}

/**
 * Request bytes sent to the threads before a batch log's results index is ready, at most: what
 * they keep of those lines until it comes (~50 bytes a line, batch-deferred.ts) stays bounded.
 */
const DEFERRED_BYTES = 64 << 20;

/**
 * Builds a batch log's results index in this thread, one read at a time between the reads of
 * the requests (the sampling threads read their keys meanwhile), then sends it to the threads
 * (moved to the one, copied to several).
 */
async function indexResults(
  results: string,
  format: LogFormat,
  stats: ReadStats,
  threads: readonly SamplingThread[],
): Promise<void> {
  const index = new ResultsIndex(results, format, (reason) => count(stats, reason), true, true);
  try {
    for (const _ of index.buildSteps()) await new Promise<void>((resolve) => setImmediate(resolve));
    const state = index.state();
    const { ids } = state;
    const buffers = [
      ids.arena.buffer,
      ids.starts.buffer,
      ids.lengths.buffer,
      ids.hashes.buffer,
      ids.slots.buffer,
      state.offsets.buffer,
      state.lengths.buffer,
      state.outcomes.buffer,
    ];
    for (const thread of threads) {
      const message: ThreadMessage = { type: "results", state };
      thread.worker.postMessage(message, threads.length === 1 ? buffers : []);
    }
  } finally {
    index.close();
  }
}

/**
 * Samples one log in `threads` threads; the same sample as one thread reading it all. A batch
 * log's `results` file is indexed here while the threads read its requests' keys.
 */
export async function sampleInThreads(
  file: string,
  format: LogFormat,
  size: number,
  seed: number,
  options: ThreadedSampleOptions,
  results?: string,
): Promise<{ stats: ReadStats; sampler: StratifiedSampler }> {
  const chunkBytes = options.chunkBytes ?? 1 << 20;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    wake?.();
  };
  // A batch log's two files, read by every thread with these descriptors: opened here and closed
  // below, since a thread terminated after a failure elsewhere never closes what it opened.
  const batchFds = results ? openBoth(file, results) : undefined;
  // V8's semi-space flag bounds every heap created after it is set (a worker's resourceLimits
  // cannot raise it): set for the threads' heaps, then set back once they exist.
  setFlagsFromString(`--max-semi-space-size=${semiSpaceMb(file, format, seed)}`);
  let ready = 0;
  /** Chunk buffers handed back by the threads, reused: no per-chunk allocation awaits a full GC. */
  const free: ArrayBuffer[] = [];
  const threads: SamplingThread[] = [];
  const startThread = (): SamplingThread => {
    // The thread's first code turns on the process's compile cache (bin/opbench.js's), then loads
    // the sampler: a checkout's TypeScript is then not type-stripped again, whose stripper alone
    // costs each thread ~30 MB of RSS.
    const worker = new Worker(WORKER_BOOT, {
      eval: true,
      workerData: {
        format,
        size,
        seed,
        ...(batchFds && { requests: batchFds[0], results: batchFds[1] }),
        url: WORKER_URL.href,
        compileCache: getCompileCacheDir?.(),
      },
      // None of the parent's: its V8 flags are process-wide already, and options such as
      // `--input-type` (a parent run as `node -e …`) would stop the thread loading its file.
      execArgv: [],
    });
    const thread: SamplingThread = {
      worker,
      inFlight: 0,
      keyedInFlight: 0,
      result: Promise.resolve() as never,
    };
    thread.result = new Promise<ThreadResult>((resolve, reject) => {
      worker.on(
        "message",
        (
          message: { type: "ready" } | { type: "ack"; data: ArrayBuffer } | { type: "joined" } | ThreadResult,
        ) => {
          if (message.type === "result") resolve(message);
          else if (message.type === "ready") {
            if (++ready === threads.length) restoreSemiSpace();
          } else if (message.type === "joined") {
            thread.keyedInFlight--;
            wake?.();
          } else {
            thread.inFlight--;
            free.push(message.data);
            wake?.();
          }
        },
      );
      worker.once("error", (error) => {
        reject(error);
        fail(error);
      });
      worker.once("exit", (code) => {
        const error = new Error(`a sampling thread exited (code ${code}) before its result`);
        reject(error);
        fail(error);
      });
    });
    thread.result.catch(() => {});
    return thread;
  };
  try {
    for (let n = Math.max(1, options.threads); threads.length < n; ) threads.push(startThread());
  } catch (error) {
    // A thread that could not start: nothing else has begun.
    restoreSemiSpace();
    for (const thread of threads) void thread.worker.terminate();
    for (const fd of batchFds ?? []) closeSync(fd);
    throw error;
  }
  const message = async (): Promise<void> => {
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  };
  /** The least busy thread once one has room. */
  const nextThread = async (): Promise<SamplingThread> => {
    for (;;) {
      if (failure) throw failure;
      const thread = threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
      if (thread.inFlight < IN_FLIGHT) return thread;
      await message();
    }
  };
  /**
   * Where a chunk goes once the index is built: a thread with room for a chunk (undefined), else
   * keyed here for the thread with the fewest keyed chunks in flight, once one has room.
   */
  const keyedThread = async (): Promise<SamplingThread | undefined> => {
    for (;;) {
      if (failure) throw failure;
      if (readerKeys !== "always" && threads.some((t) => t.inFlight < IN_FLIGHT)) return undefined;
      const thread = threads.reduce((a, b) => (b.keyedInFlight < a.keyedInFlight ? b : a));
      if (thread.keyedInFlight < KEYED_IN_FLIGHT) return thread;
      await message();
    }
  };
  const resultSkips = newStats();
  const indexing = results ? indexResults(results, format, resultSkips, threads) : undefined;
  indexing?.catch(fail);
  let indexed = false;
  // Its failure is `fail`'s to report.
  void indexing?.then(
    () => {
      indexed = true;
    },
    () => {},
  );
  let seq = 0;
  let offset = 0;
  const readerKeys = results ? (options.readerKeys ?? "when-busy") : "never";
  // Once its index is built this thread has time to spare: it reads request keys too.
  const keyer = readerKeys === "never" ? undefined : new ChunkSampler(format, size, seed);
  const send = async (data: Buffer, length: number, endsWithNewline: boolean) => {
    // Request lines read ahead of the index are kept by the threads: a bounded number of them.
    if (indexing && !indexed && offset >= DEFERRED_BYTES) await indexing;
    const keyedFor = keyer && indexed ? await keyedThread() : undefined;
    if (keyedFor) {
      const lines = keyer!.keyChunk(data.subarray(0, length), seq++, endsWithNewline, offset).state();
      offset += length;
      free.push(data.buffer as ArrayBuffer);
      keyedFor.keyedInFlight++;
      const message: ThreadMessage = { type: "keyed", lines };
      keyedFor.worker.postMessage(message, DeferredRequests.transfer(lines));
      return;
    }
    const thread = await nextThread();
    thread.inFlight++;
    const message: ThreadMessage = {
      type: "chunk",
      seq: seq++,
      data: data.buffer as ArrayBuffer,
      length,
      endsWithNewline,
      offset,
    };
    offset += length;
    thread.worker.postMessage(message, [data.buffer as ArrayBuffer]);
  };
  try {
    const handle = await open(file, "r");
    try {
      let carry: Buffer = Buffer.alloc(0);
      for (;;) {
        // A buffer of its own (not from Node's pool), so that it can be handed to a thread.
        const reused = free.pop();
        const data =
          reused && reused.byteLength >= carry.length + chunkBytes
            ? Buffer.from(reused)
            : Buffer.allocUnsafeSlow(carry.length + chunkBytes);
        carry.copy(data, 0);
        const { bytesRead } = await handle.read(data, carry.length, data.length - carry.length, null);
        const filled = carry.length + bytesRead;
        if (bytesRead === 0) {
          if (filled > 0) await send(data, filled, false);
          break;
        }
        const end = data.lastIndexOf(NEWLINE, filled - 1);
        if (end < 0) {
          carry = data.subarray(0, filled);
          continue;
        }
        carry = Buffer.from(data.subarray(end + 1, filled));
        await send(data, end + 1, true);
      }
    } finally {
      await handle.close();
    }
    await indexing;
    for (const thread of threads) thread.worker.postMessage({ type: "end" } satisfies ThreadMessage);
    const results = await Promise.all(threads.map((t) => t.result));
    const stats = resultSkips;
    stats.format = format;
    const sampler = new StratifiedSampler(size, seed);
    for (const result of results) {
      stats.lines += result.lines;
      stats.calls += result.calls;
      for (const [reason, n] of result.skipped)
        stats.skipped.set(reason, (stats.skipped.get(reason) ?? 0) + n);
      sampler.absorb(result.state);
    }
    return { stats, sampler };
  } finally {
    if (ready < threads.length) restoreSemiSpace();
    for (const thread of threads) {
      thread.worker.removeAllListeners("exit");
      await thread.worker.terminate();
    }
    for (const fd of batchFds ?? []) closeSync(fd);
  }
}

/** Descriptors of a batch log's requests and results files (the first closed if the second fails). */
function openBoth(requests: string, results: string): [number, number] {
  const requestsFd = openSync(requests, "r");
  try {
    return [requestsFd, openSync(results, "r")];
  } catch (error) {
    closeSync(requestsFd);
    throw error;
  }
}
