/** The config fields every closed-API runner shares (model name, base URL, key, headers). */
import { z } from "zod";
import { modelFields } from "../src/core/model-config.ts";

/**
 * Fields of every closed-API model entry, the shared model fields first: spread them into the
 * runner's `z.strictObject({...apiModelFields, runner: z.literal("<kind>"), …})`.
 */
export const apiModelFields = {
  ...modelFields,
  model: z.string().min(1).describe("Model name as the API knows it, e.g. gpt-4.1-mini"),
  base_url: z.url().optional().describe("API base URL (default: the provider's)"),
  api_key_env: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional()
    .describe("Environment variable holding the API key"),
  headers: z
    .record(
      z.string(),
      z.union([
        z.string(),
        z
          .strictObject({ value: z.string(), public: z.boolean() })
          .describe("public: true records the value as is; false masks it whatever the name"),
      ]),
    )
    .optional()
    .describe(
      "Extra HTTP headers. Values of headers named like a secret (authorization, *key*, *token*, " +
        "*secret*, cookie …) are masked in every record unless given as {value, public: true}",
    ),
};

/** API runners are priced and estimated by the model name the API knows. */
export const pricedByModelName = (config: { model: string }): string => config.model;
