/**
 * A sampling thread of `init --from` (sample-threads.ts starts it): parses the lines of the
 * chunks it is sent, samples their calls with its own sampler, and at the end sends back what it
 * holds and what it counted, to be merged with the other threads'.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { LogFormat } from "./detect.ts";
import { newStats } from "./read-log.ts";
import { StratifiedSampler } from "./sample.ts";
import { sampleChunk } from "./sample-chunk.ts";
import type { ThreadMessage, ThreadResult } from "./sample-threads.ts";

const { format, size, seed } = workerData as { format: LogFormat; size: number; seed: number };
const sampler = new StratifiedSampler(size, seed);
const stats = newStats();

parentPort!.postMessage({ type: "ready" });
parentPort!.on("message", (message: ThreadMessage) => {
  if (message.type === "chunk") {
    const data = Buffer.from(message.data, 0, message.length);
    sampleChunk(format, stats, sampler, data, message.seq, message.endsWithNewline);
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
