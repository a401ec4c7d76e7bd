/** Positions of keys and values in a parsed YAML (or JSON) document, by path. */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";

export type PathSegment = string | number;

/** 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Finds a path in the document: `key` points at the key of the last segment, `value` at its
 * value (at the key when the value is empty). A path that does not exist (a missing key)
 * points at the deepest object or array that does.
 */
export type Locate = (path: readonly PathSegment[], at: "key" | "value") => Position;

/** A locator over a document parsed with `lineCounter`. */
export function createLocator(doc: Document, lineCounter: LineCounter): Locate {
  const toPosition = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  return (path, at) => {
    let node: unknown = doc.contents;
    let keyOffset: number | undefined;
    let offset = rangeStart(node) ?? 0;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((item) => keyText(item.key) === String(segment));
        if (!pair) return toPosition(offset);
        keyOffset = rangeStart(pair.key);
        next = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        next = node.items[segment];
        keyOffset = undefined;
        if (next === undefined) return toPosition(offset);
      } else {
        return toPosition(offset);
      }
      node = next;
      const start = isEmptyScalar(node) ? undefined : rangeStart(node);
      offset = start ?? keyOffset ?? offset;
    }
    return toPosition(at === "key" && keyOffset !== undefined ? keyOffset : offset);
  };
}

/** Parses `text` (YAML or JSON) just to locate paths in it. */
export function locatorForText(text: string): Locate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, merge: true });
  return createLocator(doc, lineCounter);
}

function keyText(key: unknown): string {
  return isScalar(key) ? String(key.value) : String(key);
}

function rangeStart(node: unknown): number | undefined {
  if (node === null || typeof node !== "object" || !("range" in node)) return undefined;
  const range = (node as { range?: [number, number, number] | null }).range;
  return range ? range[0] : undefined;
}

/** `key:` with nothing after it: yaml places the empty value after the colon, the key reads better. */
function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.value === null && node.source === "";
}
