/**
 * Synthetic contents for a schema given as CREATE TABLE text, for `sql_execution`: SQLite itself
 * reads the schema (PRAGMA table_info, foreign_key_list, index_list), then each table gets seeded
 * random rows. Values follow the column's type affinity; foreign keys take their parent's
 * values (parents are filled first); primary and unique keys stay unique; a share of values are
 * NULL, repeated, or copied from an earlier row, and the gold query's literals are planted (a
 * LIKE pattern as a matching text, a number with its neighbours) so its filters select rows and
 * a wrong filter, a missing DISTINCT or a wrong join gives another result. The columns gold
 * orders by get distinct values, so a LIMIT has no tie to break.
 */
import type { DatabaseSync } from "node:sqlite";
import { hashSeed, mulberry32 } from "../stats/prng.ts";

/** Literals of the gold query (see queryLiterals). */
export interface PlantedValues {
  strings: readonly string[];
  numbers: readonly number[];
  /** Columns (lower case) that get distinct values: those the gold query orders by. */
  distinct?: readonly string[];
}

interface Column {
  name: string;
  affinity: "integer" | "real" | "numeric" | "text" | "blob";
  kind: "date" | "datetime" | "year" | "plain";
  notNull: boolean;
  unique: boolean;
  parent?: { table: string; column: string | null };
}

interface Table {
  name: string;
  columns: Column[];
  /** Column sets that must be unique together (composite keys). */
  uniqueSets: string[][];
}

const quoteId = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** SQLite's affinity rules (section 3.1 of "Datatypes In SQLite"). */
function affinity(declared: string): Column["affinity"] {
  const type = declared.toUpperCase();
  if (type.includes("INT")) return "integer";
  if (/CHAR|CLOB|TEXT/.test(type)) return "text";
  if (type === "" || type.includes("BLOB")) return "blob";
  if (/REAL|FLOA|DOUB/.test(type)) return "real";
  return "numeric";
}

function columnKind(name: string, declared: string): Column["kind"] {
  const type = declared.toUpperCase();
  if (type.includes("DATETIME") || type.includes("TIMESTAMP")) return "datetime";
  if (type.includes("DATE") || /date/i.test(name)) return "date";
  if (/year/i.test(name)) return "year";
  return "plain";
}

/** The schema's tables as SQLite reads them, parents before children. */
function readTables(db: DatabaseSync): Table[] {
  const names = (
    db
      .prepare(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
      )
      .all() as { name: string }[]
  ).map((r) => r.name);
  const tables = names.map((name): Table => {
    const info = db.prepare(`PRAGMA table_info(${quoteId(name)})`).all() as {
      name: string;
      type: string;
      notnull: number;
      pk: number;
    }[];
    const keys = db.prepare(`PRAGMA foreign_key_list(${quoteId(name)})`).all() as {
      table: string;
      from: string;
      to: string | null;
    }[];
    const uniqueSets: string[][] = [];
    const pk = info.filter((c) => c.pk > 0).map((c) => c.name);
    if (pk.length > 0) uniqueSets.push(pk);
    for (const index of db.prepare(`PRAGMA index_list(${quoteId(name)})`).all() as {
      name: string;
      unique: number;
    }[]) {
      if (index.unique !== 1) continue;
      const cols = db.prepare(`PRAGMA index_info(${quoteId(index.name)})`).all() as { name: string }[];
      uniqueSets.push(cols.map((c) => c.name));
    }
    const columns = info.map((c): Column => {
      const key = keys.find((k) => k.from === c.name);
      return {
        name: c.name,
        affinity: affinity(c.type),
        kind: columnKind(c.name, c.type),
        notNull: c.notnull === 1 || c.pk > 0,
        unique: uniqueSets.some((set) => set.length === 1 && set[0] === c.name),
        ...(key && { parent: { table: key.table, column: key.to } }),
      };
    });
    return { name, columns, uniqueSets };
  });
  return parentsFirst(tables);
}

