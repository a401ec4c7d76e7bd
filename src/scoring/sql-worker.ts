/**
 * The child process of `sql_execution` (started by sql-pool.ts): it builds or opens the case's
 * databases, runs the gold and the generated query on each, and compares the results. A query
 * SQLite cannot interrupt is stopped by killing this process, so before each query it tells the
 * parent what it starts (the parent's timer). Databases are read-only: a file is opened
 * `readOnly`, every database gets `PRAGMA query_only`, and where Node has `setAuthorizer` (24+)
 * only reading is authorised. Built databases are kept for the next case (schema, seed, planted
 * values), the least recently used dropped beyond a few dozen. The process ends with its parent,
 * even in a query (see watchParent).
 */
import { DatabaseSync } from "node:sqlite";
import { Worker } from "node:worker_threads";
import { type QueryResult, resultDifference, type SqlValue } from "./sql-compare.ts";
import { fillDatabase, type PlantedValues } from "./sql-fill.ts";

/** Where a case's databases come from. */
export type DatabaseSource =
  | { kind: "file"; path: string }
  | { kind: "schema"; text: string; seed: number; fillings: number; rows: number; planted: PlantedValues };

export interface SqlJob {
  id: number;
  source: DatabaseSource;
  gold: string;
  generated: string;
  /** The gold query orders its result: rows are compared in order. */
  ordered: boolean;
  strictColumns: boolean;
}

/** What the child sends: the step it starts (for the parent's timer), or the verdict. */
export type SqlWorkerMessage =
  | { id: number; step: "build" | "gold" | "generated"; database: number }
  | { id: number; score: number | null; reason: string };

/** Rows a result may have: more is recorded as an error, not compared. */
const MAX_ROWS = 100_000;
/** Largest string or blob SQLite may make (SQLITE_LIMIT_LENGTH, where node:sqlite sets it). */
const MAX_VALUE_MIB = 16;
/** Largest result kept to compare (text counted at 2 bytes a character, numbers at 8). */
const MAX_RESULT_MIB = 32;
const MIB = 1024 * 1024;
/** Built databases kept per process. */
const CACHE_SIZE = 48;

// SQLite's authorizer action codes that reading needs (sqlite3.h: stable across versions).
const SQLITE_READ = 20;
const SQLITE_SELECT = 21;
const SQLITE_FUNCTION = 31;
const SQLITE_RECURSIVE = 33;
const READING = new Set([SQLITE_READ, SQLITE_SELECT, SQLITE_FUNCTION, SQLITE_RECURSIVE]);

const cache = new Map<string, DatabaseSync[]>();

/**
 * SQLite as the Spider and most text-to-SQL gold queries assume it: "double-quoted" text that
 * names no column is a string; foreign keys are not enforced (the fillings are loaded in any
 * order, and a schema may reference a column that is not a key).
 */
const OPTIONS = { enableDoubleQuotedStringLiterals: true, enableForeignKeyConstraints: false };

/**
 * Caps the values `db` may make: `SELECT zeroblob(1e9)` fails in SQLite instead of filling
 * memory. (`PRAGMA hard_heap_limit` would cap SQLite's whole heap, but Node's SQLite is built
 * without memory accounting, so it is not enforced; the pool watches the process's memory.)
 */
function capValues(db: DatabaseSync): DatabaseSync {
  const limits = (db as DatabaseSync & { limits?: { length: number } }).limits;
  if (limits) limits.length = MAX_VALUE_MIB * MIB;
  return db;
}

/** Makes `db` refuse writes from here on. */
function readOnly(db: DatabaseSync): DatabaseSync {
  db.exec("PRAGMA query_only = ON");
  const withAuthorizer = db as DatabaseSync & { setAuthorizer?: (cb: (action: number) => number) => void };
  withAuthorizer.setAuthorizer?.((action) => (READING.has(action) ? 0 : 1));
  return db;
}

function databases(source: DatabaseSource): DatabaseSync[] {
  const key = JSON.stringify(source);
  const cached = cache.get(key);
  if (cached) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  let built: DatabaseSync[];
  if (source.kind === "file")
    built = [readOnly(capValues(new DatabaseSync(source.path, { ...OPTIONS, readOnly: true })))];
  else {
    built = [];
    for (let filling = 0; filling < source.fillings; filling++) {
      const db = capValues(new DatabaseSync(":memory:", OPTIONS));
      try {
        db.exec(source.text);
      } catch (error) {
        throw new Error(`the schema does not build: ${(error as Error).message}`);
      }
      fillDatabase(db, { seed: source.seed, filling, rows: source.rows, planted: source.planted });
      built.push(readOnly(db));
    }
  }
  cache.set(key, built);
  if (cache.size > CACHE_SIZE) {
    const [oldest, dbs] = cache.entries().next().value as [string, DatabaseSync[]];
    for (const db of dbs) db.close();
    cache.delete(oldest);
  }
  return built;
}

