import { describe, expect, it } from "vitest";
import { jsonSchema } from "../../src/scoring/json-schema.ts";
import { sync } from "../helpers/sync-scorer.ts";

const person = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1 },
    age: { type: "integer", minimum: 0 },
    email: { type: "string", format: "email" },
  },
  required: ["name", "age"],
  additionalProperties: false,
};
const context = { baseDir: "." };
const run = (scorer: ReturnType<typeof jsonSchema>, output: string) =>
  sync(scorer.score({ output, expected: undefined }));

describe("json_schema scorer", () => {
  const scorer = jsonSchema({ type: "json_schema", schema: person }, context);

  it("scores 1 for valid instances, fenced or not", () => {
    expect(run(scorer, '{"name": "Zoë", "age": 31}')).toEqual({ score: 1, reason: "matches the schema" });
    expect(run(scorer, '```json\n{"name": "A", "age": 0}\n```')).toEqual({
      score: 1,
      reason: "matches the schema (inside a ``` code fence)",
    });
  });

  it("lists the first errors with their paths", () => {
    const result = run(scorer, '{"name": "", "age": 1.5}');
    expect(result.score).toBe(0);
    expect(result.reason).toBe(
      "does not match the schema: /name must NOT have fewer than 1 characters; /age must be integer",
    );
  });

  it("counts the errors it leaves out", () => {
    const result = run(scorer, '{"name": 1, "age": "x", "email": 3, "extra": true}');
    expect(result.reason).toMatch(/^does not match the schema: (.+; ){2}[^;]+; \+\d+ more$/);
  });

  it("checks formats (ajv-formats)", () => {
    expect(run(scorer, '{"name": "a", "age": 1, "email": "not-an-email"}').reason).toBe(
      'does not match the schema: /email must match format "email"',
    );
    expect(run(scorer, '{"name": "a", "age": 1, "email": "a@example.com"}').score).toBe(1);
  });

  it("scores invalid JSON and empty output 0", () => {
    expect(run(scorer, "{name: 1}").reason).toMatch(/^not valid JSON: /);
    expect(run(scorer, "")).toEqual({ score: 0, reason: "not valid JSON: empty output" });
    expect(run(scorer, "[]").reason).toBe("does not match the schema: / must be object");
  });

  it("falls back to the task's json_schema", () => {
    const fromTask = jsonSchema({ type: "json_schema" }, { baseDir: ".", taskJsonSchema: { type: "array" } });
    expect(run(fromTask, "[1]").score).toBe(1);
    expect(run(fromTask, "{}").score).toBe(0);
  });

  it("reads draft 2020-12 schemas (prefixItems)", () => {
    const tuple = jsonSchema(
      {
        type: "json_schema",
        schema: {
          $schema: "https://json-schema.org/draft/2020-12/schema",
          type: "array",
          prefixItems: [{ type: "string" }, { type: "number" }],
          items: false,
        },
      },
      context,
    );
    expect(run(tuple, '["a", 1]').score).toBe(1);
    expect(run(tuple, '["a", 1, 2]').score).toBe(0);
    expect(run(tuple, "[1, 1]").score).toBe(0);
  });

  it("fails at creation without a schema or with an invalid one", () => {
    expect(() => jsonSchema({ type: "json_schema" }, context)).toThrow(/needs a `schema`/);
    expect(() => jsonSchema({ type: "json_schema", schema: { type: "integr" } }, context)).toThrow(
      /json_schema scorer: invalid JSON Schema: .*type/,
    );
  });

  it("takes its name from the config", () => {
    expect(jsonSchema({ type: "json_schema", name: "shape", schema: person }, context).name).toBe("shape");
    expect(scorer.name).toBe("json_schema");
  });
});
