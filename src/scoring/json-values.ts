/** Comparing parsed JSON values and walking paths in them, for json_fields. */
import { normalizeAnswer } from "./normalized-exact.ts";
import { numbersIn } from "./numeric.ts";

/** Deep equality of JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  return ka.every((key) => Object.hasOwn(ob, key) && jsonEqual((a as Record<string, unknown>)[key], ob[key]));
}

/** A JSON value as text with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A field path split into keys: `a.b.0.c`, or a JSON Pointer `/a/b/0/c` (with ~0 and ~1). */
export function pathKeys(path: string): string[] {
  if (path.startsWith("/")) {
    return path
      .slice(1)
      .split("/")
      .map((key) => key.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  return path.split(".");
}

/** The value at `keys` in `root`, or `found: false` when a key is missing on the way. */
export function valueAt(root: unknown, keys: readonly string[]): { found: boolean; value: unknown } {
  let current = root;
  for (const key of keys) {
    if (Array.isArray(current)) {
      const index = /^\d+$/.test(key) ? Number(key) : -1;
      if (index < 0 || index >= current.length) return { found: false, value: undefined };
      current = current[index];
    } else if (current !== null && typeof current === "object" && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

/**
 * The leaf paths of an expected value: every key of nested objects down to a non-object (arrays
 * are leaves, compared whole), in dotted form.
 */
export function leafPaths(value: unknown, prefix = ""): string[] {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return prefix === "" ? [] : [prefix];
  const keys = Object.keys(value);
  if (keys.length === 0) return prefix === "" ? [] : [prefix];
  return keys.flatMap((key) =>
    leafPaths((value as Record<string, unknown>)[key], prefix === "" ? key : `${prefix}.${key}`),
  );
}

export type Compare = "exact" | "normalized" | "numeric" | "set";

export interface CompareOptions {
  abs_tol?: number | undefined;
  rel_tol?: number | undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string") return numbersIn(value, 1)[0];
  return undefined;
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : canonicalJson(value);
}

/** Whether `got` matches `want` under `compare`; a short why-not otherwise. */
export function compareValues(
  got: unknown,
  want: unknown,
  compare: Compare,
  options: CompareOptions,
): string | undefined {
  switch (compare) {
    case "exact":
      return jsonEqual(got, want) ? undefined : "differs";
    case "normalized":
      return normalizeAnswer(asText(got)) === normalizeAnswer(asText(want))
        ? undefined
        : "differs after normalisation";
    case "numeric": {
      const g = asNumber(got);
      const w = asNumber(want);
      if (w === undefined)
        return jsonEqual(got, want) ? undefined : "differs (expected value is not a number)";
      if (g === undefined) return "not a number";
      const tolerance = Math.max(options.abs_tol ?? 0, (options.rel_tol ?? 1e-9) * Math.abs(w));
      return Math.abs(g - w) <= tolerance ? undefined : `off by ${Number(Math.abs(g - w).toPrecision(6))}`;
    }
    case "set": {
      if (!Array.isArray(got)) return "not an array";
      const wants = new Set((Array.isArray(want) ? want : [want]).map(canonicalJson));
      const gots = new Set(got.map(canonicalJson));
      const missing = [...wants].filter((item) => !gots.has(item)).length;
      const extra = [...gots].filter((item) => !wants.has(item)).length;
      return missing === 0 && extra === 0 ? undefined : `set differs (${missing} missing, ${extra} extra)`;
    }
  }
}
