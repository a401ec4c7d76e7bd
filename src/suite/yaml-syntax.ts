/**
 * YAML syntax errors as suite issues. For a quote or bracket that is never closed, yaml reports
 * where it gave up, often the end of the file; the user needs where the quote or bracket was
 * opened, so those errors point there and say what was expected and how far yaml read.
 */
import { CST, type LineCounter, Parser, type YAMLError } from "yaml";
import type { SuiteIssue } from "./errors.ts";

/** What usually causes a YAML error in a suite, where the parser's message does not say. */
const YAML_HINTS: Partial<Record<string, string>> = {
  BLOCK_AS_IMPLICIT_KEY: ' (quote text that contains ": ", e.g. prompt: "Translate: {{text}}")',
};

/** yaml's message when a flow sequence or mapping lacks its closing bracket. */
const UNCLOSED_FLOW = /end with a ([\]}])$/;

/** A quoted string or a flow collection in the text, as the lexer cut it. */
interface Opener {
  offset: number;
  /** The quote or bracket as written: `"`, `'`, `[` or `{`. */
  open: string;
  /** What closes it. */
  close: string;
  /** A quoted string's token end: yaml reports its missing closing quote right there. */
  stringEnd?: number;
  /** A flow collection that has its closing bracket. */
  closed?: boolean;
}

/** One issue per error, at the opening quote or bracket when the error is that it is not closed. */
export function yamlSyntaxIssues(
  text: string,
  errors: readonly YAMLError[],
  lineCounter: LineCounter,
  sourcePath: string,
): SuiteIssue[] {
  const openers = openersIn(text);
  const claimed = new Set<Opener>();
  return errors.map((error): SuiteIssue => {
    const stoppedAt = error.pos[0];
    const opener = openerOf(error, openers, claimed);
    let message = `YAML syntax: ${error.message}${YAML_HINTS[error.code] ?? ""}`;
    let offset = stoppedAt;
    if (opener) {
      claimed.add(opener);
      offset = opener.offset;
      const until = describeOffset(text, stoppedAt, lineCounter);
      // yaml's message for a bracket also says the lines inside must be indented: kept.
      message =
        opener.open === "[" || opener.open === "{"
          ? `${message}: the ${opener.open} opened here is still open at ${until}`
          : `YAML syntax: the ${opener.open} opened here is never closed: expected a closing ${opener.close} (the string runs on to ${until})`;
    }
    const { line, col } = lineCounter.linePos(offset);
    return { file: sourcePath, line, column: col, key: "", message };
  });
}

/** Where yaml stopped, in words: the end of the file, the end of a line, or a line and column. */
function describeOffset(text: string, offset: number, lineCounter: LineCounter): string {
  if (offset >= text.length) return "the end of the file";
  const { line, col } = lineCounter.linePos(offset);
  return /^\r?\n/.test(text.slice(offset, offset + 2))
    ? `the end of line ${line}`
    : `line ${line}, column ${col}`;
}

/**
 * The opener an error is about. A string's "Missing closing quote" is raised where its token
 * ends; a flow collection's at its last item, inner collections before the ones around them, so
 * the nearest unclaimed open bracket before the error is the one.
 */
function openerOf(error: YAMLError, openers: readonly Opener[], claimed: ReadonlySet<Opener>) {
  const at = error.pos[0];
  if (error.code === "MISSING_CHAR" && error.message.startsWith("Missing closing ")) {
    const quote = error.message.includes('"') ? '"' : "'";
    return openers.find((o) => o.open === quote && o.stringEnd === at);
  }
  const close = UNCLOSED_FLOW.exec(error.message)?.[1];
  if (close === undefined) return undefined;
  let nearest: Opener | undefined;
  for (const o of openers) {
    if (o.close !== close || o.closed || o.offset >= at || claimed.has(o)) continue;
    if (!nearest || o.offset > nearest.offset) nearest = o;
  }
  return nearest;
}

/** The quoted strings and flow collections of every document in `text`. */
function openersIn(text: string): Opener[] {
  const openers: Opener[] = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== "document") continue;
    CST.visit(token, (item) => {
      for (const node of [item.key, item.value]) {
        if (node?.type === "double-quoted-scalar" || node?.type === "single-quoted-scalar") {
          const quote = node.source[0]!;
          const stringEnd = node.offset + node.source.length;
          openers.push({ offset: node.offset, open: quote, close: quote, stringEnd });
        } else if (node?.type === "flow-collection") {
          const open = node.start.source;
          const close = open === "[" ? "]" : "}";
          const closed = node.end[0]?.source === close;
          openers.push({ offset: node.start.offset, open, close, closed });
        }
      }
    });
  }
  return openers;
}
