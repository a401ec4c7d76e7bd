/**
 * Wake-ups at sub-millisecond times for the open loop's arrivals. Node's timers count whole
 * milliseconds on a loop clock read at the start of the loop's turn, so a timer fires up to ~1 ms
 * early or late (the early one re-armed for another whole millisecond); an arrival sent on one is
 * off its Poisson schedule by that much. A helper thread sleeps instead (`Atomics.wait`, which
 * takes fractional milliseconds) and posts a message at the time, which wakes the main loop at
 * once: no CPU spent spinning, a send late only by what the main thread was busy with.
 */
import { Worker } from "node:worker_threads";

/**
 * The helper thread: for each `{at, gen}` (epoch ms, sub-ms), sleeps until then and answers with
 * `gen`, unless the main thread has moved the shared generation on (a sleep abandoned or
 * replaced): that wakes the wait at once, and no answer is sent.
 */
const CLOCK_THREAD = `
const { parentPort, workerData } = require("node:worker_threads");
const generation = new Int32Array(workerData);
parentPort.on("message", ({ at, gen }) => {
  for (;;) {
    if (Atomics.load(generation, 0) !== gen) return;
    const left = at - (performance.timeOrigin + performance.now());
    if (left <= 0) break;
    Atomics.wait(generation, 0, gen, left);
  }
  parentPort.postMessage(gen);
});
`;

/** Sleeps until times on this thread's `performance.now()` clock, one sleep at a time. */
export class PreciseClock {
  private readonly worker: Worker;
  private wake: (() => void) | undefined;
  /** Shared with the thread: the current sleep's number; moving it on cancels the sleep. */
  private readonly generation = new Int32Array(new SharedArrayBuffer(4));
  private failed = false;

  /**
   * A clock whose thread is running: a thread takes tens of milliseconds to start, and an arrival
   * due before then would be sent late by that much. Falls back to timers if the thread fails.
   */
  static async started(): Promise<PreciseClock> {
    const clock = new PreciseClock();
    await new Promise<void>((resolve) => {
      clock.worker.once("online", resolve);
      clock.worker.once("error", () => resolve());
    });
    return clock;
  }

  private constructor() {
    this.worker = new Worker(CLOCK_THREAD, { eval: true, workerData: this.generation.buffer });
    this.worker.unref();
    this.worker.on("message", (gen: number) => {
      if (gen === Atomics.load(this.generation, 0)) this.woken();
    });
    this.worker.on("error", () => {
      this.failed = true;
      this.woken();
    });
  }

  /**
   * Resolves once `performance.now()` ≥ `target` (or at once when `signal` is aborted). Should the
   * thread fail, falls back to the loop's timers.
   */
  async sleepUntil(target: number, signal: AbortSignal): Promise<void> {
    if (target - performance.now() <= 0 || signal.aborted) return;
    if (this.failed) return sleepOnTimers(target, signal);
    const onAbort = () => {
      this.cancel();
      this.woken();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        const gen = this.cancel();
        this.worker.ref(); // the process waits for the wake-up
        this.worker.postMessage({ at: performance.timeOrigin + target, gen });
      });
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    // The two threads' clocks agree to within microseconds; finish on this one's.
    if (!signal.aborted && performance.now() < target) await sleepOnTimers(target, signal);
  }

  close(): Promise<number> {
    this.cancel();
    return this.worker.terminate();
  }

  /** Moves the generation on (waking the thread from any sleep) and returns the new one. */
  private cancel(): number {
    const gen = Atomics.add(this.generation, 0, 1) + 1;
    Atomics.notify(this.generation, 0);
    return gen;
  }

  private woken(): void {
    this.worker.unref();
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Resolves once performance.now() ≥ `target` on the loop's timers (they may fire early: re-arm). */
export async function sleepOnTimers(target: number, signal: AbortSignal): Promise<void> {
  for (;;) {
    const left = target - performance.now();
    if (left <= 0 || signal.aborted) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}
