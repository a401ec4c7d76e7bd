/**
 * What `opbench init` reads from a user's data file and the suite it writes: the head of the file
 * is sampled (a 200 MB file is never read whole), its columns are found, the answer column and
 * the input column guessed, the kind of task chosen from the answers (a small label set:
 * classify; JSON objects: extract; free text: generate), and a suite written with the scorers,
 * grammar, models and savings pair that fit.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { extname } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import { decodeUtf8Text } from "./utf8-text.ts";

/** Bytes of the file's head that are read (whole rows only). */
export const SAMPLE_BYTES = 4 * 1024 * 1024;
/** Rows of the head that are looked at. */
export const SAMPLE_ROWS = 2_000;

export type TaskKind = "classify" | "extract" | "generate";

/** A bad data file: the message says what is wrong and what would work. */
export class ScaffoldError extends Error {
  override readonly name = "ScaffoldError";
}

export interface SampledData {
  format: "csv" | "jsonl";
  columns: string[];
  rows: Record<string, string>[];
  /** Whether the file is longer than what was read. */
  sampled: boolean;
  bytes: number;
}

/** A JSONL value as the template renders it: strings as is, anything else as JSON. */
const asText = (value: unknown): string =>
  typeof value === "string" ? value : value === null || value === undefined ? "" : JSON.stringify(value);

/** Reads the head of `path` (CSV with a header row, or JSONL) into string rows. */
export function sampleData(path: string): SampledData {
  const format = [".jsonl", ".ndjson"].includes(extname(path).toLowerCase())
    ? "jsonl"
    : extname(path).toLowerCase() === ".csv"
      ? "csv"
      : null;
  if (!format)
    throw new ScaffoldError(
      `${path}: give a .csv file (with a header row) or a .jsonl file (one JSON object per line)`,
    );
  const size = statSync(path).size;
  if (size === 0)
    throw new ScaffoldError(`${path} is empty: it needs a header row and at least one row of data`);
  const fd = openSync(path, "r");
  const head = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const sampled = size > head.length;
  // Whole rows only: cut after the last newline of a partial read.
  const cut = sampled ? head.lastIndexOf(0x0a) + 1 : head.length;
  const decoded = decodeUtf8Text(head.subarray(0, cut > 0 ? cut : head.length));
  if (!decoded.ok) {
    const { line, column, reason } = decoded.problem;
    throw new ScaffoldError(
      `${path}:${line}:${column}: not UTF-8 text (${reason}): save it as UTF-8 and run init again`,
    );
  }
  const text = decoded.text.replace(/^\uFEFF/, "");
  return format === "csv" ? sampleCsv(path, text, sampled, size) : sampleJsonl(path, text, sampled, size);
}

function sampleCsv(path: string, text: string, sampled: boolean, bytes: number): SampledData {
  let records: string[][];
  try {
    records = parseCsv(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      to: SAMPLE_ROWS + 1,
    }) as string[][];
  } catch (error) {
    throw new ScaffoldError(`${path}: not valid CSV (${(error as Error).message})`);
  }
  const [header, ...data] = records;
  if (!header || data.length === 0) {
    throw new ScaffoldError(`${path}: needs a header row naming the columns and at least one row of data`);
  }
  const columns = header.map((c) => c.trim());
  if (columns.some((c) => c === "") || new Set(columns).size !== columns.length) {
    throw new ScaffoldError(
      `${path}: the first row must name every column once (got ${columns.map((c) => JSON.stringify(c)).join(", ")}); is the header row missing?`,
    );
  }
  // A header of numbers or of long sentences is data, not names.
  if (columns.every((c) => /^-?[\d.,]+$/.test(c)) || columns.some((c) => c.length > 80)) {
    throw new ScaffoldError(`${path}: the first row looks like data, not column names: add a header row`);
  }
  const rows = data.map((values) => Object.fromEntries(columns.map((c, i) => [c, values[i] ?? ""])));
  return { format: "csv", columns, rows, sampled, bytes };
}

function sampleJsonl(path: string, text: string, sampled: boolean, bytes: number): SampledData {
  const rows: Record<string, string>[] = [];
  const columns: string[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === "" || rows.length >= SAMPLE_ROWS) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new ScaffoldError(`${path}:${index + 1}: not a JSON object (each line of a .jsonl file is one)`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new ScaffoldError(`${path}:${index + 1}: each line must be a JSON object of named fields`);
    }
    for (const key of Object.keys(value)) if (!columns.includes(key)) columns.push(key);
    rows.push(Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v)])));
  }
  if (rows.length === 0) throw new ScaffoldError(`${path}: no rows (one JSON object per line)`);
  return { format: "jsonl", columns, rows, sampled, bytes };
}

