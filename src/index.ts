/**
 * The package's public entry (`import type { … } from "opbench"`): the types a custom scorer
 * module is written against. Types only, kept stable; everything else is internal.
 */
export type { LabelOutcome, ScoreRecord } from "./core/records.ts";
export type { ToolCall, ToolDefinition } from "./core/runner.ts";
export type { CustomScorerFunction, ScoreInput, ScoreResult } from "./core/scorer.ts";
