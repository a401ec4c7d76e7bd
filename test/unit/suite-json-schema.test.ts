import { readFileSync } from "node:fs";
import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { suiteJsonSchema } from "../../src/suite/json-schema.ts";

function validator() {
  const ajv = new Ajv({ allErrors: true });
  addFormats.default(ajv);
  return ajv.compile(suiteJsonSchema());
}

const minimal = (scorers: unknown[]) => ({
  name: "s",
  models: [{ id: "m", runner: "llamacpp", url: "http://127.0.0.1:8080" }],
  tasks: [{ id: "t", prompt: "{{q}}", dataset: [{ q: 1 }], scorers }],
});

describe("suiteJsonSchema", () => {
  it("is a draft-07 schema with a title and field descriptions", () => {
    const schema = suiteJsonSchema() as {
      $schema: string;
      title: string;
      properties: { defaults: { description: string; properties: { max_tokens: { description: string } } } };
    };
    expect(schema.$schema).toBe("http://json-schema.org/draft-07/schema#");
    expect(schema.title).toBe("opbench suite");
    expect(schema.properties.defaults.description).toBe("Generation parameters for every call");
    expect(schema.properties.defaults.properties.max_tokens.description).toBe(
      "Maximum output tokens per call",
    );
  });

  it("compiles with ajv and accepts the valid fixture suite", () => {
    const validate = validator();
    const suite = parse(readFileSync("fixtures/suites/valid/suite.yaml", "utf8"), { merge: true });
    expect(validate(suite), JSON.stringify(validate.errors)).toBe(true);
  });

  it("rejects what the loader rejects: unknown keys, bad enums, bad durations", () => {
    const validate = validator();
    const wrong = parse(readFileSync("fixtures/suites/malformed/wrong-types.yaml", "utf8"));
    expect(validate(wrong)).toBe(false);
    const unknown = parse(readFileSync("fixtures/suites/malformed/unknown-keys.yaml", "utf8"));
    expect(validate(unknown)).toBe(false);
  });

  it("accepts scorer shorthand strings and scorer objects, and rejects unknown ones", () => {
    const validate = validator();
    expect(
      validate(minimal(["exact", { type: "regex", pattern: "^a$" }, { type: "one_of", labels: ["a"] }])),
    ).toBe(true);
    expect(validate(minimal(["regex"]))).toBe(false);
    expect(validate(minimal([{ type: "regex" }]))).toBe(false);
    expect(validate(minimal([{ type: "exact", extra: 1 }]))).toBe(false);
  });
});