const ANSWER_NAMES = [
  "label",
  "labels",
  "category",
  "intent",
  "class",
  "sentiment",
  "answer",
  "expected",
  "target",
  "output",
  "gold",
  "summary",
  "sql",
  "query_sql",
  "json",
];
const INPUT_NAMES = [
  "text",
  "input",
  "question",
  "query",
  "prompt",
  "sentence",
  "utterance",
  "message",
  "document",
  "content",
  "body",
  "review",
];

const isJsonObject = (value: string): boolean => {
  const t = value.trim();
  if (!t.startsWith("{")) return false;
  try {
    const parsed: unknown = JSON.parse(t);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
};

/** A column's values are all numbers, all JSON objects, or text (mixed: text, with a note). */
function columnType(
  rows: readonly Record<string, string>[],
  column: string,
): "number" | "json" | "text" | "mixed" {
  const values = rows.map((r) => r[column] ?? "").filter((v) => v.trim() !== "");
  if (values.length === 0) return "text";
  const numbers = values.filter((v) => /^-?\d+(\.\d+)?$/.test(v.trim())).length;
  const objects = values.filter(isJsonObject).length;
  if (numbers === values.length) return "number";
  if (objects === values.length) return "json";
  if (numbers > 0 || objects > 0) return numbers + objects >= values.length / 2 ? "mixed" : "text";
  return "text";
}

export interface Analysis {
  answer: string;
  input: string;
  kind: TaskKind;
  /** The label set (classify), in first-seen order. */
  labels: string[];
  /** Things the user should know (a mixed column, a guessed column, a sampled file). */
  notes: string[];
}

/** A short name rather than a sentence: a sample where every label appears once is still a label set. */
const labelLike = (value: string) => value.length <= 40 && value.split(/\s+/).length <= 4;

const byName = (columns: readonly string[], names: readonly string[]) =>
  names.map((n) => columns.find((c) => c.toLowerCase() === n)).find((c) => c !== undefined);

/** Guesses the answer and input columns and the task (or takes those given). */
export function analyse(
  data: SampledData,
  given: { answer?: string | undefined; input?: string | undefined; kind?: TaskKind | undefined } = {},
): Analysis {
  const notes: string[] = [];
  for (const column of [given.answer, given.input]) {
    if (column !== undefined && !data.columns.includes(column)) {
      throw new ScaffoldError(`no column "${column}": the columns are ${data.columns.join(", ")}`);
    }
  }
  if (data.columns.length < 2) {
    throw new ScaffoldError(
      `only one column (${data.columns[0]}): a suite needs an input column and an answer column`,
    );
  }
  const answer = given.answer ?? byName(data.columns, ANSWER_NAMES) ?? (data.columns.at(-1) as string);
  const rest = data.columns.filter((c) => c !== answer);
  const input =
    given.input ??
    byName(rest, INPUT_NAMES) ??
    rest
      .map((c) => ({ c, len: data.rows.reduce((s, r) => s + (r[c]?.length ?? 0), 0) }))
      .sort((a, b) => b.len - a.len)[0]!.c;
  for (const column of data.columns) {
    if (columnType(data.rows, column) === "mixed") {
      notes.push(`column "${column}" mixes numbers or JSON with text: it is treated as text`);
    }
  }
  const values = data.rows.map((r) => (r[answer] ?? "").trim()).filter((v) => v !== "");
  if (values.length === 0)
    throw new ScaffoldError(`the answer column "${answer}" is empty in every row read`);
  const distinct = [...new Set(values)];
  const type = columnType(data.rows, answer);
  const kind: TaskKind =
    given.kind ??
    (type === "json"
      ? "extract"
      : distinct.length <= 100 &&
          (distinct.every(labelLike) ||
            (distinct.length <= values.length / 2 && distinct.every((v) => v.length <= 60)))
        ? "classify"
        : "generate");
  if (data.sampled) {
    notes.push(
      `the file is ${(data.bytes / 1e6).toFixed(0)} MB: its first ${data.rows.length} rows were read to guess the columns and labels`,
    );
  }
  return { answer, input, kind, labels: kind === "classify" ? distinct : [], notes };
}
