import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/core/duration.ts";

describe("parseDuration", () => {
  it("reads numbers as seconds", () => {
    expect(parseDuration(30)).toBe(30_000);
    expect(parseDuration(0.5)).toBe(500);
    expect(parseDuration(1.1)).toBe(1_100);
  });

  it("reads unit strings as milliseconds", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("2m")).toBe(120_000);
    expect(parseDuration("1h")).toBe(3_600_000);
    expect(parseDuration("1.5 s")).toBe(1_500);
  });

  it("rejects anything else", () => {
    expect(() => parseDuration("3 weeks")).toThrow(RangeError);
    expect(() => parseDuration("10")).toThrow(RangeError);
    expect(() => parseDuration(-1)).toThrow(RangeError);
    expect(() => parseDuration(Number.NaN)).toThrow(RangeError);
  });
});
