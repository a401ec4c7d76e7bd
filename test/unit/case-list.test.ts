import { describe, expect, it } from "vitest";
import { type CaseSource, RenderedCases, someExpected } from "../../src/suite/case-list.ts";
import type { DatasetRow } from "../../src/suite/dataset.ts";
import type { Case } from "../../src/suite/resolved.ts";

const rows: DatasetRow[] = [
  { q: "plain" },
  { q: "ünïcödé 😀", gold: "" },
  { q: "third", gold: "g" },
  { q: "fourth" },
];

const render = (row: DatasetRow, rowIndex: number): Case => ({
  id: `c${rowIndex + 1}`,
  prompt: `Q: ${String(row.q)}`,
  ...(typeof row.gold === "string" && { expected: row.gold }),
});
const expected = rows.map((row, i) => render(row, i));

/** A source whose rows come from a fresh iterator each pass (as a JSONL file's do), counting passes. */
function streamed(): CaseSource & { passes: number } {
  const source = {
    passes: 0,
    rows: {
      *[Symbol.iterator]() {
        source.passes++;
        yield* rows.map((row) => ({ ...row }));
      },
    },
    render,
  };
  return source;
}

describe("RenderedCases", () => {
  for (const [name, make] of [
    ["an array of rows", (): CaseSource => ({ rows, render })],
    ["rows streamed afresh on each pass", streamed],
  ] as const) {
    it(`renders every case on each pass, by index and as slices (${name})`, () => {
      const cases = new RenderedCases(make(), rows.length);
      expect(cases).toHaveLength(4);
      expect([...cases]).toEqual(expected);
      expect([...cases]).toEqual(expected);
      expect(cases.at(1)).toEqual(expected[1]);
      expect(cases.at(-1)).toEqual(expected[3]);
      expect(cases.at(0)).toEqual(expected[0]);
      expect(cases.at(4)).toBeUndefined();
      expect(cases.at(-5)).toBeUndefined();
      for (const [start, end] of [
        [0, 2],
        [1, undefined],
        [-2, -1],
        [5, 9],
        [2, 1],
      ] as const) {
        expect([...cases.slice(start, end)]).toEqual(expected.slice(start, end));
      }
      expect([...cases.slice(1).slice(1)]).toEqual(expected.slice(2));
      expect(cases.slice(1).at(0)).toEqual(expected[1]);
      // A case keeps its row's number as its default id in a slice too.
      expect(cases.slice(2).at(0)?.id).toBe("c3");
    });
  }

  it("walks a streamed source forward with one pass, and starts a new pass only to go back", () => {
    const source = streamed();
    const cases = new RenderedCases(source, rows.length);
    expect([0, 1, 2, 3].map((i) => cases.at(i)?.prompt)).toEqual(expected.map((c) => c.prompt));
    expect(source.passes).toBe(1);
    expect(cases.at(3)?.id).toBe("c4");
    expect(source.passes).toBe(2);
    expect(cases.at(0)?.id).toBe("c1");
    expect(source.passes).toBe(3);
  });

  it("says so when the rows run out before the cases the loader counted", () => {
    const cases = new RenderedCases(streamed(), rows.length + 1);
    expect(() => [...cases]).toThrow(/fewer rows than when the suite was loaded \(row 5/);
    expect(() => cases.at(4)).toThrow(/row 5 is gone/);
  });

  it("tells whether any case has a gold answer: from the loader, or by rendering a slice", () => {
    const source = streamed();
    expect(someExpected(new RenderedCases(source, 4, { anyExpected: false }))).toBe(false);
    expect(source.passes).toBe(0);
    const cases = new RenderedCases(source, 4);
    expect(someExpected(cases)).toBe(true);
    expect(someExpected(cases.slice(0, 1))).toBe(false);
    expect(someExpected(cases.slice(1, 2))).toBe(true);
    expect(someExpected(expected.slice(0, 1))).toBe(false);
    expect(someExpected(expected)).toBe(true);
    expect(someExpected(new RenderedCases(source, 0))).toBe(false);
  });
});
