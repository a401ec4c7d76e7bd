/**
 * Dataset rows for a task: inline in the suite, or a JSONL, JSON-array or CSV file relative to
 * the suite file. Problems come back as issue drafts: a missing file at the `dataset` value in
 * the suite, an unparseable row at its line in the data file.
 */
import { createHash } from "node:crypto";
import { readFileSync, type Stats, statSync } from "node:fs";
import { createRequire } from "node:module";
import { extname, resolve } from "node:path";
import type { CsvError as CsvErrorClass } from "csv-parse";
import type { parse as parseCsvSync } from "csv-parse/sync";
import type { IssueDraft } from "./errors.ts";
import { fileLines } from "./file-lines.ts";
import type { DatasetConfig } from "./schema.ts";
import { locatorForText, type PathSegment } from "./yaml-positions.ts";

/** One dataset row: column name → value (CSV values are strings). */
export type DatasetRow = Record<string, unknown>;

export interface LoadedDataset {
  /**
   * The rows in order; iterable more than once. A JSONL file over {@link HELD_ROWS_BYTES} is parsed
   * again on each pass rather than held as objects (see `parseJsonl`).
   */
  rows: Iterable<DatasetRow>;
  rowCount: number;
  /** Absolute path of the data file; absent for inline rows. */
  file?: string;
  /** sha256 (hex) of the data file's bytes, for the suite hash. */
  sha256?: string;
  /** 1-based line in the data file of a row (by 0-based index), where known (JSONL, CSV); for messages. */
  lineOfRow?: (rowIndex: number) => number | undefined;
  /** The rows could not be loaded (that is reported already): resolve the task without cases. */
  unavailable?: boolean;
}

export type DatasetFormat = "jsonl" | "json" | "csv";

export type DatasetResult = { ok: true; dataset: LoadedDataset } | { ok: false; issues: IssueDraft[] };

/** Data-file problems reported per file before the rest are summed up in one line. */
const MAX_FILE_ISSUES = 10;

const FORMAT_BY_EXTENSION: Record<string, DatasetFormat> = {
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
  ".json": "json",
  ".csv": "csv",
};

/**
 * Loads the rows of `config`. `baseDir` is the suite's directory; `path` is where the dataset
 * sits in the suite (e.g. `["tasks", 0, "dataset"]`), for positions.
 */
export async function loadDataset(
  config: DatasetConfig,
  baseDir: string,
  path: readonly PathSegment[],
): Promise<DatasetResult> {
  if (Array.isArray(config)) return { ok: true, dataset: { rows: config, rowCount: config.length } };
  const spec = typeof config === "string" ? { path: config } : config;
  const pathKey = typeof config === "string" ? [...path] : [...path, "path"];
  const file = resolve(baseDir, spec.path);
  const format = spec.format ?? FORMAT_BY_EXTENSION[extname(file).toLowerCase()];
  if (!format) {
    const message = `cannot tell the format of "${spec.path}" from its extension: write {path, format: jsonl | json | csv}`;
    return {
      ok: false,
      issues: [{ path: pathKey, at: "value", message, expected: "a .jsonl, .json or .csv file" }],
    };
  }
  const limit = spec.limit ?? Number.POSITIVE_INFINITY;
  let parsed: Parsed & { sha256: string };
  try {
    parsed =
      format === "jsonl" ? scanJsonlFile(file, path, limit) : parseWholeFile(format, file, path, limit);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined) throw error;
    const message =
      code === "ENOENT"
        ? `dataset file not found: ${file}`
        : `cannot read dataset file ${file}: ${(error as Error).message}`;
    return { ok: false, issues: [{ path: pathKey, at: "value", message, expected: "an existing file" }] };
  }
  if (parsed.issues.length > 0) return { ok: false, issues: capIssues(parsed.issues, path, file) };
  const dataset: LoadedDataset = {
    rows: parsed.rows,
    rowCount: parsed.rowCount,
    file,
    sha256: parsed.sha256,
  };
  if (parsed.lineOfRow) dataset.lineOfRow = parsed.lineOfRow;
  return { ok: true, dataset };
}

/** A JSON array or CSV file: read whole (their parsers need the whole text). */
function parseWholeFile(
  format: "json" | "csv",
  file: string,
  path: readonly PathSegment[],
  limit: number,
): Parsed & { sha256: string } {
  const bytes = readFileSync(file);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const text = new TextDecoder().decode(bytes).replace(/^\uFEFF/, "");
  return { ...PARSERS[format](text, file, path, limit), sha256 };
}

/**
 * A JSONL file, read in chunks (see file-lines.ts): one pass hashes the whole file and checks
 * every row up to `limit`; the rows are parsed again, from the file, each time they are iterated
 * (the run renders its cases from them as it goes). A read of one chunk never holds up the calls
 * being timed; later passes check before every chunk that the file is as it was loaded: a file
 * changed in between is an error rather than other rows.
 */