function run(db: DatabaseSync, sql: string): QueryResult {
  const statement = db.prepare(sql);
  statement.setReturnArrays(true);
  statement.setReadBigInts(true);
  const columns = statement.columns().map((c) => c.name);
  const rows: SqlValue[][] = [];
  let bytes = 0;
  for (const row of statement.iterate()) {
    if (rows.length === MAX_ROWS) throw new Error(`more than ${MAX_ROWS} rows`);
    for (const value of row as unknown as SqlValue[]) bytes += sizeOf(value);
    if (bytes > MAX_RESULT_MIB * MIB) throw new Error(`the result is over ${MAX_RESULT_MIB} MiB`);
    rows.push(row as unknown as SqlValue[]);
  }
  return { columns, rows };
}

function sizeOf(value: SqlValue): number {
  if (typeof value === "string") return value.length * 2;
  if (value instanceof Uint8Array) return value.byteLength;
  return 8;
}

function message(error: unknown): string {
  let text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").slice(0, 200);
  if (text === "string or blob too big") text += ` (a value over ${MAX_VALUE_MIB} MiB)`;
  return text;
}

function score(job: SqlJob, send: (m: SqlWorkerMessage) => void): { score: number | null; reason: string } {
  send({ id: job.id, step: "build", database: 0 });
  let dbs: DatabaseSync[];
  try {
    dbs = databases(job.source);
  } catch (error) {
    return { score: null, reason: `no database: ${message(error)}` };
  }
  const where = (i: number) => (dbs.length === 1 ? "" : ` on filling ${i + 1}`);
  const counts: number[] = [];
  for (const [i, db] of dbs.entries()) {
    send({ id: job.id, step: "gold", database: i });
    let gold: QueryResult;
    try {
      gold = run(db, job.gold);
    } catch (error) {
      return { score: null, reason: `the gold query fails${where(i)}: ${message(error)}` };
    }
    send({ id: job.id, step: "generated", database: i });
    let got: QueryResult;
    try {
      got = run(db, job.generated);
    } catch (error) {
      return { score: 0, reason: `error${where(i)}: ${message(error)}` };
    }
    const difference = resultDifference(gold, got, job.ordered, job.strictColumns);
    if (difference !== undefined) return { score: 0, reason: `${difference}${where(i)}` };
    counts.push(gold.rows.length);
  }
  const on = dbs.length === 1 ? "the database" : `${dbs.length} databases`;
  const rows = counts.every((c) => c === counts[0]) ? `${counts[0]}` : counts.join("/");
  const order = job.ordered ? ", in order" : "";
  const weak = counts.every((c) => c === 0) ? " (gold returns no rows: a weak check)" : "";
  return { score: 1, reason: `same ${rows} rows${order} on ${on}${weak}` };
}

/**
 * What the watching thread runs: every 250 ms it reads this process's parent (Linux: /proc; else
 * whether the parent pid still exists) and kills the process once the parent is another.
 */
const PARENT_WATCH = `
const { readFileSync } = require("node:fs");
const { workerData } = require("node:worker_threads");
function parent() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    try { process.kill(workerData.parent, 0); return workerData.parent; } catch { return -1; }
  }
}
setInterval(() => { if (parent() !== workerData.parent) process.kill(process.pid, "SIGKILL"); }, 250);
`;

/**
 * Ends this process when its parent is gone, even mid-query: a parent killed with SIGKILL cannot
 * kill its workers, and a query holds the main thread inside SQLite, where the IPC channel's
 * 'disconnect' is never seen; a thread of its own is not held.
 */
function watchParent(): void {
  const watcher = new Worker(PARENT_WATCH, {
    eval: true,
    workerData: { parent: process.ppid },
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  watcher.unref();
}

watchParent();
process.on("message", (job: SqlJob) => {
  const send = (m: SqlWorkerMessage) => process.send?.(m);
  let result: { score: number | null; reason: string };
  try {
    result = score(job, send);
  } catch (error) {
    result = { score: null, reason: `scoring failed: ${message(error)}` };
  }
  send({ id: job.id, ...result });
});
process.on("disconnect", () => process.exit(0));
