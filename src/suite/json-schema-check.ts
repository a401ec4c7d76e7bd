/** Compiles a JSON Schema with ajv to tell, at load time, whether it is valid. */
import { Ajv, type Options } from "ajv";
import { Ajv2019 } from "ajv/dist/2019.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const OPTIONS: Options = { allErrors: true, logger: false };

/**
 * Why `schema` is not a usable JSON Schema, or undefined when ajv compiles it. The draft follows
 * `$schema` (2020-12, 2019-09, else draft-07); unknown keywords and formats are errors.
 */
export function jsonSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const declared = typeof schema.$schema === "string" ? schema.$schema : "";
  const ajv = declared.includes("2020-12")
    ? new Ajv2020(OPTIONS)
    : declared.includes("2019-09")
      ? new Ajv2019(OPTIONS)
      : new Ajv(OPTIONS);
  addFormats.default(ajv);
  try {
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
