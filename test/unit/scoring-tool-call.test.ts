import { describe, expect, it } from "vitest";
import type { ToolCall, ToolDefinition } from "../../src/core/runner.ts";
import type { ScorerConfigBase } from "../../src/core/scorer.ts";
import { createScorer } from "../../src/scoring/index.ts";
import { sync } from "../helpers/sync-scorer.ts";

const weather: ToolDefinition = {
  name: "get_weather",
  parameters: {
    type: "object",
    properties: {
      city: { type: "string" },
      unit: { type: "string", enum: ["C", "F"], default: "C" },
      days: { type: "integer" },
      lat: { type: "number" },
      hourly: { type: "boolean" },
      tags: { type: "array", items: { type: "string" } },
      where: { type: "object", properties: { zip: { type: "string" } } },
    },
    required: ["city"],
  },
};
const book: ToolDefinition = {
  name: "book_table",
  parameters: { type: "object", properties: { people: { type: "integer" } }, required: ["people"] },
};
const context = { baseDir: ".", taskTools: [weather, book] };

const call = (name: string, args: unknown, id?: string): ToolCall => ({
  name,
  arguments: typeof args === "string" ? args : JSON.stringify(args),
  ...(id !== undefined && { id }),
});
const run = (
  expected: unknown,
  toolCalls: ToolCall[] | undefined,
  options: Record<string, unknown> = {},
  output = "",
) =>
  sync(
    createScorer({ type: "tool_call", ...options } as ScorerConfigBase, context).score({
      output,
      expected: typeof expected === "string" ? expected : JSON.stringify(expected),
      ...(toolCalls !== undefined && { toolCalls }),
    }),
  );

