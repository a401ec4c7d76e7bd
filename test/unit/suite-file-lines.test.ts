/** Reading datasets in chunks: lines across chunk boundaries, split characters, and every byte hashed. */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HELD_ROWS_BYTES, loadDataset } from "../../src/suite/dataset.ts";
import { fileLines } from "../../src/suite/file-lines.ts";

const dir = mkdtempSync(join(tmpdir(), "opbench-lines-"));
/** fileLines's default chunk size. */
const CHUNK = 64 * 1024;

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("fileLines", () => {
  it("splits lines exactly, dropping a BOM, keeping CR and a last line without newline", () => {
    const path = write("small.txt", "\uFEFFa\r\n\nb é\nlast");
    expect([...fileLines(path)]).toEqual(["a\r", "", "b é", "last"]);
  });

  it("joins a line and a multi-byte character that straddle a chunk boundary, and hashes every byte", () => {
    // "€" is 3 bytes; place it so that it starts 1 byte before the first chunk ends.
    const head = "x".repeat(CHUNK - 1);
    // Then a line just over a chunk, and one over twenty chunks.
    const content = `${head}€ tail\nsecond line\n${"y".repeat(CHUNK + 10)}\n${"z".repeat(20 * CHUNK + 3)}\nend`;
    const path = write("big.txt", content);
    const hash = createHash("sha256");
    const lines = [...fileLines(path, { onBytes: (chunk) => hash.update(chunk) })];
    expect(lines).toEqual(content.split("\n"));
    expect(hash.digest("hex")).toBe(createHash("sha256").update(readFileSync(path)).digest("hex"));
  });
});

describe("fileLines checks", () => {
  it("calls check before every chunk and stops the lines where it throws", () => {
    const path = write("checked.txt", `${"c".repeat(100)}\n`.repeat(2000));
    let checks = 0;
    const lines: string[] = [];
    expect(() => {
      for (const line of fileLines(path, {
        check: () => {
          if (++checks === 3) throw new Error("changed");
        },
      }))
        lines.push(line);
    }).toThrow("changed");
    // Two chunks of 64 KiB were read: the lines that ended in them.
    expect(lines.length).toBe(Math.floor((2 * CHUNK) / 101));
  });
});

describe("JSONL datasets read in chunks", () => {
  it("reads a file larger than a chunk row by row, limits the rows but hashes the whole file", async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => ({
      id: i,
      text: `row ${i} ${"z".repeat(i % 50)}`,
    }));
    const path = write("many.jsonl", `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    expect(readFileSync(path).length).toBeGreaterThan(CHUNK);
    const all = await loadDataset("many.jsonl", dir, ["tasks", 0, "dataset"]);
    if (!all.ok) throw new Error("load failed");
    expect(all.dataset.rowCount).toBe(30_000);
    expect([...all.dataset.rows]).toEqual(rows);
    expect(all.dataset.lineOfRow?.(29_999)).toBe(30_000);
    const limited = await loadDataset({ path: "many.jsonl", limit: 10 }, dir, ["tasks", 0, "dataset"]);
    if (!limited.ok) throw new Error("load failed");
    expect([...limited.dataset.rows]).toEqual(rows.slice(0, 10));
    expect(limited.dataset.sha256).toBe(createHash("sha256").update(readFileSync(path)).digest("hex"));
  });

  it("keeps the parsed rows of a file up to HELD_ROWS_BYTES, and parses a larger one again on each pass", async () => {
    const row = (i: number) => JSON.stringify({ i, text: "v".repeat(100) });
    const small = write("held.jsonl", `${Array.from({ length: 100 }, (_, i) => row(i)).join("\n")}\n`);
    const count = Math.ceil(HELD_ROWS_BYTES / row(0).length) + 10;
    write("streamed.jsonl", `${Array.from({ length: count }, (_, i) => row(i)).join("\n")}\n`);
    expect(readFileSync(small).length).toBeLessThanOrEqual(HELD_ROWS_BYTES);
    for (const [name, held] of [
      ["held.jsonl", true],
      ["streamed.jsonl", false],
    ] as const) {
      const loaded = await loadDataset(name, dir, ["tasks", 0, "dataset"]);
      if (!loaded.ok) throw new Error("load failed");
      const [first, second] = [[...loaded.dataset.rows], [...loaded.dataset.rows]];
      expect(second).toEqual(first);
      expect(first[5]).toEqual({ i: 5, text: "v".repeat(100) });
      if (held) expect(second[5]).toBe(first[5]);
      else expect(second[5]).not.toBe(first[5]);
    }
  });

  it("refuses to read rows from a file that changed after it was checked", async () => {
    const path = write("changing.jsonl", '{"a": 1}\n{"a": 2}\n');
    const loaded = await loadDataset("changing.jsonl", dir, ["tasks", 0, "dataset"]);
    if (!loaded.ok) throw new Error("load failed");
    writeFileSync(path, '{"a": 1}\n{"a": 3}\n{"a": 4}\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(() => [...loaded.dataset.rows]).toThrow(/changed after the suite was loaded/);
  });

  it("stops a pass that is under way when the file changes under it", async () => {
    // Larger than one of a later pass's 64 KiB chunks, so the change lands between two reads.
    const rows = Array.from({ length: 5000 }, (_, i) => ({ i, text: "w".repeat(40) }));
    const path = write("grows.jsonl", `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const loaded = await loadDataset("grows.jsonl", dir, ["tasks", 0, "dataset"]);
    if (!loaded.ok) throw new Error("load failed");
    const pass = loaded.dataset.rows[Symbol.iterator]();
    expect(pass.next().value).toEqual(rows[0]);
    writeFileSync(path, `${JSON.stringify({ i: -1 })}\n`, { flag: "a" });
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    let read = 1;
    expect(() => {
      while (!pass.next().done) read++;
    }).toThrow(/changed after the suite was loaded/);
    expect(read).toBeLessThan(rows.length);
  });
});
