/**
 * `json_valid`: the output parses as JSON (`JSON.parse`), allowing one code fence around it
 * (see json-text.ts); with `extract_json: true`, JSON found in chatty output or a ```json block.
 * Never unscorable: invalid or empty output scores 0.
 */
import type { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { scorerName } from "./common.ts";
import { ExtractJsonOption, foundNote, jsonKind, notJsonReason, outputJsonParser } from "./json-text.ts";

export const JsonValidConfig = scorerSchema("json_valid", {
  extract_json: ExtractJsonOption,
});
export type JsonValidConfig = z.infer<typeof JsonValidConfig>;

export const jsonValid: ScorerFactory<JsonValidConfig> = (config) => {
  const parse = outputJsonParser(config.extract_json);
  return {
    name: scorerName(config),
    score({ output }) {
      const parsed = parse(output);
      if (!parsed.ok) return { score: 0, reason: notJsonReason(parsed) };
      return { score: 1, reason: `valid JSON ${jsonKind(parsed.value)}${foundNote(parsed)}` };
    },
  };
};

export const jsonValidScorer: ScorerDefinition<JsonValidConfig> = {
  schema: JsonValidConfig,
  create: jsonValid,
  shorthand: true,
  validity: true,
};