describe("tool_call scorer", () => {
  it("passes a matching call, with an empty output text", () => {
    const result = run({ name: "get_weather", arguments: { city: "Paris" } }, [
      call("get_weather", { city: "Paris" }),
    ]);
    expect(result).toEqual({ score: 1, reason: "the call matches (2/2 checks passed)" });
  });

  it("names the path of each argument mismatch", () => {
    const result = run({ name: "get_weather", arguments: { city: "Paris", unit: "C" } }, [
      call("get_weather", { city: "Paris", unit: "F" }),
    ]);
    expect(result.score).toBe(0);
    expect(result.reason).toContain('get_weather.arguments.unit: got "F", expected "C"');
  });

  it("coerces by the schema's types: numeric and boolean strings, integers as floats, tolerance", () => {
    const expected = {
      name: "get_weather",
      arguments: { city: "Paris", days: 3, lat: 48.8566, hourly: true },
    };
    expect(
      run(expected, [call("get_weather", { city: "Paris", days: "3", lat: 48.8566, hourly: "True" })]).score,
    ).toBe(1);
    expect(
      run(expected, [call("get_weather", { city: "Paris", days: 3.0, lat: 48.8567, hourly: true })]).score,
    ).toBe(0);
    expect(
      run(expected, [call("get_weather", { city: "Paris", days: 3, lat: 48.8567, hourly: true })], {
        abs_tol: 0.001,
      }).score,
    ).toBe(1);
    const fraction = run(expected, [
      call("get_weather", { city: "Paris", days: 3.5, lat: 48.8566, hourly: true }),
    ]);
    expect(fraction.reason).toContain("get_weather.arguments.days: got 3.5, expected 3 (not an integer)");
  });

  it("does not coerce a number to a string parameter", () => {
    const result = run({ name: "get_weather", arguments: { city: "75" } }, [
      call("get_weather", { city: 75 }),
    ]);
    expect(result.score).toBe(0);
    expect(result.reason).toContain("(not a string)");
  });

  it("compares strings trimmed, case- and whitespace-insensitively unless strings: exact", () => {
    const expected = { name: "get_weather", arguments: { city: "New York" } };
    const made = [call("get_weather", { city: "  new   YORK " })];
    expect(run(expected, made).score).toBe(1);
    expect(run(expected, made, { strings: "exact" }).score).toBe(0);
    // Unicode: composed and decomposed forms are the same city.
    const composed = { name: "get_weather", arguments: { city: "Zürich" } };
    expect(run(composed, [call("get_weather", { city: "Zu\u0308rich" })]).score).toBe(1);
  });

  it("accepts any of a list of values, and an argument left out when the list has null", () => {
    const expected = {
      name: "get_weather",
      arguments: { city: ["NYC", "New York"], unit: { $any: ["F", null] } },
    };
    expect(run(expected, [call("get_weather", { city: "new york" })]).score).toBe(1);
    expect(run(expected, [call("get_weather", { city: "NYC", unit: "F" })]).score).toBe(1);
    const wrong = run(expected, [call("get_weather", { city: "Boston" })]);
    expect(wrong.reason).toContain('got "Boston", expected one of "NYC" | "New York"');
  });

  it("refuses unexpected arguments, but allows one sent with the schema's default", () => {
    const expected = { name: "get_weather", arguments: { city: "Paris" } };
    expect(run(expected, [call("get_weather", { city: "Paris", unit: "C" })]).score).toBe(1);
    const extra = run(expected, [call("get_weather", { city: "Paris", unit: "F" })]);
    expect(extra.score).toBe(0);
    expect(extra.reason).toContain('get_weather.arguments.unit: unexpected argument "F"');
  });

  it("requires the schema's required arguments and the expected ones", () => {
    const missing = run({ name: "get_weather", arguments: { city: "Paris", days: 2 } }, [
      call("get_weather", { city: "Paris" }),
    ]);
    expect(missing.reason).toContain("get_weather.arguments.days: missing");
    const required = run({ name: "book_table", arguments: {} }, [call("book_table", {})]);
    expect(required.reason).toContain("book_table.arguments.people: missing (required by the schema)");
  });

  it("compares arrays in order and objects recursively", () => {
    const expected = {
      name: "get_weather",
      arguments: { city: "Oslo", tags: ["a", "b"], where: { zip: "0150" } },
    };
    expect(
      run(expected, [call("get_weather", { city: "Oslo", tags: ["A", "b"], where: { zip: "0150" } })]).score,
    ).toBe(1);
    const swapped = run(expected, [
      call("get_weather", { city: "Oslo", tags: ["b", "a"], where: { zip: "0150" } }),
    ]);
    expect(swapped.reason).toContain("get_weather.arguments.tags[0]");
    const nested = run(expected, [
      call("get_weather", { city: "Oslo", tags: ["a", "b"], where: { zip: 150 } }),
    ]);
    expect(nested.reason).toContain("get_weather.arguments.where.zip");
  });

  it("matches several calls in any order unless ordered: true", () => {
    const expected = [
      { name: "get_weather", arguments: { city: "Paris" } },
      { name: "book_table", arguments: { people: 2 } },
    ];
    const made = [call("book_table", { people: 2 }), call("get_weather", { city: "Paris" })];
    expect(run(expected, made).score).toBe(1);
    const ordered = run(expected, made, { ordered: true });
    expect(ordered.score).toBe(0);
    expect(ordered.reason).toContain("[0] get_weather: called book_table");
  });

  it("pairs same-name calls so that each matches its own", () => {
    const expected = [
      { name: "get_weather", arguments: { city: "Paris" } },
      { name: "get_weather", arguments: { city: "Rome" } },
    ];
    const made = [call("get_weather", { city: "Rome" }), call("get_weather", { city: "Paris" })];
    expect(run(expected, made).score).toBe(1);
  });

  it("scores 0 for a missing call, an extra call, a wrong name and arguments that are not JSON", () => {
    const one = { name: "get_weather", arguments: { city: "Paris" } };
    expect(run(one, undefined).reason).toContain("get_weather: not called");
    const extra = run(one, [call("get_weather", { city: "Paris" }), call("book_table", { people: 1 })]);
    expect(extra.score).toBe(0);
    expect(extra.reason).toContain("book_table: unexpected call");
    expect(run(one, [call("book_table", { people: 1 })]).score).toBe(0);
    const broken = run(one, [call("get_weather", '{"city": "Par')]);
    expect(broken.score).toBe(0);
    expect(broken.reason).toContain("get_weather.arguments: not a JSON object");
  });

  it("with [] expects no call: none made scores 1, any call 0", () => {
    expect(run([], undefined)).toEqual({ score: 1, reason: "no call expected, none made" });
    expect(run([], [])).toMatchObject({ score: 1 });
    const called = run([], [call("get_weather", { city: "Paris" })]);
    expect(called.score).toBe(0);
    expect(called.reason).toContain("no call expected, got get_weather(");
  });

  it("gives partial credit as the fraction of checks, with an optional threshold", () => {
    const expected = { name: "get_weather", arguments: { city: "Paris", unit: "C", days: 2 } };
    const made = [call("get_weather", { city: "Paris", unit: "F", days: 2 })];
    const partial = run(expected, made, { partial_credit: true });
    expect(partial.score).toBeCloseTo(3 / 4);
    expect(partial.reason).toContain("3/4 checks passed");
    expect(run(expected, made, { partial_credit: true, threshold: 0.8 }).score).toBe(0);
    expect(run(expected, made, { partial_credit: true, threshold: 0.7 }).score).toBe(1);
  });

  it("is not fooled by output text claiming success", () => {
    const result = run(
      { name: "get_weather", arguments: { city: "Paris" } },
      undefined,
      {},
      'score: 1 {"name":"get_weather","arguments":{"city":"Paris"}}',
    );
    expect(result.score).toBe(0);
  });

  it("keeps its reason short for a 10 MB argument and Unicode names", () => {
    const huge = "é😀".repeat(3_000_000);
    const result = run({ name: "get_weather", arguments: { city: "Paris" } }, [
      call("get_weather", { city: huge }),
    ]);
    expect(result.score).toBe(0);
    expect(result.reason.length).toBeLessThan(500);
    const broken = run({ name: "get_weather", arguments: { city: "Paris" } }, [call("get_weather", huge)]);
    expect(broken.reason.length).toBeLessThan(500);
  });

  it("cannot score without an expected answer or with one that is not a call", () => {
    const scorer = createScorer({ type: "tool_call" } as ScorerConfigBase, context);
    expect(sync(scorer.score({ output: "", expected: undefined })).score).toBeNull();
    expect(run("not json", []).score).toBeNull();
    expect(run({ arguments: {} }, []).reason).toContain('is not {"name"');
  });

  it("types arguments by the case's own tools when it has them", () => {
    const caseTools: ToolDefinition[] = [
      { name: "set_level", parameters: { type: "object", properties: { level: { type: "number" } } } },
    ];
    const scorer = createScorer({ type: "tool_call" } as ScorerConfigBase, { baseDir: "." });
    const input = {
      output: "",
      expected: JSON.stringify({ name: "set_level", arguments: { level: 3 } }),
      toolCalls: [call("set_level", { level: "3" })],
    };
    expect(sync(scorer.score({ ...input, tools: caseTools })).score).toBe(1);
    // Without the schema, the expected value's own type (number) still accepts a numeric string.
    expect(sync(scorer.score(input)).score).toBe(1);
  });
});
