/**
 * `contains`: the output contains a literal text — the config's `value`, else the case's
 * expected answer — anywhere, as is (no trimming or Unicode normalisation). With `values`, several
 * texts: `mode: any` (the default) needs one of them, `mode: all` every one (the reason lists
 * those missing). `ignore_case` lower-cases both sides first. Unscorable (null) when there is
 * nothing to look for: no `value`/`values` and no expected answer, or an empty expected answer.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

export const ContainsConfig = scorerSchema("contains", {
  value: z.string().optional().describe("Text to look for (default: the expected answer)"),
  values: z.array(z.string().min(1)).min(1).optional().describe("Several texts to look for (see `mode`)"),
  mode: z.enum(["any", "all"]).optional().describe("With `values`: any one of them (default) or all"),
  ignore_case: z.boolean().optional(),
});
export type ContainsConfig = z.infer<typeof ContainsConfig>;

export const contains: ScorerFactory<ContainsConfig> = (config) => {
  if (config.value === "") {
    throw new Error(
      "contains scorer: `value` is empty, so every output would contain it; give a non-empty text",
    );
  }
  if (config.value !== undefined && config.values !== undefined) {
    throw new Error("contains scorer: give `value` or `values`, not both");
  }
  const ignoreCase = config.ignore_case === true;
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const caseNote = ignoreCase ? " (ignoring case)" : "";
  const all = config.mode === "all";
  const values = config.values?.map((value) => ({ value, folded: fold(value) }));
  return {
    name: scorerName(config),
    score({ output, expected }) {
      if (values !== undefined) {
        const text = fold(output);
        const found = values.filter((v) => text.includes(v.folded)).map((v) => v.value);
        const missing = values.filter((v) => !found.includes(v.value)).map((v) => quote(v.value, 30));
        if (all) {
          return missing.length === 0
            ? { score: 1, reason: `contains all ${values.length} values${caseNote}` }
            : {
                score: 0,
                reason: `lacks ${missing.length} of ${values.length} values: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}${caseNote}`,
              };
        }
        return found.length > 0
          ? { score: 1, reason: `contains ${quote(found[0]!)}${caseNote}` }
          : {
              score: 0,
              reason: `contains none of ${values.length} values (${missing.slice(0, 5).join(", ")})${caseNote}`,
            };
      }
      const needle = config.value ?? expected;
      if (needle === undefined) return { score: null, reason: `${NO_EXPECTED} and no \`value\` configured` };
      if (needle === "") return { score: null, reason: "expected answer is empty: nothing to look for" };
      return fold(output).includes(fold(needle))
        ? { score: 1, reason: `contains ${quote(needle)}${caseNote}` }
        : { score: 0, reason: `does not contain ${quote(needle)}${caseNote}` };
    },
  };
};

/** `mode` without `values` does nothing: say so at the field. */
function checkContains(config: ContainsConfig) {
  if (config.mode === undefined || config.values !== undefined) return [];
  return [
    { field: "mode", message: "`mode` applies to `values` only", expected: "a `values` list beside it" },
  ];
}

export const containsScorer: ScorerDefinition<ContainsConfig> = {
  schema: ContainsConfig,
  create: contains,
  shorthand: true,
  check: checkContains,
};
