/** Dataset loading: formats, limits, positions of bad rows, and missing files. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type DatasetResult, type LoadedDataset, loadDataset } from "../../src/suite/dataset.ts";

const AT = ["tasks", 0, "dataset"] as const;
let dir: string;

function write(name: string, content: string): string {
  writeFileSync(join(dir, name), content);
  return name;
}

function loaded(result: DatasetResult): LoadedDataset {
  if (!result.ok) throw new Error(`expected rows, got issues: ${JSON.stringify(result.issues)}`);
  return result.dataset;
}

function issues(result: DatasetResult) {
  if (result.ok) throw new Error("expected issues, got rows");
  return result.issues;
}

describe("loadDataset", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "opbench-dataset-"));
  });

  it("passes inline rows through", async () => {
    const rows = [{ a: 1 }, { a: { nested: true } }];
    expect(loaded(await loadDataset(rows, dir, AT))).toEqual({ rows, rowCount: 2 });
  });

  it("reads CSV with a header, quoted commas and newlines, a BOM, as strings, with row lines", async () => {
    const name = write("a.csv", '\uFEFFq,n\n"a, b",1\n\n"multi\nline",2\nlast,true\n');
    const dataset = loaded(await loadDataset(name, dir, AT));
    expect([...dataset.rows]).toEqual([
      { q: "a, b", n: "1" },
      { q: "multi\nline", n: "2" },
      { q: "last", n: "true" },
    ]);
    expect([0, 1, 2, 3].map((i) => dataset.lineOfRow?.(i))).toEqual([2, 5, 6, undefined]);
    expect(dataset.file).toBe(join(dir, "a.csv"));
    expect(dataset.sha256).toBe(
      createHash("sha256")
        .update(readFileSync(join(dir, "a.csv")))
        .digest("hex"),
    );
  });

  it("applies limit to every format", async () => {
    write("l.csv", "q\n1\n2\n3\n");
    write("l.jsonl", '{"q":1}\n{"q":2}\n{"q":3}\n');
    write("l.json", '[{"q":1},{"q":2},{"q":3}]');
    for (const path of ["l.csv", "l.jsonl", "l.json"]) {
      expect(loaded(await loadDataset({ path, limit: 2 }, dir, AT)).rowCount).toBe(2);
    }
  });

  it("reads JSONL skipping blank lines, CRLF included, keeping value types", async () => {
    const name = write(
      "a.jsonl",
      '{"q": "x", "n": 1, "o": {"k": [true]}}\r\n\r\n  {"q": "y", "n": null}\r\n',
    );
    const dataset = loaded(await loadDataset(name, dir, AT));
    expect([...dataset.rows]).toEqual([
      { q: "x", n: 1, o: { k: [true] } },
      { q: "y", n: null },
    ]);
    expect([0, 1, 2].map((i) => dataset.lineOfRow?.(i))).toEqual([1, 3, undefined]);
    expect(dataset.rowCount).toBe(2);
    // The rows are parsed again on each pass, not held: a second pass reads the same rows.
    expect([...dataset.rows].map((row) => row.q)).toEqual(["x", "y"]);
  });

  it("lets `format` override the extension, and asks for it when the extension says nothing", async () => {
    const name = write("rows.txt", '{"q": 1}\n');
    expect([...loaded(await loadDataset({ path: name, format: "jsonl" }, dir, AT)).rows]).toEqual([{ q: 1 }]);
    const [issue] = issues(await loadDataset(name, dir, AT));
    expect(issue).toMatchObject({ path: AT, at: "value" });
    expect(issue!.message).toContain("cannot tell the format");
  });

  it("points at the `path` value of an object dataset whose file is missing", async () => {
    const [issue] = issues(await loadDataset({ path: "gone.jsonl" }, dir, AT));
    expect(issue).toEqual({
      path: [...AT, "path"],
      at: "value",
      message: `dataset file not found: ${join(dir, "gone.jsonl")}`,
      expected: "an existing file",
    });
  });

  it("reports JSON syntax errors at their line and column in the file", async () => {
    const name = write("bad.json", '[\n  {"q": 1},\n  {"q" 2}\n]');
    const [issue] = issues(await loadDataset(name, dir, AT));
    expect(issue).toMatchObject({ file: join(dir, "bad.json"), line: 3, column: 8 });
    expect(issue!.message).toBe("invalid JSON: Expected ':' after property name");
  });

  it("reports a JSON file that is not an array", async () => {
    const [issue] = issues(await loadDataset(write("obj.json", '{"q": 1}'), dir, AT));
    expect(issue).toMatchObject({ line: 1, column: 1, message: "expected an array, got an object" });
  });

  it("reports a CSV header with a repeated column", async () => {
    const [issue] = issues(await loadDataset(write("dup.csv", "q,q\n1,2\n"), dir, AT));
    expect(issue!.message).toBe('invalid CSV: header column "q" appears twice');
  });

  it("reports the first ten bad rows of a file and counts the rest", async () => {
    const name = write("many.jsonl", Array.from({ length: 15 }, (_, i) => `not json ${i}`).join("\n"));
    const found = issues(await loadDataset(name, dir, AT));
    expect(found).toHaveLength(11);
    expect(found.slice(0, 10).map((i) => i.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(found[10]).toMatchObject({ line: 11, message: "and 5 more problems in this file" });
  });
});
