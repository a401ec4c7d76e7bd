/** The order of a merged log: an unsharded run's with one call in flight, whatever the shards' order. */
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../src/core/records.ts";
import { MergeOrder } from "../../src/merge/merge-order.ts";
import type { SuiteDescription } from "../../src/suite/describe.ts";
import { call, description, localEnergy } from "../helpers/summary-log.ts";

const suite: SuiteDescription = {
  ...description,
  tasks: [description.tasks[0]!, { ...description.tasks[0]!, id: "u" }],
};

describe("MergeOrder", () => {
  it("orders per model: starts, warm-ups, measured calls by repeat, task, case and attempt, then energy", () => {
    const order = new MergeOrder(suite);
    // [event, shard, line], deliberately out of order.
    const events: [string, LogEvent, number, number][] = [
      ["api energy", { ...localEnergy, model: "api" }, 1, 9],
      ["local t r1 c0", call("local", 0, { repeat: 1, item: "local|t|1|1" }), 2, 3],
      ["local u r0 c0", call("local", 0, { task: "u", item: "local|u|0|1" }), 1, 4],
      ["local t r0 c2 a2", call("local", 2, { attempt: 2 }), 2, 5],
      ["local t r0 c2 a1", call("local", 2, { attempt: 1, will_retry: true }), 2, 4],
      ["local t r0 c0", call("local", 0), 3, 7],
      ["local warm-up", call("local", 0, { warmup: true, item: "local|warmup|0" }), 4, 2],
      ["local energy, shard 2", localEnergy, 2, 8],
      ["local energy calls, shard 1", { v: 1, type: "model_energy_calls", model: "local", calls: [] }, 1, 12],
      ["local energy, shard 1", localEnergy, 1, 11],
      [
        "api start",
        { v: 1, type: "model_start", model: "api", runner: "openai", at: "", backend: null },
        1,
        2,
      ],
      [
        "local start",
        { v: 1, type: "model_start", model: "local", runner: "llamacpp", at: "", backend: null },
        3,
        2,
      ],
      ["api call", call("api", 3), 1, 3],
    ];
    const sorted = events
      .map(([name, event, shard, line]) => ({ name, key: order.key(event, shard, line) }))
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((e) => e.name);
    expect(sorted).toEqual([
      "local start",
      "local warm-up",
      "local t r0 c0",
      "local t r0 c2 a1",
      "local t r0 c2 a2",
      "local u r0 c0",
      "local t r1 c0",
      "local energy, shard 1",
      "local energy calls, shard 1",
      "local energy, shard 2",
      "api start",
      "api call",
      "api energy",
    ]);
  });
});
