/**
 * Suite problems with positions. Every check collects issues instead of stopping at the first;
 * the loader throws them together as one `SuiteError` (the CLI maps it to exit code 2).
 */
import { isAbsolute, relative } from "node:path";
import type { Locate, PathSegment } from "./yaml-positions.ts";

/** Exit code of the CLI when the suite is invalid. */
export const SUITE_ERROR_EXIT_CODE = 2;

/** One problem in a suite or in a file it reads. Line and column are 1-based. */
export interface SuiteIssue {
  /** Absolute path of the file the position refers to (the suite, or a dataset file). */
  file: string;
  line: number;
  column: number;
  /** Where in the suite, e.g. `models[1].endpoint`; empty for the document itself. */
  key: string;
  /** What is wrong, e.g. `expected one of "completion" | "chat", got "foo"`. */
  message: string;
  /** What would be accepted there, e.g. `one of "completion" | "chat"`, when that can be said. */
  expected?: string;
}

/** An issue before it has a position: the suite path, or an explicit data-file position. */
export interface IssueDraft {
  path: readonly PathSegment[];
  /** Point at the key itself (unknown keys) or at its value (everything else). */
  at: "key" | "value";
  message: string;
  expected?: string;
  /** Set when the problem is inside a data file rather than the suite itself. */
  file?: string;
  line?: number;
  column?: number;
}

/** An invalid suite: every issue found, one line each in `message`. */
export class SuiteError extends Error {
  readonly issues: readonly SuiteIssue[];
  readonly exitCode = SUITE_ERROR_EXIT_CODE;

  constructor(issues: readonly SuiteIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "SuiteError";
    this.issues = issues;
  }
}

/** Whether `error` is a `SuiteError` (also across module copies). */
export function isSuiteError(error: unknown): error is SuiteError {
  return error instanceof SuiteError || (error instanceof Error && error.name === "SuiteError");
}

/** `suite.yaml:12:5: models[1].endpoint: expected …`; the file relative to the cwd when inside it. */
export function formatIssue(issue: SuiteIssue): string {
  const where = `${displayPath(issue.file)}:${issue.line}:${issue.column}`;
  return issue.key ? `${where}: ${issue.key}: ${issue.message}` : `${where}: ${issue.message}`;
}

function displayPath(file: string): string {
  if (!isAbsolute(file)) return file;
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** `["models", 1, "endpoint"]` → `models[1].endpoint`; odd keys are quoted: `a["b c"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/**
 * Gives drafts their positions: data-file drafts keep theirs, the others are located in the
 * suite with `locate`. Sorted by file (suite first) then position.
 */
export function positionIssues(
  drafts: readonly IssueDraft[],
  suiteFile: string,
  locate: Locate,
): SuiteIssue[] {
  const issues = drafts.map((draft): SuiteIssue => {
    const position =
      draft.file !== undefined
        ? { line: draft.line ?? 1, column: draft.column ?? 1 }
        : locate(draft.path, draft.at);
    const issue: SuiteIssue = {
      file: draft.file ?? suiteFile,
      line: position.line,
      column: position.column,
      key: formatPath(draft.path),
      message: draft.message,
    };
    if (draft.expected !== undefined) issue.expected = draft.expected;
    return issue;
  });
  return sortIssues(issues, suiteFile);
}

/** Issues in reading order: the suite's first, then each data file's, by line and column. */
export function sortIssues(issues: SuiteIssue[], suiteFile: string): SuiteIssue[] {
  const rank = (issue: SuiteIssue) => (issue.file === suiteFile ? 0 : 1);
  return issues.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column,
  );
}

/** The closest of `candidates` to `word` (edit distance), if close enough to be a likely typo. */
export function closestMatch(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Up to `limit` of `candidates` nearest to `word` (edit distance, case-insensitive), nearest first. */
export function closestMatches(word: string, candidates: readonly string[], limit = 5): string[] {
  const w = word.toLowerCase();
  return [...new Set(candidates)]
    .map((candidate) => ({ candidate, distance: editDistance(w, candidate.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || (a.candidate < b.candidate ? -1 : 1))
    .slice(0, limit)
    .map((x) => x.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** A value as the `got …` part of a message: strings quoted, containers by kind. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? "an empty array" : "an array";
  if (typeof value === "object") return "an object";
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
