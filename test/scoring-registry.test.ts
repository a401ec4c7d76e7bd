import { describe, expect, it } from "vitest";
import { createScorer, scorers } from "../src/scoring/index.ts";
import { ScorerConfig } from "../src/suite/schema.ts";

const context = { baseDir: "." };

describe("scorer registry", () => {
  it("has a factory for every scorer type in the suite schema", () => {
    const schemaTypes = ScorerConfig.options.map((option) => option.shape.type.value).sort();
    expect(Object.keys(scorers).sort()).toEqual(schemaTypes);
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
    const outputs = built.map((s) => s.score({ output: " Yes ", expected: "yes" }).score);
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
