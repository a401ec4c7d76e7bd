/**
 * `one_of`: the trimmed output must be exactly one of a fixed set of labels (a classifier's
 * valid answers), or a synonym of one (`synonyms: {positive: [pos, "+"]}` maps each synonym to
 * its label). By default it checks validity only and ignores the expected answer; with
 * `match_expected: true` the label the output maps to must also be the expected answer's
 * label (the expected answer goes through the same synonyms). Labels come from `labels` or from
 * `labels_file` (relative to the suite file): a JSON array of strings, or one label per line
 * (blank lines skipped). Labels are trimmed; comparison is case-sensitive unless `ignore_case`.
 */
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerContext,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";

export const OneOfConfig = scorerSchema("one_of", {
  labels: z.array(z.string()).optional(),
  labels_file: z.string().optional().describe("JSON array or one label per line"),
  synonyms: z
    .record(z.string(), z.array(z.string()))
    .optional()
    .describe("Label → other answers that mean it, e.g. {positive: [pos, good]}"),
  ignore_case: z.boolean().optional(),
  match_expected: z
    .boolean()
    .optional()
    .describe("Also require the output's label to be the expected answer's (default false: validity only)"),
});
export type OneOfConfig = z.infer<typeof OneOfConfig>;

/** Parses a labels file's text: a JSON array of strings, else one label per line. */
export function parseLabels(text: string, source: string): string[] {
  const body = text.replace(/^\uFEFF/, "");
  if (body.trimStart().startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new Error(`${source} starts with "[" but is not a valid JSON array: ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed) || !parsed.every((label) => typeof label === "string")) {
      throw new Error(`${source} must be a JSON array of strings`);
    }
    return parsed;
  }
  return body.split(/\r?\n/).filter((line) => line.trim() !== "");
}

function loadLabels(config: OneOfConfig, context: ScorerContext): string[] {
  if (config.labels !== undefined && config.labels_file !== undefined) {
    throw new Error("one_of scorer: give `labels` or `labels_file`, not both");
  }
  if (config.labels !== undefined) return config.labels;
  if (config.labels_file === undefined) {
    throw new Error(
      "one_of scorer: needs `labels` (a list) or `labels_file` (a JSON array or one label per line)",
    );
  }
  const path = resolve(context.baseDir, config.labels_file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `one_of scorer: cannot read labels_file ${config.labels_file} (${path}): ${(error as Error).message}`,
    );
  }
  return parseLabels(text, `one_of scorer: labels_file ${config.labels_file}`);
}

export const oneOf: ScorerFactory<OneOfConfig> = (config, context) => {
  const labels = loadLabels(config, context).map((label) => label.trim());
  const empty = labels.indexOf("");
  if (empty >= 0) throw new Error(`one_of scorer: label ${empty + 1} is empty`);
  const labelSet = new Set(labels);
  if (labelSet.size === 0) throw new Error("one_of scorer: the label list is empty");
  const ignoreCase = config.ignore_case === true;
  const fold = (text: string) => (ignoreCase ? text.toLowerCase() : text);
  const toLabel = labelMap(labelSet, config.synonyms ?? {}, fold);
  const byLowerCase = new Map([...labelSet].map((label) => [label.toLowerCase(), label]));
  const listed = [...labelSet].slice(0, 5).map((label) => quote(label, 30));
  const summary = `${labelSet.size} labels (${listed.join(", ")}${labelSet.size > 5 ? ", …" : ""})`;
  const matchExpected = config.match_expected === true;
  return {
    name: scorerName(config),
    score({ output, expected }) {
      const answer = output.trim();
      const label = answer.length > 1000 ? undefined : toLabel.get(fold(answer));
      if (label === undefined) {
        if (answer === "") return { score: 0, reason: `empty output; expected one of ${summary}` };
        const caseOnly = ignoreCase ? undefined : byLowerCase.get(answer.toLowerCase());
        const hint = caseOnly === undefined ? "" : `; differs only in case from ${quote(caseOnly)}`;
        return { score: 0, reason: `${quote(answer)} is not one of ${summary}${hint}` };
      }
      const via = label === answer ? "" : ` (as ${quote(label)})`;
      if (!matchExpected)
        return { score: 1, reason: `${quote(answer)}${via} is one of the ${labelSet.size} labels` };
      if (expected === undefined) return { score: null, reason: `${NO_EXPECTED} to match the label against` };
      const want = toLabel.get(fold(expected.trim())) ?? expected.trim();
      return label === want
        ? { score: 1, reason: `${quote(answer)}${via} is the expected label` }
        : { score: 0, reason: `${quote(answer)}${via}: expected ${quote(want)}` };
    },
  };
};

/** Every accepted answer (folded) → its label: the labels themselves, then their synonyms. */
function labelMap(
  labels: ReadonlySet<string>,
  synonyms: Readonly<Record<string, readonly string[]>>,
  fold: (text: string) => string,
): Map<string, string> {
  const map = new Map<string, string>();
  for (const label of labels) map.set(fold(label), label);
  for (const [label, words] of Object.entries(synonyms)) {
    if (!labels.has(label.trim())) {
      throw new Error(`one_of scorer: synonyms name ${quote(label)}, which is not one of the labels`);
    }
    for (const word of words) {
      const key = fold(word.trim());
      const taken = map.get(key);
      if (key === "") throw new Error(`one_of scorer: a synonym of ${quote(label)} is empty`);
      if (taken !== undefined && taken !== label.trim()) {
        throw new Error(
          `one_of scorer: synonym ${quote(word)} maps to both ${quote(taken)} and ${quote(label)}`,
        );
      }
      map.set(key, label.trim());
    }
  }
  return map;
}

/** Synonyms of labels not listed, or a `labels_file` that does not exist, positioned at the field. */
function checkOneOf(config: OneOfConfig, context: ScorerContext): ScorerConfigProblem[] {
  if (config.labels !== undefined && config.synonyms !== undefined) {
    const labels = new Set(config.labels.map((label) => label.trim()));
    const unknown = Object.keys(config.synonyms).filter((label) => !labels.has(label.trim()));
    if (unknown.length > 0) {
      const message = `synonyms name ${unknown.map((l) => quote(l, 30)).join(", ")}, not among the labels`;
      return [{ field: "synonyms", message, expected: "synonyms keyed by listed labels" }];
    }
  }
  if (config.labels_file === undefined) return [];
  const file = resolve(context.baseDir, config.labels_file);
  if (isFile(file)) return [];
  return [{ field: "labels_file", message: `labels file not found: ${file}`, expected: "an existing file" }];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export const oneOfScorer: ScorerDefinition<OneOfConfig> = {
  schema: OneOfConfig,
  create: oneOf,
  validity: true,
  check: checkOneOf,
};
