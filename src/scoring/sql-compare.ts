/**
 * Comparing two query results for `sql_execution`. Rows are compared as multisets (duplicates
 * count), or as sequences when the gold query orders its result. Values compare as SQLite gives
 * them, except that numbers are equal when they agree to 12 significant digits (an average
 * summed in another order) and integers equal the same real (1 = 1.0); text never equals a
 * number. Column order is ignored by default, as in test-suite accuracy (Zhong et al. 2020): the
 * results match when some reordering of the generated query's columns makes them equal.
 */

/** A value as node:sqlite returns it. */
export type SqlValue = number | bigint | string | null | Uint8Array;

/** One result: its column names and its rows (each an array in column order). */
export interface QueryResult {
  columns: string[];
  rows: SqlValue[][];
}

/** A value's comparison key: type-tagged, numbers rounded to 12 significant digits. */
export function valueKey(value: SqlValue): string {
  if (value === null) return "N";
  if (typeof value === "string") return `s${value}`;
  if (typeof value === "bigint") {
    const small = Number(value);
    return Number.isSafeInteger(small) ? `n${small}` : `n${value}`;
  }
  if (typeof value === "number") {
    if (Number.isInteger(value) || !Number.isFinite(value)) return `n${value}`;
    return `n${Number(value.toPrecision(12))}`;
  }
  return `b${Buffer.from(value).toString("hex")}`;
}

/** A value as a reason shows it. */
export function shownValue(value: SqlValue): string {
  if (value === null) return "NULL";
  if (typeof value === "string") return JSON.stringify(value.length > 30 ? `${value.slice(0, 30)}…` : value);
  if (value instanceof Uint8Array) return `x'${Buffer.from(value).toString("hex").slice(0, 16)}'`;
  return String(value);
}

function rowKey(row: readonly SqlValue[], order: readonly number[]): string {
  let key = "";
  for (const column of order) key += `${valueKey(row[column]!)}\u0000`;
  return key;
}

/**
 * Why the generated result differs from the gold one with the generated columns taken in
 * `order`, or undefined when they are the same.
 */
function difference(
  gold: QueryResult,
  got: QueryResult,
  order: readonly number[],
  ordered: boolean,
): string | undefined {
  const identity = gold.columns.map((_, i) => i);
  if (got.rows.length !== gold.rows.length) return `${got.rows.length} rows vs gold ${gold.rows.length}`;
  if (ordered) {
    for (let i = 0; i < gold.rows.length; i++) {
      if (rowKey(gold.rows[i]!, identity) !== rowKey(got.rows[i]!, order))
        return `row ${i + 1} is ${shownRow(got.rows[i]!, order)}, gold has ${shownRow(gold.rows[i]!, identity)}`;
    }
    return undefined;
  }
  const counts = new Map<string, number>();
  for (const row of gold.rows) {
    const key = rowKey(row, identity);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (let i = 0; i < got.rows.length; i++) {
    const key = rowKey(got.rows[i]!, order);
    const left = counts.get(key) ?? 0;
    if (left === 0) {
      const extra = counts.has(key) ? "once more than gold" : "not in gold";
      return `row ${shownRow(got.rows[i]!, order)} ${extra}`;
    }
    counts.set(key, left - 1);
  }
  return undefined;
}

function shownRow(row: readonly SqlValue[], order: readonly number[]): string {
  return `(${order.map((c) => shownValue(row[c]!)).join(", ")})`;
}

/** Column orders tried at most when several columns hold the same values. */
const MAX_ORDERS = 720;

/** The orders of `got`'s columns worth trying: each gold column matched to one holding the same values. */
function candidateOrders(gold: QueryResult, got: QueryResult): number[][] {
  const signature = (result: QueryResult, column: number) =>
    result.rows
      .map((row) => valueKey(row[column]!))
      .sort()
      .join("\u0000");
  const goldSignatures = gold.columns.map((_, c) => signature(gold, c));
  const gotSignatures = got.columns.map((_, c) => signature(got, c));
  const orders: number[][] = [];
  const used = new Set<number>();
  const current: number[] = [];
  const search = (column: number): void => {
    if (orders.length >= MAX_ORDERS) return;
    if (column === goldSignatures.length) {
      orders.push([...current]);
      return;
    }
    for (let candidate = 0; candidate < gotSignatures.length; candidate++) {
      if (used.has(candidate) || gotSignatures[candidate] !== goldSignatures[column]) continue;
      used.add(candidate);
      current.push(candidate);
      search(column + 1);
      current.pop();
      used.delete(candidate);
    }
  };
  search(0);
  return orders;
}

/**
 * Why `got` differs from `gold` (a short phrase), or undefined when they match: the same rows
 * (in the same order when `ordered`), columns by position when `strictColumns`, else under some
 * order of the generated columns.
 */
export function resultDifference(
  gold: QueryResult,
  got: QueryResult,
  ordered: boolean,
  strictColumns: boolean,
): string | undefined {
  if (got.columns.length !== gold.columns.length)
    return `${got.columns.length} columns vs gold ${gold.columns.length}`;
  const identity = gold.columns.map((_, i) => i);
  const direct = difference(gold, got, identity, ordered);
  if (direct === undefined || strictColumns || gold.columns.length < 2) return direct;
  for (const order of candidateOrders(gold, got)) {
    if (difference(gold, got, order, ordered) === undefined) return undefined;
  }
  return direct;
}
