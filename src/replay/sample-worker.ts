/**
 * A sampling thread of `init --from` (sample-threads.ts starts it): parses the lines of the
 * chunks it is sent, samples their calls with its own sampler, and at the end sends back what it
 * holds and what it counted, to be merged with the other threads'.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { LogFormat } from "./detect.ts";
import { countLine, newStats, parseLogLine } from "./read-log.ts";
import { StratifiedSampler } from "./sample.ts";
import type { ThreadMessage, ThreadResult } from "./sample-threads.ts";

const NEWLINE = 0x0a;
const CR = 0x0d;

const { format, size, seed } = workerData as { format: LogFormat; size: number; seed: number };
const sampler = new StratifiedSampler(size, seed);
const stats = newStats();

/** Lines numbered from 0 per chunk: a line's position in the log is its chunk's, then its own. */
const LINES_PER_CHUNK = 2 ** 24;

function sampleChunk(data: Buffer, seq: number, endsWithNewline: boolean): void {
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

parentPort!.postMessage({ type: "ready" });
parentPort!.on("message", (message: ThreadMessage) => {
  if (message.type === "chunk") {
    sampleChunk(Buffer.from(message.data, 0, message.length), message.seq, message.endsWithNewline);
    // The buffer goes back to be filled again.
    parentPort!.postMessage({ type: "ack", data: message.data }, [message.data]);
    return;
  }
  const result: ThreadResult = {
    type: "result",
    state: sampler.state(),
    lines: stats.lines,
    calls: stats.calls,
    skipped: [...stats.skipped],
  };
  parentPort!.postMessage(result);
});
