/**
 * The transport clock (runners/arrivals.ts): response bytes are timestamped when undici reads
 * them, and requests when undici writes them, not when a busy consumer gets round to them.
 * The server runs in its own process so that blocking this event loop does not hold it up.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { Arrivals, ResponseBody, setReleaseBudgetMs } from "../../runners/arrivals.ts";
import { sendJson } from "../../runners/http.ts";
import { readSse } from "../../runners/sse.ts";
import { type ServerProcess, startServerProcess } from "../../scripts/bench/lib/server-process.ts";

/** Blocks the event loop, as a long synchronous piece of work (or a GC pause) would. */
function busyWait(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

describe("Arrivals", () => {
  it("hands thousands of waiting bodies their bytes in order, one a turn, none lost (the queue compacted)", async () => {
    const last = setReleaseBudgetMs(0); // one body a turn: the queue's released head grows past its half
    onTestFinished(() => {
      setReleaseBudgetMs(last);
    });
    const bodies = Array.from({ length: 3000 }, () => new ResponseBody());
    const order: number[] = [];
    const reads = bodies.map(async (body, i) => {
      let text = "";
      for await (const chunk of body) text += Buffer.from(chunk).toString("utf8");
      order.push(i);
      return text;
    });
    bodies.forEach((body, i) => {
      body.push(Buffer.from(`body ${i}`));
      body.end();
    });
    const texts = await Promise.all(reads);
    expect(texts).toEqual(bodies.map((_, i) => `body ${i}`));
    expect(order).toEqual(bodies.map((_, i) => i));
  });

  it("maps a count of consumed bytes to the arrival of the chunk that completed them", () => {
    const arrivals = new Arrivals();
    const t0 = performance.now();
    expect(arrivals.timeOf(1)).toBeGreaterThanOrEqual(t0); // nothing noted: now
    arrivals.note(10);
    busyWait(5);
    arrivals.note(5);
    busyWait(5);
    arrivals.note(20);
    expect(arrivals.received).toBe(35);
    // Consumers ask in increasing order, as they read.
    const a = arrivals.timeOf(4);
    expect(arrivals.timeOf(10)).toBe(a); // still the first chunk
    const b = arrivals.timeOf(15);
    const c = arrivals.timeOf(16);
    expect(b).toBeGreaterThanOrEqual(a + 4); // bytes 11–15: the second chunk
    expect(c).toBeGreaterThanOrEqual(b + 4); // byte 16: the third
    expect(arrivals.timeOf(35)).toBe(c);
    expect(arrivals.timeOf(99)).toBe(c); // past the end: the last arrival
  });
});

describe("the clocked transport", () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // One content chunk 150 ms after each request arrives.
    server = await startServerProcess({ ttftMs: 150, chunkGapMs: 1, chunks: 1 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const post = () =>
    sendJson(
      `${server.url}/v1/chat/completions`,
      { messages: [{ role: "user", content: "case=x hi" }], stream: true, max_tokens: 4 },
      { signal: new AbortController().signal },
    );

  /** Reads a stream's first batch of events, then works (blocks) for `work` ms: when it had the bytes, and their time. */
  const firstBatch = async (stream: Awaited<ReturnType<typeof post>>, work: number) => {
    for await (const batch of readSse(stream.response.body, new AbortController().signal, stream.arrivals)) {
      const seen = performance.now();
      busyWait(work);
      return { t: batch.t, seen };
    }
    throw new Error("no event");
  };

  it("times each stream's bytes when they are read, not after another consumer's work", async () => {
    const [a, b] = await Promise.all([post(), post()]);
    // Both first chunks are written while this loop is blocked, so both sockets are readable
    // when it polls again; then the first consumer works for 80 ms before the second runs.
    // (600 ms: the server, 150 ms after each request, gets its writes out in time even on a
    // machine busy with other tests.)
    await new Promise((resolve) => setTimeout(resolve, 20));
    busyWait(600);
    const [first, second] = await Promise.all([firstBatch(a, 80), firstBatch(b, 0)]);
    const [early, late] = first.seen < second.seen ? [first, second] : [second, first];
    // The second consumer really did get its bytes after the first one's 80 ms of work …
    expect(late.seen - early.seen).toBeGreaterThanOrEqual(75);
    // … yet both chunks carry the time they were read, in the same poll of the event loop.
    expect(Math.abs(late.t - early.t)).toBeLessThan(20);
    expect(early.t).toBeLessThanOrEqual(early.seen);
  });

  it("reads the sockets again between one reader's work and the next's", async () => {
    await server.setScript({ ttftMs: 400 });
    try {
      const [a, b] = await Promise.all([post(), post()]); // first chunks 400 ms after arrival
      await server.setScript({ ttftMs: 750 });
      // c's first chunk comes ~130 ms after the loop unblocks: after a and b are read (during the
      // block: no reader had them before), while the first of their readers works. Its headers
      // say the server has c's request (a short sleep did not always see it sent when busy).
      const tPost = performance.now();
      const c = await post();
      busyWait(tPost + 620 - performance.now());
      const [first, second, third] = await Promise.all([
        firstBatch(a, 400),
        firstBatch(b, 400),
        firstBatch(c, 0),
      ]);
      const late = first.seen < second.seen ? second : first;
      // a and b were read in one poll, but the second of their readers got its bytes only after
      // the loop had polled again and read c's (handed over all at once, both readers would have
      // worked their 800 ms before c's socket was read).
      expect(Math.abs(first.t - second.t)).toBeLessThan(20);
      expect(third.t).toBeLessThanOrEqual(late.seen);
      expect(third.t).toBeGreaterThan(Math.min(first.seen, second.seen));
    } finally {
      await server.setScript({ ttftMs: 150 });
    }
  });

  it("hands readers that do little their bytes in the same turn of the loop", async () => {
    // A cold reader alone can take longer than the default budget (0.05 ms) on a busy machine.
    const defaultBudget = setReleaseBudgetMs(50);
    onTestFinished(() => {
      setReleaseBudgetMs(defaultBudget);
    });
    const streams = await Promise.all([post(), post(), post(), post()]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    busyWait(600); // all four first chunks are readable in the next poll
    const order: string[] = [];
    await Promise.all(
      streams.map(async (stream, i) => {
        for await (const _batch of readSse(
          stream.response.body,
          new AbortController().signal,
          stream.arrivals,
        )) {
          // Queued from the check phase, a marker runs in the next turn of the loop.
          if (order.length === 0) setImmediate(() => order.push("next turn"));
          order.push(`reader ${i}`);
          return;
        }
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    // One turn per body would have run the marker before the third reader got its bytes.
    expect(order.slice(0, 4).every((entry) => entry.startsWith("reader"))).toBe(true);
    expect(order[4]).toBe("next turn");
  });

  it("times a request when undici writes it to the connection, not when it was handed over", async () => {
    await (await post()).response.body.text(); // leaves a kept-alive connection to reuse
    const handedOver = performance.now();
    const pending = post();
    busyWait(50); // undici writes to a reused connection only after a turn of the event loop
    const { tSent, response } = await pending;
    await response.body.text();
    expect(tSent).toBeGreaterThanOrEqual(handedOver + 50);
  });

  it("stops the transfer when the reader stops early, and times out a stalled request on abort", async () => {
    await server.truth(true);
    await server.setScript({ ttftMs: 5, chunkGapMs: 50, chunks: 20 });
    try {
      const { response, arrivals } = await post();
      for await (const batch of readSse(response.body, new AbortController().signal, arrivals)) {
        expect(batch.messages.length).toBeGreaterThan(0);
        break; // the first event is enough
      }
      // The server sees its client go away long before its 20 chunks (~1 s) are written.
      const deadline = performance.now() + 2000;
      let truth = await server.truth();
      while (!truth.some((t) => t.aborted) && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        truth = await server.truth();
      }
      expect(truth.filter((t) => t.aborted)).toHaveLength(1);

      const controller = new AbortController();
      const pending = sendJson(
        `${server.url}/v1/chat/completions`,
        { messages: [{ role: "user", content: "case=y hi" }], stream: true, max_tokens: 4 },
        { signal: controller.signal },
      );
      const reading = pending.then(({ response }) => response.body.text());
      setTimeout(() => controller.abort(new Error("timed out")), 100);
      await expect(reading).rejects.toThrow(/timed out/);
    } finally {
      await server.setScript({ ttftMs: 150, chunkGapMs: 1, chunks: 1 });
    }
  });
});