function scanJsonlFile(
  file: string,
  path: readonly PathSegment[],
  limit: number,
): Parsed & { sha256: string } {
  const hash = createHash("sha256");
  const loaded = statSync(file);
  const unchanged = (stats: Stats) => {
    if (stats.size !== loaded.size || stats.mtimeMs !== loaded.mtimeMs) {
      throw new Error(`dataset file ${file} changed after the suite was loaded`);
    }
  };
  let firstPass = true;
  const lines = () => {
    if (firstPass) {
      firstPass = false;
      return fileLines(file, { onBytes: (chunk) => hash.update(chunk) });
    }
    return fileLines(file, { check: unchanged });
  };
  const hold = loaded.size <= HELD_ROWS_BYTES ? () => unchanged(statSync(file)) : undefined;
  return { ...parseJsonl(lines, file, path, limit, hold), sha256: hash.digest("hex") };
}

/**
 * JSONL files up to this size keep their parsed rows: every later pass (the suite loader's
 * rendering, the run's) would parse each row again, a visible share of a short call's CPU. A
 * larger file is parsed again on each pass, so that a suite's memory does not grow with it.
 */
export const HELD_ROWS_BYTES = 4 * 1024 * 1024;

/** Text of a file between two checks that it is unchanged, as `fileLines` reads it (UTF-16 units here). */
const HELD_CHECK_EVERY = 64 * 1024;

/**
 * Rows kept from the first pass, given out on each pass as a reading of the file would: `check`
 * (throws if the file changed) before the first row and before each row that ends past the next
 * 64 Ki units of text, where `ends[i]` is where row `i`'s line ends. A file changed during the
 * run stops it as it did when each pass read the file.
 */
function heldRows(
  rows: readonly DatasetRow[],
  ends: readonly number[],
  check: () => void,
): Iterable<DatasetRow> {
  return {
    *[Symbol.iterator]() {
      let checkedTo = 0;
      for (let i = 0; i < rows.length; i++) {
        if (i === 0 || ends[i]! >= checkedTo) {
          check();
          checkedTo = (Math.floor(ends[i]! / HELD_CHECK_EVERY) + 1) * HELD_CHECK_EVERY;
        }
        yield rows[i]!;
      }
    },
  };
}

interface Parsed {
  rows: Iterable<DatasetRow>;
  rowCount: number;
  lineOfRow?: (rowIndex: number) => number | undefined;
  issues: IssueDraft[];
}

type Parser = (text: string, file: string, path: readonly PathSegment[], limit: number) => Parsed;

/**
 * JSONL: one JSON object per line; blank lines are skipped; `limit` rows are read. `lines` gives
 * the lines afresh on each call. The first pass parses every line to report problems (and reads
 * to the end, so a hashing source sees the whole file). Without `hold` it keeps no row: `rows`
 * parses them again on each pass, so a large file never exists as one object per row. With
 * `hold` (a check that throws if the file changed) it keeps them, and each pass calls `hold` as
 * often as a reading of the file would check it.
 */
export function parseJsonl(
  lines: () => Iterable<string>,
  file: string,
  path: readonly PathSegment[],
  limit: number,
  hold?: () => void,
): Parsed {
  let rowCount = 0;
  const issues: IssueDraft[] = [];
  let lineNumber = 0;
  const held: DatasetRow[] | undefined = hold ? [] : undefined;
  const heldEnds: number[] = [];
  let position = 0;
  for (const line of lines()) {
    lineNumber++;
    position += line.length + 1;
    if (rowCount + issues.length >= limit || line.trim() === "") continue;
    const at = { path, at: "value" as const, file, line: lineNumber, expected: "a JSON object per line" };
    try {
      const value: unknown = JSON.parse(line);
      if (isRow(value)) {
        rowCount++;
        if (held) {
          held.push(value);
          heldEnds.push(position);
        }
      } else issues.push({ ...at, column: 1, message: `expected a JSON object, got ${kindOf(value)}` });
    } catch (error) {
      const { message, column } = jsonErrorPosition(error as Error);
      const indent = line.length - line.trimStart().length;
      issues.push({ ...at, column: column + indent, message: `invalid JSON: ${message}` });
    }
  }
  const rows: Iterable<DatasetRow> = held
    ? heldRows(held, heldEnds, hold!)
    : {
        *[Symbol.iterator]() {
          let n = 0;
          for (const line of lines()) {
            if (n >= rowCount) return;
            if (line.trim() === "") continue;
            n++;
            yield JSON.parse(line) as DatasetRow;
          }
        },
      };
  // Only messages need a row's line: find it by reading the lines again rather than keep a number per row.
  const lineOfRow = (rowIndex: number): number | undefined => {
    let n = 0;
    let lineNumber = 0;
    for (const line of lines()) {
      lineNumber++;
      if (line.trim() === "") continue;
      if (n++ === rowIndex) return lineNumber;
    }
    return undefined;
  };
  return { rows, rowCount, lineOfRow, issues };
}

