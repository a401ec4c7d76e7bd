/**
 * Turns zod issues into suite issue drafts that say what was expected and what was found:
 * unions are narrowed to the branch the value was meant for, unknown keys get the allowed keys
 * and a "did you mean", missing keys point at their parent.
 */
import { z } from "zod";
import { closestMatch, describeValue, type IssueDraft } from "./errors.ts";
import type { PathSegment } from "./yaml-positions.ts";

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/** The parts of zod's schema definitions this module walks. */
interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  options?: Schema[];
  discriminator?: string;
  valueType?: Schema;
  values?: unknown[];
  entries?: Record<string, unknown>;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch"]);

/** Drafts for every issue of a failed `safeParse(data)` of `root`. */
export function zodIssueDrafts(issues: readonly Issue[], root: Schema, data: unknown): IssueDraft[] {
  return issues.flatMap((issue) => convert(issue, [], root, data));
}

function convert(issue: Issue, prefix: readonly PathSegment[], root: Schema, data: unknown): IssueDraft[] {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
  const value = valueAt(data, path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const object = objectSchemaAt(root, data, path);
      return issue.keys.map((key) => unknownKey(path, key, object));
    }
    case "invalid_type":
      return [mismatch(path, value, typeName(issue.expected))];
    case "invalid_value":
      return [mismatch(path, value, oneOf(issue.values.map(literal)), stringsOf(issue.values))];
    case "invalid_union":
      if (issue.errors.length === 0 && issue.discriminator !== undefined && "options" in issue) {
        const options = issue.options ?? [];
        return [mismatch(path, value, oneOf(options.map(literal)), stringsOf(options))];
      }
      return unionDrafts(issue.errors, path, value, root, data);
    case "too_small":
    case "too_big":
      return [mismatch(path, value, rangeExpectation(issue) + reasonOf(issue), undefined, countOf(value))];
    case "invalid_format": {
      const description = innermostDescription(schemaAt(root, data, path));
      const expected =
        issue.format === "url"
          ? "a URL"
          : issue.format === "regex"
            ? (description ?? `a string matching ${issue.pattern}`)
            : `a valid ${issue.format}`;
      return [mismatch(path, value, expected)];
    }
    default:
      return [{ path, at: "value", message: issue.message }];
  }
}

/**
 * A union failed. Branches that rejected the value's type outright are alternatives to list;
 * a branch that got further (the right type, wrong contents) is what the user meant: report its issues.
 */
function unionDrafts(
  branches: readonly (readonly Issue[])[],
  path: PathSegment[],
  value: unknown,
  root: Schema,
  data: unknown,
): IssueDraft[] {
  const isTypeRejection = (branch: readonly Issue[]) =>
    branch.length === 1 &&
    branch[0]!.path.length === 0 &&
    (branch[0]!.code === "invalid_type" || branch[0]!.code === "invalid_value");
  const deeper = branches.filter((branch) => !isTypeRejection(branch));
  if (deeper.length > 0) {
    const closest = deeper.reduce((best, branch) => (branch.length < best.length ? branch : best));
    return closest.flatMap((issue) => convert(issue, path, root, data));
  }
  const alternatives: string[] = [];
  const strings: string[] = [];
  for (const [issue] of branches) {
    if (issue?.code === "invalid_type") alternatives.push(typeName(issue.expected));
    if (issue?.code === "invalid_value") {
      alternatives.push(...issue.values.map(literal));
      strings.push(...stringsOf(issue.values));
    }
  }
  return [mismatch(path, value, oneOf([...new Set(alternatives)]), strings)];
}

function mismatch(
  path: PathSegment[],
  value: unknown,
  expected: string,
  candidates: readonly string[] = [],
  got = describeValue(value),
): IssueDraft {
  if (value === undefined) {
    const key = path.at(-1);
    return {
      path,
      at: "value",
      message: `missing required key \`${String(key)}\` (expected ${expected})`,
      expected,
    };
  }
  const suggestion = typeof value === "string" ? closestMatch(value, candidates) : undefined;
  const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : "";
  return { path, at: "value", message: `expected ${expected}, got ${got}${hint}`, expected };
}

