/**
 * `sql_execution`'s memory limits on real SQLite: a value over the value cap fails inside SQLite,
 * a result over the result cap is not kept, and a query that holds memory past `memory_mb` has
 * its process replaced; each is a 0 score with its reason, and the next case is scored.
 */
import { tmpdir } from "node:os";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import type { ScoreResult } from "../../src/core/scorer.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { sqlExecutionScorer } from "../../src/scoring/sql-execution.ts";

const SCHEMA = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT);";

function score(output: string, options: Record<string, unknown> = {}): Promise<ScoreResult> {
  const scorer = createScorer({ type: "sql_execution", schema: SCHEMA, fillings: 1, ...options } as never, {
    baseDir: tmpdir(),
  });
  return Promise.resolve(scorer.score({ output, expected: "SELECT count(*) FROM t" }));
}

const countsRight = async () => expect((await score("SELECT count(id) FROM t")).score).toBe(1);

/** Node's SQLite takes SQLITE_LIMIT_LENGTH (`db.limits`) from Node 24; older ones rely on the memory watch. */
const valueCap = "limits" in new DatabaseSync(":memory:");
const linux = process.platform === "linux";

describe("sql_execution memory limits", () => {
  it.runIf(valueCap)("fails SELECT zeroblob(1e9) in SQLite, with the reason", async () => {
    expect(await score("SELECT zeroblob(1e9)")).toEqual({
      score: 0,
      reason: "error: string or blob too big (a value over 16 MiB)",
    });
    await countsRight();
  });

  it.runIf(valueCap)("fails a huge recursive CTE folded into one value", async () => {
    // 20,000 rows of 1,000 characters: 20 MB of text in one group_concat.
    const query =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 20000) " +
      "SELECT group_concat(printf('%.1000c', 'x'), '') FROM c";
    expect(await score(query)).toEqual({
      score: 0,
      reason: "error: string or blob too big (a value over 16 MiB)",
    });
  });

  it("does not keep a result over 32 MiB", async () => {
    // Five 8 MiB values: each under the value cap, 40 MiB together.
    const query =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c LIMIT 5) SELECT zeroblob(8388608) FROM c";
    expect(await score(query)).toEqual({ score: 0, reason: "error: the result is over 32 MiB" });
    await countsRight();
  });

  it.runIf(linux)(
    "replaces a process that holds more than memory_mb, and scores the case 0",
    async () => {
      await countsRight();
      // Ten 15 MB blobs held while a subquery runs forever: ~150 MB over the idle process (~90 MB
      // with its TypeScript stripped, more while it builds the databases: the limit leaves room).
      const blobs = Array.from({ length: 10 }, (_, i) => `randomblob(15000000) AS b${i}`).join(", ");
      const query = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT ${blobs}, (SELECT count(*) FROM c)`;
      const result = await score(query, { memory_mb: 160, timeout_ms: 60_000 });
      expect(result).toEqual({
        score: 0,
        reason: "the query used more than 160 MiB of memory (its worker was replaced) on filling 1",
      });
      await countsRight();
    },
    30_000,
  );

  it("takes memory_mb from 32 MiB", () => {
    const config = { type: "sql_execution", schema: SCHEMA };
    expect(sqlExecutionScorer.schema.safeParse({ ...config, memory_mb: 16 }).success).toBe(false);
    expect(sqlExecutionScorer.schema.safeParse({ ...config, memory_mb: 32 }).success).toBe(true);
  });
});