/** Tables ordered so that a table's parents come before it (a cycle keeps the schema's order). */
function parentsFirst(tables: Table[]): Table[] {
  const byName = new Map(tables.map((t) => [t.name.toLowerCase(), t]));
  const done = new Set<Table>();
  const visiting = new Set<Table>();
  const ordered: Table[] = [];
  const visit = (table: Table) => {
    if (done.has(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const column of table.columns) {
      const parent = column.parent && byName.get(column.parent.table.toLowerCase());
      if (parent && parent !== table) visit(parent);
    }
    visiting.delete(table);
    done.add(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

const SYLLABLES = [
  "ka",
  "lo",
  "mi",
  "ren",
  "tu",
  "sa",
  "vel",
  "no",
  "ri",
  "dan",
  "e",
  "os",
  "li",
  "ma",
  "tor",
];

/** The random choices of one filling. */
class Dice {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  word(): string {
    const parts = this.int(2, 3);
    let word = "";
    for (let i = 0; i < parts; i++) word += this.pick(SYLLABLES);
    return word[0]!.toUpperCase() + word.slice(1);
  }
}

/** A text matching a LIKE pattern: `%` becomes a word or nothing, `_` a letter. */
function likeInstance(pattern: string, dice: Dice): string {
  return pattern.replace(/[%_]/g, (wildcard) =>
    wildcard === "_" ? "x" : dice.chance(0.5) ? "" : dice.word().toLowerCase(),
  );
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** One filling's value generator for one column. */
function valueFor(
  column: Column,
  rowIndex: number,
  planted: PlantedValues,
  dice: Dice,
  vocabulary: readonly string[],
): unknown {
  const numbers = planted.numbers;
  const low = numbers.length > 0 ? Math.floor(Math.min(...numbers)) - 5 : 1;
  const high = numbers.length > 0 ? Math.ceil(Math.max(...numbers)) + 5 : 100;
  if (column.unique) {
    // The gold query's texts are planted in a text key too (`WHERE code = 'AKO'`), once each.
    const literal = planted.strings[rowIndex];
    if (column.affinity === "text" && literal !== undefined && dice.chance(0.7))
      return likeInstance(literal, dice);
    if (column.affinity === "text") return `${dice.word()} ${rowIndex + 1}`;
    return rowIndex + 1;
  }
  const numeric = column.affinity !== "text" && column.affinity !== "blob";
  if (column.kind === "plain" && planted.distinct?.includes(column.name.toLowerCase())) {
    // Drawn from a range wide enough that ties are rare; no NULL, no planted repeat.
    return numeric ? dice.int(low, high + 100_000) : `${dice.word()} ${dice.word()}`;
  }
  if (!column.notNull && dice.chance(0.05)) return null;
  if (column.kind === "year")
    return numeric
      ? dice.int(2000, 2024)
      : String(dice.pick([...numbers.filter(Number.isInteger), 2010, 2015, 2020]));
  if (column.kind === "date" || column.kind === "datetime") {
    const date = `${dice.int(2000, 2024)}-${pad(dice.int(1, 12))}-${pad(dice.int(1, 28))}`;
    return column.kind === "date" ? date : `${date} ${pad(dice.int(0, 23))}:${pad(dice.int(0, 59))}:00`;
  }
  if (numeric) {
    if (numbers.length > 0 && dice.chance(0.35)) return dice.pick(numbers) + dice.int(-1, 1);
    const value = dice.int(low, high);
    return column.affinity === "real" && dice.chance(0.5) ? value + dice.int(1, 9) / 10 : value;
  }
  if (planted.strings.length > 0 && dice.chance(0.35)) return likeInstance(dice.pick(planted.strings), dice);
  if (numbers.length > 0 && dice.chance(0.1)) return String(dice.pick(numbers));
  return dice.pick(vocabulary);
}

/**
 * Fills the tables of `db` (already holding the schema) with filling number `filling` of
 * `seed`: `rows` rows per table in filling 0, between half and one and a half times that in
 * the others. Deterministic for the same schema, seed, filling, rows and planted values.
 */
export function fillDatabase(
  db: DatabaseSync,
  options: { seed: number; filling: number; rows: number; planted: PlantedValues },
): void {
  const dice = new Dice(hashSeed(options.seed, `filling ${options.filling}`));
  const tables = readTables(db);
  const written = new Map<string, Map<string, unknown[]>>();
  db.exec("BEGIN");
  for (const table of tables) {
    const count =
      options.filling === 0 ? options.rows : Math.max(1, Math.round(options.rows * (0.5 + dice.next())));
    const vocabularies = table.columns.map(() =>
      Array.from({ length: Math.max(3, Math.ceil(count / 2)) }, () => dice.word()),
    );
    const insert = db.prepare(
      `INSERT OR IGNORE INTO ${quoteId(table.name)} (${table.columns.map((c) => quoteId(c.name)).join(", ")}) VALUES (${table.columns.map(() => "?").join(", ")})`,
    );
    const previous: unknown[][] = [];
    for (let r = 0; r < count; r++) {
      const copy = previous.length > 0 && dice.chance(0.15) ? dice.pick(previous) : undefined;
      const row = table.columns.map((column, c) => {
        const distinct = options.planted.distinct?.includes(column.name.toLowerCase()) === true;
        if (copy !== undefined && !column.unique && !distinct) return copy[c];
        const parentValues = column.parent && parentColumnValues(db, written, column.parent, tables);
        // No NULL foreign keys: `NOT IN (SELECT fk …)`, common in gold queries, would select nothing.
        if (parentValues && parentValues.length > 0) return dice.pick(parentValues);
        return valueFor(column, r, options.planted, dice, vocabularies[c]!);
      });
      previous.push(row);
      insert.run(...(row as (string | number | null)[]));
    }
    written.set(table.name.toLowerCase(), new Map());
  }
  db.exec("COMMIT");
}

/** The values a parent column holds (rows already written), read once per filling. */
function parentColumnValues(
  db: DatabaseSync,
  written: Map<string, Map<string, unknown[]>>,
  parent: { table: string; column: string | null },
  tables: readonly Table[],
): unknown[] | undefined {
  const cache = written.get(parent.table.toLowerCase());
  if (cache === undefined) return undefined;
  const table = tables.find((t) => t.name.toLowerCase() === parent.table.toLowerCase());
  const column = parent.column ?? table?.uniqueSets[0]?.[0];
  if (column === undefined) return undefined;
  let values = cache.get(column);
  if (values === undefined) {
    const rows = db
      .prepare(
        `SELECT ${quoteId(column)} AS v FROM ${quoteId(parent.table)} WHERE ${quoteId(column)} IS NOT NULL`,
      )
      .all() as { v: unknown }[];
    values = rows.map((row) => row.v);
    cache.set(column, values);
  }
  return values;
}
