/**
 * Reading SQL as text, for `sql_execution`: the query in a model's output, its first statement,
 * its first keyword, whether it orders at the top level, and the gold query's literals (the
 * values the synthetic databases must contain for its filters to select something). A small
 * scanner that knows SQLite's quotes and comments; no parser.
 */

/** One lexical piece of SQL: a word, a quoted string, a number, or a single other character. */
interface Token {
  kind: "word" | "string" | "number" | "quoted" | "other";
  text: string;
  start: number;
}

const WORD = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;

/** The tokens of `sql` (comments and whitespace dropped); an unclosed quote runs to the end. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) i++;
    else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end === -1 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      let text = "";
      while (j < sql.length) {
        if (sql[j] === close) {
          // A doubled quote is an escaped quote ('it''s'), except inside [brackets].
          if (close !== "]" && sql[j + 1] === close) {
            text += close;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j];
        j++;
      }
      // SQLite reads a "double-quoted" word that names no column as a string (Spider's gold
      // queries rely on it), so both quotes give strings here.
      tokens.push({ kind: c === "'" || c === '"' ? "string" : "quoted", text, start: i });
      i = j + 1;
    } else {
      WORD.lastIndex = i;
      NUMBER.lastIndex = i;
      const number = /\d|\./.test(c) ? NUMBER.exec(sql) : null;
      const word = number ? null : WORD.exec(sql);
      const match = number ?? word;
      if (match) {
        tokens.push({ kind: number ? "number" : "word", text: match[0], start: i });
        i += match[0].length;
      } else {
        tokens.push({ kind: "other", text: c, start: i });
        i++;
      }
    }
  }
  return tokens;
}

/** `sql` up to its first `;` outside quotes and comments (the first statement), trimmed. */
export function firstStatement(sql: string): string {
  const end = tokenize(sql).find((t) => t.kind === "other" && t.text === ";");
  return (end === undefined ? sql : sql.slice(0, end.start)).trim();
}

const FENCE = /```[\w-]*[^\S\n]*\n?([\s\S]*?)(?:```|$)/;
const LABEL = /^\s*(?:sql(?:ite)?(?:\s+query)?|query|answer)\s*:\s*/i;
const QUERY_START = /^\s*(?:SELECT|WITH|VALUES)\b/i;

/**
 * The query in a model's output: the first ``` fenced block when there is one (its language tag
 * dropped), else the text from the first line that starts, after an optional `SQL:`, `Query:` or
 * `Answer:` label, with SELECT, WITH or VALUES, else the whole output; then its first statement
 * (what follows the first `;` is ignored, never run).
 */
export function extractQuery(output: string): string {
  const fenced = FENCE.exec(output);
  let text = fenced ? fenced[1]! : output;
  const lines = text.split("\n");
  const first = lines.findIndex((line) => QUERY_START.test(line.replace(LABEL, "")));
  if (first !== -1) text = [lines[first]!.replace(LABEL, ""), ...lines.slice(first + 1)].join("\n");
  // A longer "query" is not one (the scorer refuses it); the rest of a huge output is not read.
  return firstStatement(text.replace(LABEL, "").slice(0, MAX_QUERY_CHARS + 1));
}

/** The longest query run, in UTF-16 units. */
export const MAX_QUERY_CHARS = 100_000;

/** The first keyword of a statement, upper-cased ("" when it has none); `(` counts as SELECT. */
export function leadingKeyword(sql: string): string {
  const first = tokenize(sql)[0];
  if (first === undefined) return "";
  if (first.kind === "other" && first.text === "(") return "SELECT";
  return first.kind === "word" ? first.text.toUpperCase() : first.text;
}

/** Statements a query may start with: anything else (a write, ATTACH, PRAGMA) is refused. */
export const QUERY_KEYWORDS: ReadonlySet<string> = new Set(["SELECT", "WITH", "VALUES"]);

/**
 * Whether the statement ends with an ORDER BY outside every parenthesis (which orders the
 * result; one inside a subquery or a window does not).
 */
export function ordersAtTopLevel(sql: string): boolean {
  let depth = 0;
  let previous: Token | undefined;
  for (const token of tokenize(sql)) {
    if (token.kind === "other" && token.text === "(") depth++;
    else if (token.kind === "other" && token.text === ")") depth = Math.max(0, depth - 1);
    else if (
      depth === 0 &&
      token.kind === "word" &&
      token.text.toUpperCase() === "BY" &&
      previous?.kind === "word" &&
      previous.text.toUpperCase() === "ORDER"
    )
      return true;
    previous = token;
  }
  return false;
}

/** The string and number literals of a query, each once, in order: values worth having in the data. */
export function queryLiterals(sql: string): { strings: string[]; numbers: number[] } {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  let previous: Token | undefined;
  for (const token of tokenize(sql)) {
    if (token.kind === "string") strings.add(token.text);
    // A number right after LIMIT/OFFSET is a row count, not a value.
    else if (token.kind === "number" && !/^(LIMIT|OFFSET)$/i.test(previous?.text ?? "")) {
      const value = Number(token.text);
      if (Number.isFinite(value)) numbers.add(value);
    }
    previous = token;
  }
  return { strings: [...strings], numbers: [...numbers] };
}

const ORDER_WORDS = new Set(["ASC", "DESC", "NULLS", "FIRST", "LAST", "COLLATE", "BY"]);

/**
 * The column names (lower case, table prefix dropped) the statement's top-level ORDER BY sorts
 * on: the fillings give them distinct values, so that a right query cannot differ from gold only
 * by which of several tied rows a LIMIT keeps. Empty without a top-level ORDER BY.
 */
export function orderByColumns(sql: string): string[] {
  const tokens = tokenize(sql);
  let depth = 0;
  let start = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "other" && t.text === "(") depth++;
    else if (t.kind === "other" && t.text === ")") depth = Math.max(0, depth - 1);
    else if (
      depth === 0 &&
      t.kind === "word" &&
      t.text.toUpperCase() === "BY" &&
      tokens[i - 1]?.text.toUpperCase() === "ORDER"
    )
      start = i + 1;
  }
  if (start === -1) return [];
  const columns = new Set<string>();
  for (let i = start; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === "word" && /^(LIMIT|OFFSET)$/i.test(t.text)) break;
    const isName = t.kind === "word" || t.kind === "quoted" || t.kind === "string";
    if (!isName || ORDER_WORDS.has(t.text.toUpperCase())) continue;
    const next = tokens[i + 1];
    // A table prefix (`T1.` before the name) or a function (`count(`) is not a column.
    if (next?.kind === "other" && (next.text === "." || next.text === "(")) continue;
    columns.add(t.text.toLowerCase());
  }
  return [...columns];
}
