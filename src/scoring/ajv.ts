/**
 * ajv, loaded the first time a JSON Schema is compiled: most suites have none, and ajv with its
 * formats costs ~13 MB of memory at load. ajv is CommonJS, so a synchronous `require` serves.
 */
import { createRequire } from "node:module";
import type { Ajv, Options } from "ajv";

type AjvClass = new (options?: Options) => Ajv;

let loaded:
  | { Ajv: AjvClass; Ajv2019: AjvClass; Ajv2020: AjvClass; addFormats: (ajv: Ajv) => unknown }
  | undefined;

function load(): NonNullable<typeof loaded> {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    loaded = {
      Ajv: (require("ajv") as { Ajv: AjvClass }).Ajv,
      Ajv2019: (require("ajv/dist/2019.js") as { Ajv2019: AjvClass }).Ajv2019,
      Ajv2020: (require("ajv/dist/2020.js") as { Ajv2020: AjvClass }).Ajv2020,
      addFormats: (require("ajv-formats") as { default: (ajv: Ajv) => unknown }).default,
    };
  }
  return loaded;
}

/**
 * An ajv instance with ajv-formats for the dialect `schema` declares in `$schema`: draft 2020-12,
 * 2019-09, else draft-07 (ajv's default, which also reads draft-06).
 */
export function ajvFor(schema: Record<string, unknown>, options: Options): Ajv {
  const { Ajv, Ajv2019, Ajv2020, addFormats } = load();
  const dialect = typeof schema.$schema === "string" ? schema.$schema : "";
  const ajv = dialect.includes("2020-12")
    ? new Ajv2020(options)
    : dialect.includes("2019-09")
      ? new Ajv2019(options)
      : new Ajv(options);
  addFormats(ajv);
  return ajv;
}

const CHECK_OPTIONS: Options = { allErrors: true, logger: false };

/**
 * Why `schema` is not a usable JSON Schema, or undefined when ajv compiles it (at load time, for
 * tasks' `json_schema` and the json_schema scorer). The draft follows `$schema` (2020-12, 2019-09,
 * else draft-07); unknown keywords and formats are errors.
 */
export function jsonSchemaProblem(schema: Record<string, unknown>): string | undefined {
  const ajv = ajvFor(schema, CHECK_OPTIONS);
  try {
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
