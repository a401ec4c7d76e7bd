/** Compiles a JSON Schema with ajv to tell, at load time, whether it is valid. */
import type { Options } from "ajv";
import { ajvFor } from "../scoring/ajv.ts";

const OPTIONS: Options = { allErrors: true, logger: false };

/**
 * Why `schema` is not a usable JSON Schema, or undefined when ajv compiles it. The draft follows
 * `$schema` (2020-12, 2019-09, else draft-07); unknown keywords and formats are errors.
 */
export function jsonSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const ajv = ajvFor(schema, OPTIONS);
  try {
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
