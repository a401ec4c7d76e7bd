/**
 * `json_fields`: field-by-field comparison of the JSON output with the expected JSON (the
 * case's expected answer, or `value`). Each field in `fields` — a dotted path (`address.city`,
 * `items.0.sku`) or a JSON Pointer (`/address/city`) — is compared `exact` (deep equality),
 * `normalized` (normalized_exact's normalisation of the text), `numeric` (within `abs_tol` /
 * `rel_tol`; numbers in strings count) or `set` (arrays as sets: order and duplicates ignored).
 * Without `fields`, every leaf of the expected object is a field compared by `compare` (default
 * exact). The score is the fraction of fields right; a `required` field that is wrong or missing
 * makes it 0. The reason names the path of each mismatch. Fields the output has beyond those
 * are ignored. `extract_json: true` finds the JSON in chatty output or a ```json block.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { graded, ThresholdOption } from "./graded.ts";
import { ExtractJsonOption, foundNote, notJsonReason, outputJsonParser } from "./json-text.ts";
import { type Compare, canonicalJson, compareValues, leafPaths, pathKeys, valueAt } from "./json-values.ts";

const CompareMode = z.enum(["exact", "normalized", "numeric", "set"]);

const FieldRule = z.union([
  CompareMode,
  z.strictObject({
    compare: CompareMode.optional().describe("Default: the scorer's `compare`"),
    required: z.boolean().optional().describe("Wrong or missing: the whole score is 0"),
    abs_tol: z.number().min(0).optional(),
    rel_tol: z.number().min(0).optional(),
  }),
]);

export const JsonFieldsConfig = scorerSchema("json_fields", {
  fields: z
    .record(z.string().min(1), FieldRule)
    .optional()
    .describe(
      "Path → compare mode or {compare, required, abs_tol, rel_tol} (default: every leaf of the expected JSON)",
    ),
  compare: CompareMode.optional().describe("Default compare mode (exact)"),
  abs_tol: z.number().min(0).optional().describe("Default absolute tolerance of numeric fields"),
  rel_tol: z.number().min(0).optional().describe("Default relative tolerance of numeric fields"),
  value: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Expected JSON object (default: the expected answer)"),
  extract_json: ExtractJsonOption,
  threshold: ThresholdOption,
});
export type JsonFieldsConfig = z.infer<typeof JsonFieldsConfig>;

interface Field {
  path: string;
  keys: string[];
  compare: Compare;
  required: boolean;
  abs_tol: number | undefined;
  rel_tol: number | undefined;
}

/** Mismatches a reason lists before "+N more". */
const SHOWN = 5;

/** A value in a reason: strings quoted, other JSON as written (cut to 30 characters). */
function shown(value: unknown): string {
  if (typeof value === "string") return quote(value, 30);
  const text = canonicalJson(value);
  return text.length > 30 ? `${text.slice(0, 30)}…` : text;
}

export const jsonFields: ScorerFactory<JsonFieldsConfig> = (config) => {
  const compare = config.compare ?? "exact";
  const configured =
    config.fields === undefined
      ? undefined
      : Object.entries(config.fields).map(([path, rule]): Field => {
          const r = typeof rule === "string" ? { compare: rule } : rule;
          return {
            path,
            keys: pathKeys(path),
            compare: r.compare ?? compare,
            required: "required" in r && r.required === true,
            abs_tol: ("abs_tol" in r ? r.abs_tol : undefined) ?? config.abs_tol,
            rel_tol: ("rel_tol" in r ? r.rel_tol : undefined) ?? config.rel_tol,
          };
        });
  if (configured?.length === 0)
    throw new Error("json_fields scorer: `fields` is empty; list a field or leave it out");
  const parse = outputJsonParser(config.extract_json);
  return {
    name: scorerName(config),
    score({ output, expected }) {
      let want: unknown = config.value;
      if (want === undefined) {
        if (expected === undefined)
          return { score: null, reason: `${NO_EXPECTED} and no \`value\` configured` };
        try {
          want = JSON.parse(expected);
        } catch {
          return { score: null, reason: `the expected answer is not JSON: ${quote(expected, 40)}` };
        }
      }
      const fields =
        configured ??
        leafPaths(want).map(
          (path): Field => ({
            path,
            keys: path.split("."),
            compare,
            required: false,
            abs_tol: config.abs_tol,
            rel_tol: config.rel_tol,
          }),
        );
      if (fields.length === 0) return { score: null, reason: "the expected JSON has no fields to compare" };
      const parsed = parse(output);
      if (!parsed.ok) return { score: 0, reason: notJsonReason(parsed) };
      const mismatches: string[] = [];
      let right = 0;
      let requiredWrong: string | undefined;
      for (const field of fields) {
        const wanted = valueAt(want, field.keys);
        const got = valueAt(parsed.value, field.keys);
        let problem: string | undefined;
        if (!got.found) problem = wanted.found ? "missing" : undefined;
        else if (!wanted.found) problem = `expected no value, got ${shown(got.value)}`;
        else {
          const why = compareValues(got.value, wanted.value, field.compare, field);
          if (why !== undefined) problem = `${why}: expected ${shown(wanted.value)}, got ${shown(got.value)}`;
        }
        if (problem === undefined) right++;
        else {
          mismatches.push(
            `${field.path} ${problem}${field.compare === "exact" ? "" : ` (${field.compare})`}`,
          );
          if (field.required) requiredWrong ??= field.path;
        }
      }
      const more = mismatches.length > SHOWN ? `; +${mismatches.length - SHOWN} more` : "";
      const list = mismatches.slice(0, SHOWN).join("; ") + more;
      const counted = `${right}/${fields.length} fields right${foundNote(parsed)}`;
      if (requiredWrong !== undefined) {
        return {
          score: 0,
          reason: `required field ${requiredWrong} is wrong or missing; ${counted}: ${list}`,
        };
      }
      return graded(
        right / fields.length,
        config.threshold,
        "fields right",
        `${counted}${list === "" ? "" : `: ${list}`}`,
      );
    },
  };
};

export const jsonFieldsScorer: ScorerDefinition<JsonFieldsConfig> = {
  schema: JsonFieldsConfig,
  create: jsonFields,
  shorthand: true,
};
