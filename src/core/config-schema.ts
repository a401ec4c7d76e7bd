/**
 * Zod types of the suite format that the suite, feature schemas (load) and plug-ins (runners,
 * scorers) share: here in the core so that each of them can import them without a cycle.
 */
import { z } from "zod";

/** A duration: a number of seconds, or a string such as `500ms`, `30s`, `2m`. */
export const Duration = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h)$/)])
  .describe("A duration: seconds as a number, or a string with a unit: 500ms, 30s, 2m, 1h");

/** A JSON Schema object (kept opaque: ajv checks it when the suite is resolved). */
export const JsonSchemaObject = z.record(z.string(), z.unknown()).describe("A JSON Schema object");
