import { describe, expect, it } from "vitest";
import { isObject } from "../../src/core/json-object.ts";

describe("isObject", () => {
  it("is true for JSON objects only: not null, arrays or scalars", () => {
    expect([{}, { a: 1 }, JSON.parse('{"x": [1]}')].map(isObject)).toEqual([true, true, true]);
    expect([null, [], [1], "{}", 1, true, undefined].map(isObject)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
