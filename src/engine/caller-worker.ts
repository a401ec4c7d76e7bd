/**
 * A caller thread (`--workers N`): makes a model's calls with its own runner — so its own HTTP
 * connection pool and its own clock — and posts each call's events to the main thread, which
 * times, scores and records them as if the runner were its own (see worker-callers.ts).
 */
import { parentPort, workerData } from "node:worker_threads";
import { loadRunners, runnerDefinition } from "../../runners/index.ts";
import type { ModelConfigBase } from "../core/model-config.ts";
import { type GenerationRequest, type RunnerEvent, runCall } from "../core/runner.ts";
import type { CallerMessage, MainMessage, SerializedError } from "./worker-protocol.ts";
import { revivedError, serializedError } from "./worker-protocol.ts";

const { config, mainTimeOrigin } = workerData as { config: ModelConfigBase; mainTimeOrigin: number };
await loadRunners([config.runner]);
const runner = runnerDefinition(config).create(config);
/** This thread's performance.now() + offset = the main thread's performance.now(). */
const offset = performance.timeOrigin - mainTimeOrigin;
const calls = new Map<number, AbortController>();
const port = parentPort!;

const post = (message: CallerMessage) => port.postMessage(message);

async function call(id: number, request: Omit<GenerationRequest, "signal">): Promise<void> {
  const controller = new AbortController();
  calls.set(id, controller);
  // Events of one turn of the loop go in one message; their times are already taken.
  let pending: RunnerEvent[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    post({ type: "events", id, events: pending });
    pending = [];
  };
  try {
    await runCall(runner, { ...request, signal: controller.signal }, (event) => {
      pending.push("t" in event ? { ...event, t: event.t + offset } : event);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
    flush();
    post({ type: "done", id });
  } catch (error) {
    flush();
    const reason = controller.signal.aborted ? controller.signal.reason : error;
    post({ type: "error", id, error: serializedError(reason) });
  } finally {
    calls.delete(id);
  }
}

post({ type: "ready" });

port.on("message", (message: MainMessage) => {
  if (message.type === "call") void call(message.id, message.request);
  else if (message.type === "abort")
    calls.get(message.id)?.abort(revivedError(message.reason as SerializedError));
});
