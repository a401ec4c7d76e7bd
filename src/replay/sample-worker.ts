/**
 * A sampling thread of `init --from` (sample-threads.ts starts it): samples the chunks of lines
 * it is sent (sample-chunk.ts; a batch log's request lines are kept by their keys until its
 * results index comes), and at the end sends back what it holds and what it counted, to be
 * merged with the other threads'.
 */
import { parentPort, workerData } from "node:worker_threads";
import { DeferredRequests } from "./batch-deferred.ts";
import { ResultsIndex } from "./batch-index.ts";
import type { LogFormat } from "./detect.ts";
import { ChunkSampler } from "./sample-chunk.ts";
import type { ThreadMessage, ThreadResult } from "./sample-threads.ts";

const { format, size, seed, requests, results } = workerData as {
  format: LogFormat;
  size: number;
  seed: number;
  /**
   * A batch log's requests file (its lines come as chunks) and results file (its index comes as a
   * message): descriptors the starting thread opened and closes, also when this thread is
   * terminated before it could close anything.
   */
  requests?: number;
  results?: number;
};
const chunks = new ChunkSampler(format, size, seed);
if (requests !== undefined) chunks.deferUntilResults(requests);
let index: ResultsIndex | undefined;

parentPort!.postMessage({ type: "ready" });
parentPort!.on("message", (message: ThreadMessage) => {
  if (message.type === "results") {
    index = ResultsIndex.fromState(results!, format, message.state);
    chunks.setResults(index);
    return;
  }
  if (message.type === "keyed") {
    chunks.joinKeyed(DeferredRequests.fromState(message.lines));
    parentPort!.postMessage({ type: "joined" });
    return;
  }
  if (message.type === "chunk") {
    chunks.sampleChunk(
      Buffer.from(message.data, 0, message.length),
      message.seq,
      message.endsWithNewline,
      message.offset,
    );
    // The buffer goes back to be filled again.
    parentPort!.postMessage({ type: "ack", data: message.data }, [message.data]);
    return;
  }
  const result: ThreadResult = {
    type: "result",
    state: chunks.sampler.state(),
    lines: chunks.stats.lines,
    calls: chunks.stats.calls,
    skipped: [...chunks.stats.skipped],
  };
  parentPort!.postMessage(result);
});
