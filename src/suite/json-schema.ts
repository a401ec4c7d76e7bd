/** The suite format as JSON Schema, for editor completion (`opbench schema`). */
import { z } from "zod";
import { suiteConfigSchema } from "./schema.ts";

/**
 * JSON Schema (draft-07, which YAML editors support best) of what a suite file may contain:
 * the input side of `SuiteConfig` (defaulted fields optional), with descriptions; every runner
 * and scorer registered now included.
 */
export function suiteJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(suiteConfigSchema(), {
    target: "draft-7",
    io: "input",
    // Checks that JSON Schema cannot express (`url` xor `spawn`) are left to `opbench validate`.
    unrepresentable: "any",
  }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: "opbench suite",
    description: "A benchmark suite: models x tasks (prompt templates over datasets) x scorers.",
    ...schema,
  };
}
