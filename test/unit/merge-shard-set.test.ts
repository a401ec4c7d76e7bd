/**
 * What `opbench merge` accepts before it reads a record: every shard of one run of one suite,
 * once; and the external sort that keeps its memory flat.
 */
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunStartEvent } from "../../src/core/records.ts";
import { checkShardSet, MergeInputError, type ShardRun } from "../../src/merge/shard-set.ts";
import { ExternalLineSorter, LineReader } from "../../src/merge/sorted-lines.ts";

function shardRun(
  index: number,
  count: number,
  options: { hash?: string; dir?: string; overrides?: Record<string, unknown> } = {},
): ShardRun {
  const start = {
    type: "run_start",
    suite: { name: "s", hash: options.hash ?? "a".repeat(64), overrides: options.overrides ?? {} },
    shard: { index, count },
  } as unknown as RunStartEvent;
  const shown = options.dir ?? `runs/shard-${index}`;
  return { dir: `/abs/${shown}`, shown, start, shard: { index, count } };
}

const refusal = (runs: ShardRun[]): string => {
  try {
    checkShardSet(runs);
  } catch (error) {
    expect(error).toBeInstanceOf(MergeInputError);
    return (error as Error).message;
  }
  throw new Error("checkShardSet accepted the set");
};

describe("checkShardSet", () => {
  it("accepts every shard once, in any order, and returns them by shard number", () => {
    const runs = [3, 1, 4, 2].map((i) => shardRun(i, 4));
    expect(checkShardSet(runs).map((r) => r.shard.index)).toEqual([1, 2, 3, 4]);
    expect(checkShardSet([shardRun(1, 1)])).toHaveLength(1);
  });

  it("refuses shards of different suites, naming each directory, its shard and its suite hash", () => {
    const message = refusal([shardRun(1, 2), shardRun(2, 2, { hash: "b".repeat(64) })]);
    expect(message).toContain("shards of different suites");
    expect(message).toContain(`runs/shard-1 (shard 1/2): suite s, hash ${"a".repeat(12)}`);
    expect(message).toContain(`runs/shard-2 (shard 2/2): suite s, hash ${"b".repeat(12)}`);
  });

  it("refuses shards run with different overrides or numbers of shards", () => {
    expect(refusal([shardRun(1, 2), shardRun(2, 2, { overrides: { limit: 10 } })])).toContain(
      'runs/shard-2 (shard 2/2): {"limit":10}',
    );
    expect(refusal([shardRun(1, 2), shardRun(2, 3)])).toContain("different numbers of shards");
  });

  it("names a shard given twice and the shards missing, together", () => {
    const message = refusal([
      shardRun(1, 4),
      shardRun(2, 4, { dir: "a/two" }),
      shardRun(2, 4, { dir: "b/two" }),
      shardRun(4, 4),
    ]);
    expect(message).toContain("shard 2/4 is given 2 times: a/two, b/two");
    expect(message).toContain("missing shard 3/4 of suite s");
    expect(refusal([shardRun(2, 4)])).toContain("missing shards 1/4, 3/4, 4/4");
  });
});

describe("ExternalLineSorter", () => {
  it("sorts past its memory budget through sorted chunks on disk, and removes them", async () => {
    const tmp = join(mkdtempSync(join(tmpdir(), "opbench-sort-")), "chunks");
    const sorter = new ExternalLineSorter(tmp, 2_000);
    const keys = Array.from({ length: 3_000 }, (_, i) => String((i * 7919) % 3_000).padStart(6, "0"));
    for (const key of keys) sorter.add(key, `{"line":${Number(key)},"text":"with\\ttab"}`);
    expect(sorter.spilled).toBeGreaterThan(10);
    expect(readdirSync(tmp).length).toBe(sorter.spilled);
    const lines: string[] = [];
    for await (const line of sorter.sorted()) lines.push(line);
    expect(lines).toEqual(Array.from({ length: 3_000 }, (_, i) => `{"line":${i},"text":"with\\ttab"}`));
    sorter.dispose();
    expect(existsSync(tmp)).toBe(false);
  });

  it("sorts in memory when the lines fit", async () => {
    const tmp = join(mkdtempSync(join(tmpdir(), "opbench-sort-")), "chunks");
    const sorter = new ExternalLineSorter(tmp);
    for (const key of ["b", "c", "a"]) sorter.add(key, key.toUpperCase());
    const lines: string[] = [];
    for await (const line of sorter.sorted()) lines.push(line);
    expect(lines).toEqual(["A", "B", "C"]);
    expect(sorter.spilled).toBe(0);
    expect(existsSync(tmp)).toBe(false);
  });
});

describe("LineReader", () => {
  it("reads lines across its 64 KiB reads: characters split between reads, CRLF, no final newline", () => {
    const path = join(mkdtempSync(join(tmpdir(), "opbench-lines-")), "log.jsonl");
    // "é" is 2 bytes in UTF-8: the first line ends one byte into the second 64 KiB read.
    const long = `${"a".repeat(65_535)}é${"b".repeat(10)}`;
    writeFileSync(path, `${long}\r\nshort\n\nlast`);
    const reader = new LineReader(path);
    const lines: string[] = [];
    for (let line = reader.read(); line !== undefined; line = reader.read()) lines.push(line);
    reader.close();
    expect(lines).toEqual([long, "short", "", "last"]);
  });
});