/** A JSON array of objects. */
export const parseJsonArray: Parser = (text, file, path, limit) => {
  const at = { path, at: "value" as const, file, expected: "a JSON array of objects" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const { message, line, column } = jsonErrorPosition(error as Error);
    return { rows: [], rowCount: 0, issues: [{ ...at, line, column, message: `invalid JSON: ${message}` }] };
  }
  if (!Array.isArray(value)) {
    return {
      rows: [],
      rowCount: 0,
      issues: [{ ...at, line: 1, column: 1, message: `expected an array, got ${kindOf(value)}` }],
    };
  }
  const rows = value.slice(0, limit);
  const badIndexes = rows.flatMap((row, index) => (isRow(row) ? [] : [index]));
  if (badIndexes.length === 0) return { rows, rowCount: rows.length, issues: [] };
  const locate = locatorForText(text);
  const issues = badIndexes.map((index) => ({
    ...at,
    ...locate([index], "value"),
    message: `row ${index + 1}: expected a JSON object, got ${kindOf(rows[index])}`,
  }));
  return { rows: [], rowCount: 0, issues };
};

/** csv-parse, loaded for the first CSV dataset (CommonJS: a synchronous `require` serves). */
function csvParse(): { parse: typeof parseCsvSync; CsvError: typeof CsvErrorClass } {
  return createRequire(import.meta.url)("csv-parse/sync") as ReturnType<typeof csvParse>;
}

/** CSV with a header row; values stay strings. Rows that do not parse are all reported. */
export const parseCsv: Parser = (text, file, path, limit) => {
  const { parse: parseCsvText, CsvError } = csvParse();
  const issues: IssueDraft[] = [];
  const at = { path, at: "value" as const, file, expected: "CSV with a header row" };
  const report = (error: CsvErrorClass | Error | undefined) => {
    if (!error) return undefined;
    const line = error instanceof CsvError && typeof error.lines === "number" ? error.lines : 1;
    issues.push({ ...at, line, column: 1, message: `invalid CSV: ${error.message}` });
    return undefined;
  };
  let records: { record: DatasetRow; info: { lines: number } }[] = [];
  try {
    records = parseCsvText(text, {
      columns: (header: string[]) => checkHeader(header, (message) => report(new Error(message))),
      bom: true,
      skip_empty_lines: true,
      info: true,
      skip_records_with_error: true,
      on_skip: report,
      ...(Number.isFinite(limit) ? { to: limit } : {}),
    }) as unknown as typeof records;
  } catch (error) {
    report(error as Error);
  }
  const rows = records.map((r) => r.record);
  // csv-parse counts lines up to the end of a record: the start line for one-line records.
  const rowLines = records.map((r) => r.info.lines);
  return { rows, rowCount: rows.length, lineOfRow: (rowIndex) => rowLines[rowIndex], issues };
};

const PARSERS: Record<"json" | "csv", Parser> = { json: parseJsonArray, csv: parseCsv };

function checkHeader(header: string[], fail: (message: string) => void): string[] {
  const seen = new Set<string>();
  for (const [index, name] of header.entries()) {
    if (name.trim() === "") fail(`header column ${index + 1} has no name`);
    else if (seen.has(name)) fail(`header column "${name}" appears twice`);
    seen.add(name);
  }
  return header;
}

function capIssues(issues: IssueDraft[], path: readonly PathSegment[], file: string): IssueDraft[] {
  if (issues.length <= MAX_FILE_ISSUES) return issues;
  const rest = issues.length - MAX_FILE_ISSUES;
  const next = issues[MAX_FILE_ISSUES]!;
  const summary: IssueDraft = {
    path,
    at: "value",
    file,
    line: next.line ?? 1,
    column: next.column ?? 1,
    message: `and ${rest} more problem${rest === 1 ? "" : "s"} in this file`,
  };
  return [...issues.slice(0, MAX_FILE_ISSUES), summary];
}

function isRow(value: unknown): value is DatasetRow {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}

/** Node's JSON.parse messages end with "[in JSON] at position N (line L column C)": split that off. */
function jsonErrorPosition(error: Error): { message: string; line: number; column: number } {
  const match = /\s*(?:in JSON )?at position \d+(?: \(line (\d+) column (\d+)\))?/.exec(error.message);
  if (!match) return { message: error.message, line: 1, column: 1 };
  const message = error.message.slice(0, match.index) + error.message.slice(match.index + match[0].length);
  return { message, line: Number(match[1] ?? 1), column: Number(match[2] ?? 1) };
}
