/**
 * `--shard i/n`: which measured items a shard makes (a hash of the item's key, so adding or
 * reordering cases moves no other case), and how `--shard` values are read and refused.
 */
import { describe, expect, it } from "vitest";
import { planSuite } from "../../src/cli/dry-run.ts";
import { chooseShard } from "../../src/cli/run-command.ts";
import { parseShard, SHARD_INDEX_ENV, ShardSpecError } from "../../src/cli/shard-option.ts";
import type { RunStartEvent } from "../../src/core/records.ts";
import { measuredItemCount, measuredItems, planModel } from "../../src/engine/plan.ts";
import { shardOfItem } from "../../src/engine/shard.ts";
import { tinySuite } from "../helpers/scripted-runner.ts";

const makeCases = (ids: string[]) => ids.map((id) => ({ id, prompt: `p${id}`, expected: id }));
const ids = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `case-${from + i}`);

/** Shard of every measured item of a suite of `caseIds`, by item key. */
function assignment(caseIds: string[], count: number, repeats = 2, models = ["a", "b"]) {
  const suite = tinySuite({ cases: makeCases(caseIds), repeats, models });
  const byKey = new Map<string, number>();
  for (let index = 1; index <= count; index++) {
    for (const model of suite.models) {
      for (const item of measuredItems(suite, model, undefined, { index, count })) {
        expect(byKey.has(item.key), `${item.key} in two shards`).toBe(false);
        byKey.set(item.key, index);
      }
    }
  }
  return byKey;
}

describe("shard assignment", () => {
  it("puts every measured item in exactly one shard, in roughly equal parts", () => {
    const byKey = assignment(ids(500), 4);
    expect(byKey.size).toBe(500 * 2 * 2);
    const sizes = [1, 2, 3, 4].map((i) => [...byKey.values()].filter((s) => s === i).length);
    for (const size of sizes) expect(size).toBeGreaterThan(400); // 500 each expected
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(2000);
  });

  it("keeps every case's shard when cases are added, removed or reordered", () => {
    const before = assignment(ids(200), 5);
    const reordered = ids(200).reverse();
    // 50 new cases in the middle, the first 20 removed, the rest shuffled by a fixed rotation.
    const changed = [...reordered.slice(0, 90), ...ids(50, 1000), ...reordered.slice(90, 180)];
    const after = assignment(changed, 5);
    let compared = 0;
    for (const [key, shard] of after) {
      if (!before.has(key)) continue;
      expect(shard, key).toBe(before.get(key));
      compared++;
    }
    expect(compared).toBe(180 * 2 * 2);
  });

  it("depends on model, repeat and case: the same case lands in different shards across them", () => {
    const suite = tinySuite({ cases: makeCases(ids(50)), repeats: 3, models: ["a", "b"] });
    const shards = new Set<number>();
    for (const model of suite.models) {
      for (const item of measuredItems(suite, model)) {
        if (item.case.id === "case-7") shards.add(shardOfItem(item.key, 8));
      }
    }
    expect(shards.size).toBeGreaterThan(1);
  });

  it("makes every warm-up in every shard, and counts a shard's measured items", () => {
    const suite = tinySuite({ cases: makeCases(ids(40)), warmup: 3 });
    const model = suite.models[0]!;
    const shard = { index: 2, count: 3 };
    const planned = [...planModel(suite, model, undefined, shard)];
    expect(planned.filter((i) => i.warmup)).toHaveLength(3);
    const measured = planned.filter((i) => !i.warmup);
    expect(measured.every((i) => shardOfItem(i.key, 3) === 2)).toBe(true);
    expect(measuredItemCount(suite, model, undefined, shard)).toBe(measured.length);
    expect(measuredItemCount(suite, model, undefined, { index: 1, count: 1 })).toBe(40);
    // Resumed: only what is neither done nor another shard's.
    const done = new Set([measured[0]!.key]);
    expect(measuredItemCount(suite, model, done, shard)).toBe(measured.length - 1);
    // --dry-run --shard plans the shard's calls.
    const [plan] = planSuite(suite, () => ({ locality: "local" }), shard);
    expect(plan).toMatchObject({ calls: measured.length, warmup_calls: 3 });
  });

  it("is the same on every machine and version: fixed keys keep their shard", () => {
    // The first 48 bits of sha256("m|t|0|1") are 0x88a96f5496f5. A change here would move every
    // item of every run, and shards run by different opbench versions could no longer be merged.
    expect([2, 3, 4, 7, 16].map((n) => shardOfItem("m|t|0|1", n))).toEqual([2, 2, 2, 1, 6]);
    expect(shardOfItem("a|t|0|x", 10)).toBe(7);
    expect(shardOfItem("b|t|1|y", 10)).toBe(1);
    expect(shardOfItem("m|t|0|1", 1)).toBe(1);
  });
});

describe("--shard", () => {
  it("reads i/n (from 1) and auto/n from JOB_COMPLETION_INDEX (from 0)", () => {
    expect(parseShard("1/4")).toEqual({ index: 1, count: 4 });
    expect(parseShard(" 4 / 4 ")).toEqual({ index: 4, count: 4 });
    expect(parseShard("1/1")).toEqual({ index: 1, count: 1 });
    expect(parseShard("auto/4", { [SHARD_INDEX_ENV]: "0" })).toEqual({ index: 1, count: 4 });
    expect(parseShard("auto/4", { [SHARD_INDEX_ENV]: "3" })).toEqual({ index: 4, count: 4 });
  });

  it.each([
    ["5/4", {}, "shards are numbered from 1 to 4 (1/4 … 4/4)"],
    ["0/4", {}, "use auto/4"],
    ["0/0", {}, "the number of shards must be at least 1"],
    ["2", {}, "expected i/n"],
    ["a/4", {}, "expected i/n"],
    ["1/b", {}, "whole number ≥ 1"],
    ["1.5/4", {}, "expected i/n"],
    ["1/2/3", {}, "expected i/n"],
    ["auto/4", {}, "JOB_COMPLETION_INDEX is not set"],
    ["auto/4", { [SHARD_INDEX_ENV]: "4" }, "JOB_COMPLETION_INDEX=4 is outside 0 … 3"],
    ["auto/4", { [SHARD_INDEX_ENV]: "x" }, "JOB_COMPLETION_INDEX=x is not a whole number"],
  ])("refuses --shard %s %j", (value, env, message) => {
    expect(() => parseShard(value, env)).toThrow(ShardSpecError);
    expect(() => parseShard(value, env)).toThrow(message);
    expect(() => parseShard(value, env)).toThrow(`--shard ${value}`);
  });

  const start = (shard?: { index: number; count: number }) => ({
    firstStart: { ...(shard && { shard }) } as RunStartEvent,
  });

  it("on --resume keeps the run's shard, and refuses another", () => {
    expect(chooseShard(undefined, start({ index: 2, count: 4 }), "r")).toEqual({ index: 2, count: 4 });
    expect(chooseShard("2/4", start({ index: 2, count: 4 }), "r")).toEqual({ index: 2, count: 4 });
    expect(() => chooseShard("3/4", start({ index: 2, count: 4 }), "r")).toThrow(
      "--resume r is shard 2/4; --shard 3/4 would mix",
    );
    expect(() => chooseShard("1/2", start(), "r")).toThrow("was not started with --shard");
    expect(chooseShard(undefined, start(), "r")).toBeUndefined();
    expect(chooseShard("1/3", undefined)).toEqual({ index: 1, count: 3 });
  });
});
