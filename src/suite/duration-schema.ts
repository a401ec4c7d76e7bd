/** The suite format's duration type, apart so that feature schemas (load) can share it without a cycle. */
import { z } from "zod";

/** A duration: a number of seconds, or a string such as `500ms`, `30s`, `2m`. */
export const Duration = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h)$/)])
  .describe("A duration: seconds as a number, or a string with a unit: 500ms, 30s, 2m, 1h");
