/**
 * A sampling thread of `init --from` (sample-threads.ts starts it): samples the chunks of lines
 * it is sent (sample-chunk.ts), and at the end sends back what it holds and what it counted, to
 * be merged with the other threads'.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ResultsIndex } from "./batch-index.ts";
import type { LogFormat } from "./detect.ts";
import { count, newStats } from "./read-log.ts";
import { ChunkSampler } from "./sample-chunk.ts";
import type { ThreadMessage, ThreadResult } from "./sample-threads.ts";

const { format, size, seed, results, countResults } = workerData as {
  format: LogFormat;
  size: number;
  seed: number;
  /** A batch log's results file, indexed here before its requests are sampled. */
  results?: string;
  /** Whether this thread counts the results file's skips (one thread does). */
  countResults?: boolean;
};
const resultSkips = newStats();
const index = results
  ? new ResultsIndex(results, format, (reason) => countResults && count(resultSkips, reason), true)
  : undefined;
const chunks = new ChunkSampler(format, size, seed, true, index);
for (const [reason, n] of resultSkips.skipped) count(chunks.stats, reason, n);

parentPort!.postMessage({ type: "ready" });
parentPort!.on("message", (message: ThreadMessage) => {
  if (message.type === "chunk") {
    chunks.sampleChunk(Buffer.from(message.data, 0, message.length), message.seq, message.endsWithNewline);
    // The buffer goes back to be filled again.
    parentPort!.postMessage({ type: "ack", data: message.data }, [message.data]);
    return;
  }
  index?.close();
  const result: ThreadResult = {
    type: "result",
    state: chunks.sampler.state(),
    lines: chunks.stats.lines,
    calls: chunks.stats.calls,
    skipped: [...chunks.stats.skipped],
  };
  parentPort!.postMessage(result);
});
