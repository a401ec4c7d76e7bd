// `string-width` for yargs's help layout (cliui, wrap-ansi), resolved here by bin/opbench.js, and
// in the bundle for cli-table3's tables too (scripts/cli-bundle.ts).
// The packages it stands in for build an Intl.Segmenter and Unicode-property regular expressions
// when they load, about 100 ms of every command's start. Text of one-column characters only
// (printable ASCII, Latin-1, Greek letters, dashes, quotes, arrows and relations that are
// neither emoji nor East Asian wide) is as wide as it is long; anything else is measured by the
// package itself, loaded the first time it is needed.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const realUrl = new URL(import.meta.url).searchParams.get("of");
const oneColumn =
  /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u00ff\u0391-\u03c9\u2010-\u2027\u2030-\u203a\u2190-\u2193\u2212\u2248\u2260\u2264\u2265]*$/;
let measure;

/** The width of text made only of one-column characters (its length), else undefined. */
export function plainTextWidth(text, options) {
  return options === undefined && typeof text === "string" && oneColumn.test(text) ? text.length : undefined;
}

export default function stringWidth(text, options) {
  const plain = plainTextWidth(text, options);
  if (plain !== undefined) return plain;
  if (measure === undefined) {
    const module = createRequire(import.meta.url)(fileURLToPath(realUrl));
    measure = typeof module === "function" ? module : module.default;
  }
  return measure(text, options);
}
