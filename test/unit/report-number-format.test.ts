/** The HTML report's number formats write what ICU's en-US formatting writes, without loading it. */
import { describe, expect, it } from "vitest";
import { enUS, ratio, usd } from "../../reports/html/format.ts";
import { mulberry32 } from "../../src/stats/prng.ts";

const random = mulberry32(19);
const samples = [
  0,
  -0,
  1,
  -1,
  7,
  999,
  1000,
  -1000,
  1234.5,
  12.35,
  0.125,
  0.1235,
  1.0005,
  99.999,
  219021,
  -219021.25,
  1e21,
  1.5e-7,
  123456789012,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  ...Array.from({ length: 500 }, () => Math.round((random() - 0.3) * 10 ** Math.floor(random() * 12))),
  ...Array.from({ length: 500 }, () =>
    Number(((random() - 0.3) * 10 ** (Math.floor(random() * 10) - 4)).toPrecision(4)),
  ),
];

describe("report number formats", () => {
  it("enUS is toLocaleString('en-US')", () => {
    for (const value of samples) expect(enUS(value), String(value)).toBe(value.toLocaleString("en-US"));
  });

  it("usd writes small amounts in full with three significant figures, as ICU does", () => {
    const icu = (value: number) => {
      const abs = Math.abs(value);
      const sign = value < 0 ? "−" : "";
      if (abs >= 100) return `${sign}$${Math.round(abs).toLocaleString("en-US")}`;
      if (abs === 0) return "$0";
      return `${sign}$${Number(abs.toPrecision(3)).toLocaleString("en-US", { maximumSignificantDigits: 3 })}`;
    };
    for (const value of [...samples.filter(Number.isFinite), 1.55e-8, 2e-12, 0.000123456, 0.5, 99.95])
      expect(usd(value), String(value)).toBe(icu(value));
    expect(usd(1.55e-8)).toBe("$0.0000000155");
    expect(ratio(219021)).toBe("219,021");
  });
});
