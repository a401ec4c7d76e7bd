/**
 * Argument matching for the `tool_call` scorer, after the AST-match idea of the Berkeley
 * Function-Calling Leaderboard: each expected argument is checked against the call's, typed by
 * the function's JSON Schema (else by the expected value), with the coercions the README lists.
 */
import { isObject } from "../core/json-object.ts";
import { canonicalJson } from "./json-values.ts";

export interface ArgumentRules {
  /** `normalized`: trim, NFC, case-insensitive, whitespace runs as one space. `exact`: as is. */
  strings: "normalized" | "exact";
  absTol: number;
  relTol: number;
}

type Schema = Record<string, unknown>;

/** One failed check: where, and what was wrong. */
export interface Mismatch {
  path: string;
  problem: string;
}

/** An expected value written as alternatives: `{"$any": [v1, v2]}`. */
function alternativesOf(expected: unknown, schema: Schema | undefined): unknown[] | undefined {
  if (isObject(expected) && Object.keys(expected).length === 1 && Array.isArray(expected.$any)) {
    return expected.$any;
  }
  // A bare list for a parameter that is not an array lists the acceptable values (BFCL's form).
  if (
    Array.isArray(expected) &&
    schema !== undefined &&
    typeOf(schema) !== undefined &&
    typeOf(schema) !== "array"
  ) {
    return expected;
  }
  return undefined;
}

/** Whether an expected argument may be left out: its alternatives include null. */
export function mayBeAbsent(expected: unknown, schema: Schema | undefined): boolean {
  return alternativesOf(expected, schema)?.includes(null) === true;
}

/**
 * Checks the call's arguments object against the expected one under `schema` (the function's
 * `parameters`): every expected argument present (unless optional by alternatives), required
 * ones by the schema present, none unexpected (one the schema gives a `default` may be sent with
 * that default). Returns the mismatches and the number of checks made.
 */
export function matchArguments(
  got: Record<string, unknown>,
  expected: Record<string, unknown>,
  schema: Schema | undefined,
  path: string,
  rules: ArgumentRules,
): { checks: number; mismatches: Mismatch[] } {
  const mismatches: Mismatch[] = [];
  const properties = isObject(schema?.properties) ? (schema.properties as Record<string, Schema>) : {};
  const required = Array.isArray(schema?.required) ? (schema.required as unknown[]) : [];
  let checks = 0;
  for (const [key, want] of Object.entries(expected)) {
    checks++;
    const property = properties[key];
    const at = `${path}.${key}`;
    if (!Object.hasOwn(got, key)) {
      if (!mayBeAbsent(want, property)) mismatches.push({ path: at, problem: "missing" });
      continue;
    }
    const problem = matchValue(got[key], want, property, at, rules);
    if (problem) mismatches.push(problem);
  }
  for (const key of required) {
    if (typeof key !== "string" || Object.hasOwn(expected, key) || Object.hasOwn(got, key)) continue;
    checks++;
    mismatches.push({ path: `${path}.${key}`, problem: "missing (required by the schema)" });
  }
  for (const [key, value] of Object.entries(got)) {
    if (Object.hasOwn(expected, key)) continue;
    const property = properties[key];
    if (property !== undefined && "default" in property && sameJson(value, property.default)) continue;
    checks++;
    mismatches.push({ path: `${path}.${key}`, problem: `unexpected argument ${shown(value)}` });
  }
  return { checks, mismatches };
}

/** The first mismatch between a value and its expectation (alternatives: any one matching), or undefined. */
export function matchValue(
  got: unknown,
  expected: unknown,
  schema: Schema | undefined,
  path: string,
  rules: ArgumentRules,
): Mismatch | undefined {
  const alternatives = alternativesOf(expected, schema);
  if (alternatives !== undefined) {
    const candidates = alternatives.filter((a) => a !== null || got === null);
    for (const candidate of candidates) {
      if (matchValue(got, candidate, schema, path, rules) === undefined) return undefined;
    }
    const listed = candidates.map(shown).join(" | ");
    return { path, problem: `got ${shown(got)}, expected one of ${listed}` };
  }
  const type = (schema && typeOf(schema)) ?? typeOfValue(expected);
  const differs = (why = ""): Mismatch => ({
    path,
    problem: `got ${shown(got)}, expected ${shown(expected)}${why}`,
  });
  switch (type) {
    case "number":
    case "integer": {
      const a = asNumber(got);
      const b = asNumber(expected);
      if (a === undefined || b === undefined) return differs(" (not a number)");
      if (type === "integer" && !Number.isInteger(a)) return differs(" (not an integer)");
      const tolerance = Math.max(rules.absTol, rules.relTol * Math.abs(b));
      return Math.abs(a - b) <= tolerance ? undefined : differs();
    }
    case "boolean": {
      const a = asBoolean(got);
      return a !== undefined && a === asBoolean(expected) ? undefined : differs();
    }
    case "string":
      if (typeof got !== "string" || typeof expected !== "string") return differs(" (not a string)");
      return normalizedString(got, rules) === normalizedString(expected, rules) ? undefined : differs();
    case "array": {
      if (!Array.isArray(got) || !Array.isArray(expected)) return differs(" (not an array)");
      if (got.length !== expected.length)
        return differs(` (${got.length} items, expected ${expected.length})`);
      const items = isObject(schema?.items) ? (schema.items as Schema) : undefined;
      for (const [i, item] of expected.entries()) {
        const problem = matchValue(got[i], item, items, `${path}[${i}]`, rules);
        if (problem) return problem;
      }
      return undefined;
    }
    case "object": {
      if (!isObject(got) || !isObject(expected)) return differs(" (not an object)");
      return matchArguments(got, expected, schema, path, rules).mismatches[0];
    }
    case "null":
      return got === null ? undefined : differs();
    default:
      return sameJson(got, expected) ? undefined : differs();
  }
}

/** A JSON Schema's `type` (the first non-null one of a list), or that of its `enum`/`const`. */
function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === "string" && t !== "null");
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return typeOfValue(schema.enum[0]);
  if ("const" in schema) return typeOfValue(schema.const);
  return undefined;
}

function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** A number, or a string holding exactly one (`"3"`, `" -2.5 "`): models often quote numbers. */
function asNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** A boolean, or the strings `true`/`false` in any case. */
function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const text = value.trim().toLowerCase();
  return text === "true" ? true : text === "false" ? false : undefined;
}

function normalizedString(text: string, rules: ArgumentRules): string {
  if (rules.strings === "exact") return text;
  return text.normalize("NFC").trim().replace(/\s+/gu, " ").toLowerCase();
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** A value in a reason: JSON, cut to 40 characters. */
export function shown(value: unknown): string {
  const text = value === undefined ? "nothing" : canonicalJson(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
