/**
 * `json_schema`: the output is JSON (one code fence tolerated, see json-text.ts) that validates
 * against a JSON Schema — the config's `schema`, else the task's `json_schema`. The schema is
 * compiled once, when the suite loads, with ajv and ajv-formats (`date-time`, `email`, `uri`…).
 * Dialect from `$schema`: draft 2020-12, 2019-09, else draft-07 (ajv's default, which also reads
 * draft-06). `extract_json: true` finds the JSON in chatty output. Unknown keywords are ignored, as the JSON Schema spec asks; a schema that breaks
 * its meta-schema fails at load. Invalid JSON scores 0, like a schema violation.
 */
import type { AnySchemaObject, ErrorObject, ValidateFunction } from "ajv";
import type { z } from "zod";
import { JsonSchemaObject } from "../core/config-schema.ts";
import {
  type ScorerConfigProblem,
  type ScorerContext,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { ajvFor, jsonSchemaProblem } from "./ajv.ts";
import { scorerName } from "./common.ts";
import { ExtractJsonOption, foundNote, notJsonReason, outputJsonParser } from "./json-text.ts";

export const JsonSchemaConfig = scorerSchema("json_schema", {
  schema: JsonSchemaObject.optional().describe("Default: the task's json_schema"),
  extract_json: ExtractJsonOption,
});
export type JsonSchemaConfig = z.infer<typeof JsonSchemaConfig>;

/** How many validation errors a reason lists before "+N more". */
const ERRORS_SHOWN = 3;

function compile(schema: AnySchemaObject): ValidateFunction {
  return ajvFor(schema, { allErrors: true, strict: false }).compile(schema);
}

/** Formats ajv errors as `/path message`, the first few, then "+N more". */
export function describeErrors(errors: readonly ErrorObject[]): string {
  const shown = errors
    .slice(0, ERRORS_SHOWN)
    .map((e) => `${e.instancePath === "" ? "/" : e.instancePath} ${e.message}`);
  const more = errors.length > ERRORS_SHOWN ? `; +${errors.length - ERRORS_SHOWN} more` : "";
  return `${shown.join("; ")}${more}`;
}

export const jsonSchema: ScorerFactory<JsonSchemaConfig> = (config, context) => {
  const schema = config.schema ?? context.taskJsonSchema;
  if (schema === undefined) {
    throw new Error("json_schema scorer: needs a `schema`, or a `json_schema` on its task");
  }
  let validate: ValidateFunction;
  try {
    validate = compile(schema);
  } catch (error) {
    throw new Error(`json_schema scorer: invalid JSON Schema: ${(error as Error).message}`);
  }
  const parse = outputJsonParser(config.extract_json);
  return {
    name: scorerName(config),
    score({ output }) {
      const parsed = parse(output);
      if (!parsed.ok) return { score: 0, reason: notJsonReason(parsed) };
      if (validate(parsed.value)) return { score: 1, reason: `matches the schema${foundNote(parsed)}` };
      return {
        score: 0,
        reason: `does not match the schema${foundNote(parsed)}: ${describeErrors(validate.errors ?? [])}`,
      };
    },
  };
};

/** A `schema` ajv cannot compile, or no schema at all (none here, none on the task). */
function checkJsonSchema(config: JsonSchemaConfig, context: ScorerContext): ScorerConfigProblem[] {
  if (config.schema) {
    const problem = jsonSchemaProblem(config.schema);
    if (!problem) return [];
    return [{ field: "schema", message: `invalid JSON Schema: ${problem}`, expected: "a JSON Schema" }];
  }
  if (context.taskJsonSchema) return [];
  const message = "the json_schema scorer needs a `schema`, or a `json_schema` on its task";
  return [{ message, expected: "a `schema`" }];
}

export const jsonSchemaScorer: ScorerDefinition<JsonSchemaConfig> = {
  schema: JsonSchemaConfig,
  create: jsonSchema,
  shorthand: true,
  validity: true,
  check: checkJsonSchema,
};
