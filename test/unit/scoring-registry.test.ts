import { describe, expect, it } from "vitest";
import { builtinScorers, createScorer, scorerDefinitions } from "../../src/scoring/index.ts";
import { type ScorerConfig, suiteConfigSchema } from "../../src/suite/schema.ts";
import { sync } from "../helpers/sync-scorer.ts";

const context = { baseDir: "." };

describe("scorer registry", () => {
  it("puts every registered scorer type, and only those, in the suite schema", () => {
    const task = suiteConfigSchema().shape.tasks.element;
    const union = task.shape.scorers.unwrap().element.options[1] as unknown as {
      options: { shape: { type: { value: string } } }[];
    };
    const schemaTypes = union.options.map((option) => option.shape.type.value);
    expect(schemaTypes).toEqual([...scorerDefinitions().keys()]);
    expect(schemaTypes.sort()).toEqual(Object.keys(builtinScorers).sort());
  });

  it("builds each scorer from its config and names it", () => {
    const configs: ScorerConfig[] = [
      { type: "exact" },
      { type: "normalized_exact", name: "loose" },
      { type: "contains" },
      { type: "regex", pattern: "\\d+" },
      { type: "one_of", labels: ["yes", "no"] },
      { type: "json_valid" },
      { type: "json_schema", schema: { type: "object" } },
    ];
    const built = configs.map((config) => createScorer(config, context));
    expect(built.map((s) => s.name)).toEqual([
      "exact",
      "loose",
      "contains",
      "regex",
      "one_of",
      "json_valid",
      "json_schema",
    ]);
    const outputs = built.map((s) => sync(s.score({ output: " Yes ", expected: "yes" })).score);
    // exact: " Yes " ≠ "yes"; normalized: equal; contains: case-sensitive miss; regex: no digits;
    // one_of: case-sensitive miss; json_valid/json_schema: not JSON.
    expect(outputs).toEqual([0, 1, 0, 0, 0, 0, 0]);
  });

  it("passes creation errors through", () => {
    expect(() => createScorer({ type: "regex", pattern: "[" }, context)).toThrow(
      /invalid regular expression/,
    );
  });
});
