/**
 * `label_set`: multi-label classification (emotions, topics): the set of labels in the output
 * against the expected set. Either side is a JSON array of strings, else a list split on
 * `separator` (default: commas, semicolons and newlines); labels are trimmed, empty ones
 * dropped, duplicates counted once; `ignore_case` compares lower case. `mode: f1` (default)
 * scores the set F1 (both empty: 1), `mode: exact` 1 only for the same set. With `labels`, a
 * predicted label outside the list is named in the reason (it counts as a false positive).
 * A task's mean of this score is the example-based (per-sample) F1; each record also keeps its
 * labels by outcome, from which the summary gives the task's micro- and macro-averaged F1.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { f1, fixed, graded, ThresholdOption } from "./graded.ts";

export const LabelSetConfig = scorerSchema("label_set", {
  mode: z.enum(["f1", "exact"]).optional().describe("f1 (default): set F1; exact: the same set"),
  separator: z.string().min(1).optional().describe("Splits a plain-text list (default: , ; and newlines)"),
  ignore_case: z.boolean().optional(),
  labels: z.array(z.string().min(1)).optional().describe("The valid labels (others are named in the reason)"),
  threshold: ThresholdOption,
});
export type LabelSetConfig = z.infer<typeof LabelSetConfig>;

const DEFAULT_SEPARATOR = /[,;\n]/;
/** Labels read from an output at most: a runaway output is not a label set. */
const MAX_LABELS = 10_000;

/** The labels in `text`: a JSON array of strings, else split on `separator`. */
export function parseLabelList(text: string, separator: string | RegExp = DEFAULT_SEPARATOR): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) return parsed.map((item) => String(item).trim()).filter((l) => l !== "");
    } catch {
      // Not JSON: read it as a plain list.
    }
  }
  return trimmed
    .split(separator, MAX_LABELS)
    .map((label) => label.trim())
    .filter((label) => label !== "");
}

export const labelSet: ScorerFactory<LabelSetConfig> = (config) => {
  const fold = config.ignore_case === true ? (l: string) => l.toLowerCase() : (l: string) => l;
  const separator = config.separator ?? DEFAULT_SEPARATOR;
  const known = config.labels === undefined ? undefined : new Set(config.labels.map((l) => fold(l.trim())));
  const exact = config.mode === "exact";
  const list = (labels: Iterable<string>) => {
    const all = [...labels].map((l) => quote(l, 20));
    return all.length === 0 ? "none" : `${all.slice(0, 6).join(", ")}${all.length > 6 ? ", …" : ""}`;
  };
  return {
    name: scorerName(config),
    score({ output, expected }) {
      if (expected === undefined) return { score: null, reason: NO_EXPECTED };
      const got = new Set(parseLabelList(output, separator).map(fold));
      const want = new Set(parseLabelList(expected, separator).map(fold));
      const hits = [...got].filter((l) => want.has(l));
      const extra = [...got].filter((l) => !want.has(l));
      const missed = [...want].filter((l) => !got.has(l));
      const unknown = known === undefined ? [] : extra.filter((l) => !known.has(l));
      const labels = { tp: hits, fp: extra, fn: missed };
      const detail = [
        extra.length > 0 ? `extra ${list(extra)}` : "",
        missed.length > 0 ? `missed ${list(missed)}` : "",
        unknown.length > 0 ? `not valid labels: ${list(unknown)}` : "",
      ]
        .filter((part) => part !== "")
        .join("; ");
      if (exact) {
        const same = extra.length === 0 && missed.length === 0;
        return same
          ? { score: 1, reason: `same label set (${list(want)})`, labels }
          : { score: 0, reason: `label sets differ: ${detail}`, labels };
      }
      if (got.size === 0 && want.size === 0) {
        return { ...graded(1, config.threshold, "label F1", "both empty"), labels };
      }
      const precision = got.size === 0 ? 0 : hits.length / got.size;
      const recall = want.size === 0 ? 0 : hits.length / want.size;
      const shown = `precision ${fixed(precision)}, recall ${fixed(recall)}${detail === "" ? "" : `; ${detail}`}`;
      return { ...graded(f1(precision, recall), config.threshold, "label F1", shown), labels };
    },
  };
};

export const labelSetScorer: ScorerDefinition<LabelSetConfig> = {
  schema: LabelSetConfig,
  create: labelSet,
  shorthand: true,
};
