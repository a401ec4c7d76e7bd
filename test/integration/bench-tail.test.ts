/**
 * The tail diagnosis (`npm run bench:tail`): the scripted server's heartbeat says how late its own
 * loop was when a request arrived, and describeTail characterises the worst 1% of calls.
 */
import { request } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TruthRecord } from "../../fixtures/scripted-server/server.ts";
import type { ClientCall } from "../../scripts/bench/lib/accuracy.ts";
import { type ServerProcess, startServerProcess } from "../../scripts/bench/lib/server-process.ts";
import { describeTail } from "../../scripts/bench/lib/tail.ts";

describe("the scripted server's heartbeat", () => {
  let withBeat: ServerProcess;
  let without: ServerProcess;
  const script = { ttftMs: 1, chunkGapMs: 1, chunks: 2 };
  beforeAll(async () => {
    withBeat = await startServerProcess(script, { heartbeat: true });
    without = await startServerProcess(script);
  });
  afterAll(async () => {
    await withBeat?.stop();
    await without?.stop();
  });

  const call = (target: ServerProcess) =>
    request(`${target.url}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ role: "user", content: "case=t hi" }], stream: true }),
    });

  /**
   * One streamed call that reaches the server while its process is stopped for `ms` (as when it
   * is not scheduled), on a kept-alive connection (as in the benchmarks).
   */
  async function callWhileStopped(target: ServerProcess, ms: number): Promise<TruthRecord> {
    await (await call(target)).body.text(); // opens the connection the next call reuses
    await target.truth(true);
    process.kill(target.pid, "SIGSTOP");
    let response: ReturnType<typeof call>;
    try {
      response = call(target);
      await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      process.kill(target.pid, "SIGCONT");
    }
    await (await response).body.text();
    const [record] = await target.truth(true);
    return record!;
  }

  it("records how late the server's own loop was when a request arrived", async () => {
    const stalled = await callWhileStopped(withBeat, 60);
    expect(stalled.loopLateMs).toBeGreaterThanOrEqual(40);
    expect(stalled.arrivedAt).toBeGreaterThan(0);
    expect((await callWhileStopped(without, 60)).loopLateMs).toBeNull();
  });
});

/** A server record: arrived at `at`, first chunk 20 ms later, last at `e2e`, loop `late` ms behind. */
function record(id: number, at: number, e2e: number, late: number | null): TruthRecord {
  return {
    id: `r${id}`,
    case: null,
    stream: true,
    bodyReadMs: 0,
    ttftMs: 20,
    e2eMs: e2e,
    scriptedTtftMs: 20,
    scriptedE2eMs: 100,
    aborted: false,
    arrivedAt: at,
    loopLateMs: late,
  };
}

describe("describeTail", () => {
  it("says where the worst 1% of calls got their error", () => {
    const truth: TruthRecord[] = [];
    const calls: ClientCall[] = [];
    // 195 calls 10 ms apart with 0.2 ms of error, the server on time.
    for (let i = 0; i < 195; i++) {
      truth.push(record(i, i * 10, 100, 0.1));
      calls.push({ key: `r${i}`, e2eMs: 100.2, ttftMs: 20.2 });
    }
    // Five calls whose request waited 6 ms for a late server: the error is there from the start.
    for (let i = 195; i < 200; i++) {
      truth.push(record(i, i * 10, 100, 6));
      calls.push({ key: `r${i}`, e2eMs: 106, ttftMs: 26 });
    }
    // Ten calls the server finished within 5 ms of each other (a burst), with 0.2 ms of error.
    for (let i = 200; i < 210; i++) {
      truth.push(record(i, 5000 + (i - 200) * 0.4, 100, 0.1));
      calls.push({ key: `r${i}`, e2eMs: 100.2, ttftMs: 20.2 });
    }
    const tail = describeTail(calls, truth)!;
    expect(tail.calls).toBe(210);
    expect(tail.e2eErrorP50).toBeCloseTo(0.2);
    expect(tail.e2eErrorP99).toBeGreaterThan(5);
    expect(tail.e2eErrorP99ServerOnTime).toBeCloseTo(0.2);
    expect(tail.serverLateShare).toBeCloseTo(5 / 210);
    expect(tail.worst.calls).toBe(3);
    // The worst were the late server's: their error was all there by the first chunk.
    expect(tail.worst.ttftErrorMedian).toBeCloseTo(6);
    expect(tail.worst.gainedInStreamMedian).toBeCloseTo(0);
    expect(tail.worst.serverLateShare).toBe(1);
    expect(tail.burstMedian).toBe(0);
    const burst = describeTail(calls.slice(200), truth)!;
    expect(burst.burstMedian).toBe(4.5); // of 0..9 others finishing in the 5 ms before each
  });

  it("leaves the server's lateness unknown without a heartbeat, and joins nothing it cannot", () => {
    const truth = [record(1, 0, 100, null), record(2, 10, 100, null)];
    const tail = describeTail(
      [
        { key: "r1", e2eMs: 101, ttftMs: 20.5 },
        { key: "r2", e2eMs: 100.5, ttftMs: 20.5 },
        { key: "unknown", e2eMs: 1, ttftMs: 1 },
      ],
      truth,
    )!;
    expect(tail.calls).toBe(2);
    expect(tail.serverLateShare).toBeNull();
    expect(tail.e2eErrorP99ServerOnTime).toBeNull();
    expect(tail.worst.gainedInStreamMedian).toBeCloseTo(0.5); // r1: 1 ms in all, 0.5 by the first chunk
    expect(describeTail([{ key: "unknown", e2eMs: 1, ttftMs: 1 }], truth)).toBeNull();
  });
});
