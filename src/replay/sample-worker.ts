/**
 * A sampling thread of `init --from` (sample-threads.ts starts it): samples the chunks of lines
 * it is sent (sample-chunk.ts), and at the end sends back what it holds and what it counted, to
 * be merged with the other threads'.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { LogFormat } from "./detect.ts";
import { ChunkSampler } from "./sample-chunk.ts";
import type { ThreadMessage, ThreadResult } from "./sample-threads.ts";

const { format, size, seed } = workerData as { format: LogFormat; size: number; seed: number };
const chunks = new ChunkSampler(format, size, seed);

parentPort!.postMessage({ type: "ready" });
parentPort!.on("message", (message: ThreadMessage) => {
  if (message.type === "chunk") {
    chunks.sampleChunk(Buffer.from(message.data, 0, message.length), message.seq, message.endsWithNewline);
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