function unknownKey(path: PathSegment[], key: string, object: Schema | undefined): IssueDraft {
  const shape = object ? defOf(object).shape : undefined;
  const allowed = shape ? Object.keys(shape) : [];
  const suggestion = closestMatch(key, allowed) ?? nestedHome(key, shape);
  let message = `unknown key \`${key}\``;
  if (suggestion !== undefined) message += `, did you mean \`${suggestion}\`?`;
  if (allowed.length > 0) message += ` Allowed keys: ${allowed.join(", ")}`;
  const draft: IssueDraft = { path: [...path, key], at: "key", message };
  if (allowed.length > 0) draft.expected = `one of ${allowed.map((k) => `\`${k}\``).join(", ")}`;
  return draft;
}

/** `max_tokens` written at the top level belongs in `defaults`: find a child object that takes the key. */
function nestedHome(key: string, shape: Record<string, Schema> | undefined): string | undefined {
  for (const [name, child] of Object.entries(shape ?? {})) {
    const childShape = defOf(unwrap(child)).shape;
    if (childShape && key in childShape) return `${name}.${key}`;
  }
  return undefined;
}

function rangeExpectation(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const bound = String(small ? issue.minimum : issue.maximum);
  if (issue.origin === "array" || issue.origin === "set" || issue.origin === "string") {
    const unit = issue.origin === "string" ? "character" : "item";
    const words = small
      ? issue.inclusive
        ? "at least"
        : "more than"
      : issue.inclusive
        ? "at most"
        : "fewer than";
    return `${words} ${bound} ${unit}${bound === "1" ? "" : "s"}`;
  }
  const operator = small ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
  return `a number ${operator} ${bound}`;
}

/** A schema's own reason for a bound (zod's default messages start "Too small"/"Too big"), as " (…)". */
function reasonOf(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  return issue.message && !/^Too (small|big)/.test(issue.message) ? ` (${issue.message})` : "";
}

function countOf(value: unknown): string {
  if (Array.isArray(value) && value.length > 0) return `${value.length} item${value.length === 1 ? "" : "s"}`;
  return describeValue(value);
}

function typeName(expected: string): string {
  if (expected === "int") return "integer";
  if (expected === "record") return "object";
  return expected;
}

function literal(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function oneOf(alternatives: readonly string[]): string {
  return alternatives.length === 1 ? alternatives[0]! : `one of ${alternatives.join(" | ")}`;
}

function stringsOf(values: readonly unknown[]): string[] {
  return values.filter((v): v is string => typeof v === "string");
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PathSegment, unknown>)[segment];
  }
  return current;
}

function defOf(schema: Schema): Def {
  return schema._zod.def as unknown as Def;
}

function unwrap(schema: Schema): Schema {
  for (;;) {
    const def = defOf(schema);
    if (WRAPPERS.has(def.type) && def.innerType) schema = def.innerType;
    else if (def.type === "pipe" && def.in) schema = def.in;
    else return schema;
  }
}

/** Unwraps, and picks the union option meant for `value` (by discriminator, else by kind). */
function narrow(schema: Schema, value: unknown): Schema | undefined {
  let current = unwrap(schema);
  for (let def = defOf(current); def.type === "union"; def = defOf(current)) {
    const options = def.options ?? [];
    const picked =
      (def.discriminator !== undefined ? byDiscriminator(options, def.discriminator, value) : undefined) ??
      options.find((option) => kindOf(unwrap(option)) === valueKind(value));
    if (!picked) return undefined;
    current = unwrap(picked);
  }
  return current;
}

function byDiscriminator(options: Schema[], key: string, value: unknown): Schema | undefined {
  const tag = (value as Record<string, unknown> | null)?.[key];
  return options.find((option) => {
    const field = defOf(unwrap(option)).shape?.[key];
    return field !== undefined && (defOf(field).values ?? []).includes(tag);
  });
}

function kindOf(schema: Schema): string {
  const def = defOf(schema);
  if (def.type === "record") return "object";
  if (def.type === "literal") return valueKind(def.values?.[0]);
  if (def.type === "enum") return valueKind(Object.values(def.entries ?? {})[0]);
  return def.type;
}

function valueKind(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value;
}

/** The schema that validates `path` in `data`, following the union branches `data` takes. */
function schemaAt(root: Schema, data: unknown, path: readonly PathSegment[]): Schema | undefined {
  let schema: Schema | undefined = root;
  let value = data;
  for (const segment of path) {
    const current = narrow(schema, value);
    if (!current) return undefined;
    const def = defOf(current);
    if (def.type === "object") schema = def.shape?.[String(segment)];
    else if (def.type === "array") schema = def.element;
    else if (def.type === "record") schema = def.valueType;
    else return undefined;
    if (!schema) return undefined;
    value = valueAt(value, [segment]);
  }
  return schema;
}

function objectSchemaAt(root: Schema, data: unknown, path: readonly PathSegment[]): Schema | undefined {
  const schema = schemaAt(root, data, path);
  const narrowed = schema && narrow(schema, valueAt(data, path));
  return narrowed && defOf(narrowed).type === "object" ? narrowed : undefined;
}

/** The description closest to the type itself (a Duration's, rather than the field's). */
function innermostDescription(schema: Schema | undefined): string | undefined {
  let description: string | undefined;
  let current = schema;
  while (current) {
    description = z.globalRegistry.get(current)?.description ?? description;
    const def = defOf(current);
    current = WRAPPERS.has(def.type) ? def.innerType : undefined;
  }
  return description && description.charAt(0).toLowerCase() + description.slice(1);
}
