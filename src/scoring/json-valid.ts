/**
 * `json_valid`: the output parses as JSON (`JSON.parse`), allowing one code fence around it
 * (see json-text.ts). Never unscorable: invalid or empty output scores 0.
 */
import type { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { scorerName } from "./common.ts";
import { fenceNote, jsonKind, parseJsonOutput } from "./json-text.ts";

export const JsonValidConfig = scorerSchema("json_valid");
export type JsonValidConfig = z.infer<typeof JsonValidConfig>;

export const jsonValid: ScorerFactory<JsonValidConfig> = (config) => ({
  name: scorerName(config),
  score({ output }) {
    const parsed = parseJsonOutput(output);
    if (!parsed.ok) return { score: 0, reason: `not valid JSON${fenceNote(parsed.fenced)}: ${parsed.error}` };
    return { score: 1, reason: `valid JSON ${jsonKind(parsed.value)}${fenceNote(parsed.fenced)}` };
  },
});

export const jsonValidScorer: ScorerDefinition<JsonValidConfig> = {
  schema: JsonValidConfig,
  create: jsonValid,
  shorthand: true,
  validity: true,
};
