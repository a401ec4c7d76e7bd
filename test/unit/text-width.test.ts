/**
 * bin/text-width.js stands in for `string-width` under yargs (bin/opbench.js resolves it there):
 * the widths it gives itself must be the package's own, for every version the CLI's dependencies
 * import, and everything else must go to the package.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const require = createRequire(import.meta.url);
// A plain-JavaScript file of the bin (no declarations are shipped): its export typed here.
const { plainTextWidth } = (await import(new URL("../../bin/text-width.js", import.meta.url).href)) as {
  plainTextWidth: (text: string, options?: object) => number | undefined;
};
const packages = [
  "yargs/node_modules/string-width/index.js",
  "cliui/node_modules/string-width/index.js",
  "wrap-ansi/node_modules/string-width/index.js",
  "string-width/index.js",
];
const plain = [
  "",
  "  --concurrency  Calls in flight per model (overrides the suite)  [number]",
  "Run a suite — records → summary, 2× faster, ≤ 100 ms, ≥ 1, α = 0.05 … “quoted” −1 ≈ ≠",
  "café naïve ÷ ± ← ↑ ↓ ‰ ‹›",
];
const measuredByThePackage = [
  "表格 wide",
  "emoji 👍🏽 and ❤️",
  "↔ ↕",
  "e\u0301 combining",
  "\u001b[31mred\u001b[39m",
  "zero\u200bwidth",
  "soft\u00adhyphen",
];

describe("bin/text-width.js", () => {
  for (const path of packages) {
    it(`gives plain text the width ${path} gives it`, async () => {
      const module = await import(pathToFileURL(require.resolve(`../../node_modules/${path}`)).href);
      const real = (module.default ?? module) as (text: string) => number;
      for (const text of plain) expect(plainTextWidth(text), JSON.stringify(text)).toBe(real(text));
    });
  }
  it("leaves wide, emoji, combining, zero-width and ANSI text to the package", () => {
    for (const text of measuredByThePackage)
      expect(plainTextWidth(text), JSON.stringify(text)).toBeUndefined();
    expect(plainTextWidth("abc", { ambiguousIsNarrow: false })).toBeUndefined();
  });
});
