/**
 * `sql_execution` on real SQLite (node:sqlite in its child processes): queries right and wrong
 * on seeded synthetic fillings of a schema and on a .sqlite file, result comparison rules,
 * refused writes, a runaway query stopped and its process replaced, the gold query failing.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import type { ScoreResult } from "../../src/core/scorer.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { sqlExecutionScorer } from "../../src/scoring/sql-execution.ts";
import { sqlPool } from "../../src/scoring/sql-pool.ts";
import { extractQuery, orderByColumns, ordersAtTopLevel, queryLiterals } from "../../src/scoring/sql-text.ts";
import { SuiteError } from "../../src/suite/errors.ts";
import { INLINE_SOURCE, loadSuiteText } from "../../src/suite/load.ts";

const SCHEMA = `
CREATE TABLE singer (
  Singer_ID NUMERIC, Name TEXT, Country TEXT, Age NUMERIC, PRIMARY KEY (Singer_ID)
);
CREATE TABLE concert (
  concert_ID NUMERIC, concert_Name TEXT, Year TEXT, PRIMARY KEY (concert_ID)
);
CREATE TABLE singer_in_concert (
  concert_ID NUMERIC, Singer_ID TEXT, PRIMARY KEY (concert_ID, Singer_ID),
  FOREIGN KEY (Singer_ID) REFERENCES singer(Singer_ID),
  FOREIGN KEY (concert_ID) REFERENCES concert(concert_ID)
);`;

const row = { db: "concert", schema: SCHEMA };

function scorer(options: Record<string, unknown> = {}) {
  return createScorer({ type: "sql_execution", schema: "{{schema}}", ...options } as never, {
    baseDir: tmpdir(),
  });
}

async function score(
  output: string,
  expected: string,
  options: Record<string, unknown> = {},
): Promise<ScoreResult> {
  return scorer(options).score({ output, expected, row });
}

describe("sql_execution on synthetic fillings", () => {
  it("scores a correct query 1, also written another way, and says what it compared", async () => {
    const gold = "SELECT count(*) FROM singer WHERE country = 'France'";
    const same = await score(gold, gold);
    expect(same).toEqual({ score: 1, reason: expect.stringMatching(/^same 1 rows on 3 databases$/) });
    const rewritten = await score(
      'SELECT COUNT(Singer_ID) FROM singer AS s WHERE s.Country = "France"',
      gold,
    );
    expect(rewritten.score).toBe(1);
    const join = await score(
      "SELECT T1.Name FROM singer AS T1 JOIN singer_in_concert AS T2 ON T1.Singer_ID = T2.Singer_ID",
      "SELECT s.name FROM singer_in_concert AS c, singer AS s WHERE c.singer_id = s.singer_id",
    );
    expect(join.score, join.reason).toBe(1);
    expect(join.reason).not.toContain("weak");
  });

  it("tells wrong queries apart on the fillings: a wrong bound, a missing DISTINCT, a wrong join", async () => {
    const bound = await score(
      "SELECT name FROM singer WHERE age >= 30",
      "SELECT name FROM singer WHERE age > 30",
    );
    expect(bound.score).toBe(0);
    expect(bound.reason).toMatch(/rows vs gold|not in gold/);
    const distinct = await score("SELECT country FROM singer", "SELECT DISTINCT country FROM singer");
    expect(distinct).toEqual({
      score: 0,
      reason: expect.stringMatching(/\d+ rows vs gold \d+ on filling \d/),
    });
    const joined = await score(
      "SELECT count(*) FROM singer_in_concert",
      "SELECT count(*) FROM singer_in_concert AS c JOIN singer AS s ON c.Singer_ID = s.Singer_ID WHERE s.Age > 20",
    );
    expect(joined.score).toBe(0);
  });

  it("ignores column order by default and compares by position with column_order: strict", async () => {
    const gold = "SELECT name, age FROM singer";
    expect((await score("SELECT age, name FROM singer", gold)).score).toBe(1);
    const strict = await score("SELECT age, name FROM singer", gold, { column_order: "strict" });
    expect(strict.score).toBe(0);
    expect(strict.reason).toMatch(/not in gold/);
    expect((await score("SELECT name FROM singer", gold)).reason).toBe("1 columns vs gold 2 on filling 1");
  });

  it("compares in order only when the gold query orders at the top level", async () => {
    const ordered = "SELECT name FROM singer ORDER BY age DESC, name";
    expect((await score("SELECT name FROM singer ORDER BY age DESC, name", ordered)).reason).toMatch(
      /in order/,
    );
    const reversed = await score("SELECT name FROM singer ORDER BY age ASC, name", ordered);
    expect(reversed).toEqual({ score: 0, reason: expect.stringMatching(/^row \d+ is .*, gold has /) });
    // No top-level ORDER BY in the gold query (only in its subquery): any order is right.
    const unordered = "SELECT name FROM singer WHERE age IN (SELECT age FROM singer ORDER BY age LIMIT 3)";
    expect(ordersAtTopLevel(unordered)).toBe(false);
    const sorted = await score(
      "SELECT name FROM singer WHERE age IN (SELECT age FROM singer ORDER BY age LIMIT 3) ORDER BY name DESC",
      unordered,
    );
    expect(sorted.score).toBe(1);
  });

  it("gives the columns gold orders by distinct values, so a LIMIT keeps no arbitrary tied row", async () => {
    expect(orderByColumns('SELECT a FROM t AS T1 ORDER BY T1.Age DESC, count(*), "Name" LIMIT 1')).toEqual([
      "age",
      "name",
    ]);
    // Equal only when the oldest singer is one: ties on age would give 2 rows vs gold 1.
    for (const seed of [0, 1, 2]) {
      const result = await score(
        "SELECT name FROM singer WHERE age = (SELECT max(age) FROM singer)",
        "SELECT name FROM singer ORDER BY age DESC LIMIT 1",
        { seed },
      );
      expect(result.score, result.reason).toBe(1);
    }
  });

  it("scores a syntax error or an unknown column 0 with SQLite's message", async () => {
    const syntax = await score("SELEC name FROM singer", "SELECT name FROM singer");
    expect(syntax).toEqual({ score: 0, reason: expect.stringContaining("SELEC") });
    const column = await score("SELECT nickname FROM singer", "SELECT name FROM singer");
    expect(column).toEqual({ score: 0, reason: "error on filling 1: no such column: nickname" });
  });

  it("refuses writes, ATTACH and PRAGMA unrun, and a write hidden behind WITH fails read-only", async () => {
    const gold = "SELECT count(*) FROM singer";
    for (const attempt of [
      "INSERT INTO singer VALUES (99, 'x', 'y', 1)",
      "DROP TABLE singer",
      "ATTACH DATABASE '/tmp/opbench-attack.db' AS a",
      "PRAGMA writable_schema = 1",
      "UPDATE singer SET age = 0",
    ]) {
      const result = await score(attempt, gold);
      expect(result.score, attempt).toBe(0);
      expect(result.reason).toMatch(
        /^refused, not a query: it starts with (INSERT|DROP|ATTACH|PRAGMA|UPDATE)$/,
      );
    }
    const hidden = await score("WITH x AS (SELECT 1) DELETE FROM singer", gold);
    expect(hidden.score).toBe(0);
    expect(hidden.reason).toMatch(/^error on filling 1: .*(readonly|not authorized)/);
    // The statement after a `;` is never run, and the databases still hold their rows.
    expect((await score("SELECT count(*) FROM singer; DELETE FROM singer", gold)).score).toBe(1);
    const counts = await score("SELECT count(*) + 0 FROM singer", gold);
    expect(counts.score).toBe(1);
  });

  it("stops a runaway query at timeout_ms, replaces its process, and scores the next case", async () => {
    const pool = sqlPool();
    const runaway = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    const warm = await score("SELECT 1", "SELECT 1", { timeout_ms: 300 });
    expect(warm.score).toBe(1);
    const before = pool.started;
    const result = await score(runaway, "SELECT count(*) FROM singer", { timeout_ms: 300 });
    expect(result).toEqual({
      score: 0,
      reason: "the query timed out after 300 ms (its worker was replaced) on filling 1",
    });
    const next = await score("SELECT count(*) FROM singer", "SELECT count(*) FROM singer", {
      timeout_ms: 300,
    });
    expect(next.score).toBe(1);
    expect(pool.started).toBeGreaterThan(before);
  });

  it("plants the gold query's Unicode literals and compares them exactly", async () => {
    const gold = "SELECT name FROM singer WHERE country = 'Zürich 😀 東京'";
    const right = await score("SELECT Name FROM singer WHERE Country = 'Zürich 😀 東京'", gold);
    expect(right.score).toBe(1);
    expect(right.reason).not.toContain("weak");
    expect((await score("SELECT name FROM singer WHERE country = 'Zurich 😀 東京'", gold)).score).toBe(0);
  });

  it("gives null when the gold query fails or the row lacks the schema", async () => {
    const gold = await score("SELECT name FROM singer", "SELECT name FROM singers");
    expect(gold).toEqual({
      score: null,
      reason: "the gold query fails on filling 1: no such table: singers",
    });
    const missing = await scorer().score({ output: "SELECT 1", expected: "SELECT 1", row: { db: "x" } });
    expect(missing).toEqual({ score: null, reason: "the case's row has no `schema` for {{schema}}" });
    expect(await scorer().score({ output: "SELECT 1", expected: undefined, row })).toEqual({
      score: null,
      reason: "no expected answer",
    });
  });

  it("is deterministic for a seed, and another seed fills other rows", async () => {
    const gold = "SELECT name FROM singer WHERE age > 30";
    const wrong = "SELECT name FROM singer WHERE age > 31";
    const a = await score(wrong, gold, { seed: 7 });
    const b = await score(wrong, gold, { seed: 7 });
    expect(b).toEqual(a);
    const reasons = new Set<string>();
    for (const seed of [1, 2, 3, 4]) reasons.add((await score(gold, gold, { seed, fillings: 1 })).reason);
    expect(reasons.size).toBeGreaterThan(1);
  });
});

describe("sql_execution on a .sqlite file", () => {
  const dir = mkdtempSync(join(tmpdir(), "opbench-sql-"));
  const path = join(dir, "shop.sqlite");
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT, price REAL)");
  db.exec("INSERT INTO item (name, price) VALUES ('pen', 1.5), ('ink', 7.25), ('pad', 3), ('pen', 1.5)");
  db.close();
  const fileScorer = createScorer({ type: "sql_execution", database: "{{db}}.sqlite" } as never, {
    baseDir: dir,
  });
  const digest = () => createHash("sha256").update(readFileSync(path)).digest("hex");

  it("runs both queries on the file, read-only, and leaves it unchanged", async () => {
    const before = digest();
    const right = await fileScorer.score({
      output: "```sql\nSELECT name FROM item WHERE price > 2\n```",
      expected: "SELECT name FROM item WHERE price > 2.0",
      row: { db: "shop" },
    });
    expect(right).toEqual({ score: 1, reason: "same 2 rows on the database" });
    const wrong = await fileScorer.score({
      output: "SELECT DISTINCT name FROM item",
      expected: "SELECT name FROM item",
      row: { db: "shop" },
    });
    expect(wrong).toEqual({ score: 0, reason: "3 rows vs gold 4" });
    const write = await fileScorer.score({
      output: "WITH d AS (SELECT 1) DELETE FROM item",
      expected: "SELECT name FROM item",
      row: { db: "shop" },
    });
    expect(write.score).toBe(0);
    expect(digest()).toBe(before);
    const absent = await fileScorer.score({ output: "SELECT 1", expected: "SELECT 1", row: { db: "none" } });
    expect(absent).toEqual({ score: null, reason: `database file not found: ${join(dir, "none.sqlite")}` });
    expect(fileScorer.readsRow).toBe(true);
  });
});

describe("sql_execution on a schema file", () => {
  it("reads the CREATE TABLE file the row names, relative to the suite", async () => {
    const dir = mkdtempSync(join(tmpdir(), "opbench-sql-schema-"));
    writeFileSync(join(dir, "concert.sql"), SCHEMA);
    const fromFile = createScorer({ type: "sql_execution", schema_file: "{{db}}.sql" } as never, {
      baseDir: dir,
    });
    const gold = "SELECT DISTINCT country FROM singer";
    expect(await fromFile.score({ output: gold, expected: gold, row })).toMatchObject({ score: 1 });
    // The same schema, seed and gold literals as the inline `schema`: the same fillings.
    const wrong = "SELECT country FROM singer";
    expect(await fromFile.score({ output: wrong, expected: gold, row })).toEqual(await score(wrong, gold));
    expect(await fromFile.score({ output: gold, expected: gold, row: { db: "nope" } })).toEqual({
      score: null,
      reason: `schema file not found: ${join(dir, "nope.sql")}`,
    });
  });
});

describe("reading SQL", () => {
  it("takes the query from a fence, after a label, or from chatty output, up to its first statement", () => {
    expect(extractQuery("```sql\nSELECT a FROM t;\n```\nThis selects a.")).toBe("SELECT a FROM t");
    expect(extractQuery("SQL: select a from t")).toBe("select a from t");
    expect(extractQuery("Here is the query:\nSELECT a\nFROM t; -- done")).toBe("SELECT a\nFROM t");
    expect(extractQuery("SELECT ';' FROM t; DROP TABLE t")).toBe("SELECT ';' FROM t");
    expect(extractQuery("```\nWITH x AS (SELECT 1) SELECT * FROM x")).toBe(
      "WITH x AS (SELECT 1) SELECT * FROM x",
    );
    expect(extractQuery("I cannot answer that.")).toBe("I cannot answer that.");
  });

  it("finds the gold query's literals, not its LIMIT", () => {
    expect(queryLiterals(`SELECT * FROM t WHERE a = 'it''s' AND b > 3.5 AND c LIKE "%x%" LIMIT 10`)).toEqual({
      strings: ["it's", "%x%"],
      numbers: [3.5],
    });
  });

  it("reports bad options in a suite before any call, at their line and column", async () => {
    const issues = async (scorer: string) => {
      const text = [
        "name: s",
        'models: [{ id: m, runner: llamacpp, url: "http://127.0.0.1:9" }]',
        "tasks:",
        "  - id: t",
        '    prompt: "{{q}}"',
        "    dataset: [{ q: x, expected: SELECT 1 }]",
        "    scorers:",
        `      - ${scorer}`,
      ].join("\n");
      const error = await loadSuiteText(text, INLINE_SOURCE).then(
        () => expect.unreachable("loaded"),
        (e: unknown) => e as SuiteError,
      );
      expect(error).toBeInstanceOf(SuiteError);
      return error.issues.map((i) => `${i.line}:${i.column} ${i.key}: ${i.message}`);
    };
    expect(
      await issues("{ type: sql_execution, schema: 'CREATE TABLE t (a INT);', database: x.sqlite }"),
    ).toEqual([
      expect.stringMatching(/^8:40 tasks\[0\]\.scorers\[0\]\.schema: both `database` and `schema` are set/),
    ]);
    expect(await issues("{ type: sql_execution, schema: 'CREATE TABLE t (a INT);', timeout_ms: 0 }")).toEqual(
      [expect.stringMatching(/^8:\d+ tasks\[0\]\.scorers\[0\]\.timeout_ms: /)],
    );
  });

  it("checks the config: one database source, fillings only with a schema", () => {
    const check = sqlExecutionScorer.check!;
    expect(check({ type: "sql_execution" }, { baseDir: "." })).toEqual([
      expect.objectContaining({ message: "the scorer has no database" }),
    ]);
    expect(check({ type: "sql_execution", schema: "x", database: "y" }, { baseDir: "." })).toEqual([
      expect.objectContaining({ field: "schema", message: "both `database` and `schema` are set" }),
    ]);
    expect(check({ type: "sql_execution", database: "y", fillings: 2 }, { baseDir: "." })[0]?.field).toBe(
      "fillings",
    );
  });
});
