import { describe, expect, it } from "vitest";
import { CaseTable, someExpected } from "../src/suite/case-table.ts";
import type { Case } from "../src/suite/resolved.ts";

const sample: Case[] = [
  { id: "1", prompt: "plain" },
  { id: "é-2", prompt: "ünïcödé 😀 and 中文", system: "sys", expected: "", cluster: "k" },
  { id: "3", prompt: "", expected: "gold" },
];

describe("CaseTable", () => {
  it("gives back every case as it was packed: optional fields, empty strings and non-ASCII text", () => {
    const table = CaseTable.from(sample);
    expect(table).toHaveLength(3);
    expect([...table]).toEqual(sample);
    expect(table.at(1)).toEqual(sample[1]);
    expect(table.at(-1)).toEqual(sample[2]);
    expect(table.at(3)).toBeUndefined();
    expect(table.at(-4)).toBeUndefined();
  });

  it("grows past its first buffer and offset arrays without losing a case", () => {
    const many = Array.from(
      { length: 5000 },
      (_, i): Case => ({
        id: `c${i}`,
        prompt: `${"x".repeat(i % 97)} prompt ${i} ✓`,
        ...(i % 3 === 0 && { expected: `e${i}` }),
      }),
    );
    const table = CaseTable.from(many);
    expect(table).toHaveLength(5000);
    expect(table.at(4999)).toEqual(many[4999]);
    expect([...table]).toEqual(many);
    expect(table.textBytes).toBe(
      many.reduce((n, c) => n + Buffer.byteLength(c.id + c.prompt + (c.expected ?? "")), 0),
    );
  });

  it("slices like an array, sharing the storage", () => {
    const table = CaseTable.from(sample);
    for (const [start, end] of [
      [0, 2],
      [1, undefined],
      [-2, -1],
      [5, 9],
      [2, 1],
    ] as const) {
      expect([...table.slice(start, end)]).toEqual(sample.slice(start, end));
    }
    expect([...table.slice(1).slice(1)]).toEqual(sample.slice(2));
    expect(table.slice(1).at(0)).toEqual(sample[1]);
  });

  it("tells whether any case has a gold answer, for tables and plain arrays", () => {
    expect(someExpected(CaseTable.from(sample))).toBe(true);
    expect(someExpected(CaseTable.from(sample).slice(0, 1))).toBe(false);
    expect(someExpected(sample.slice(0, 1))).toBe(false);
    expect(someExpected(sample)).toBe(true);
    expect(someExpected(CaseTable.from([]))).toBe(false);
  });
});
