/**
 * `spans`: typed spans (entities, PII) in the output against the expected ones, for extraction
 * and redaction checks. Both sides are JSON (the output through `extract_json` when allowed):
 * a list of `{type, text, start?, end?}` (`label` or `entity` may stand for `type`), an object
 * holding such a list under `entities` or `spans`, or an object mapping each type to its texts
 * (`{"PERSON": ["Ada"], "EMAIL": ["a@b.c"]}`). `match: exact` (default) pairs spans of the same
 * type with the same offsets (when both have them) or the same trimmed text; `overlap` pairs
 * spans whose offsets overlap or whose texts contain one another. Each expected span pairs at
 * most once. The score is the F1 over all spans (none expected, none found: 1); the reason gives
 * precision, recall and F1 per type. `ignore_type` compares spans only; `ignore_case` the text.
 */
import { z } from "zod";
import { type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { f1, fixed, graded, ThresholdOption } from "./graded.ts";
import { ExtractJsonOption, notJsonReason, outputJsonParser } from "./json-text.ts";

export const SpansConfig = scorerSchema("spans", {
  match: z.enum(["exact", "overlap"]).optional().describe("exact (default) or overlap"),
  ignore_type: z.boolean().optional().describe("Pair spans whatever their type"),
  ignore_case: z.boolean().optional(),
  extract_json: ExtractJsonOption,
  threshold: ThresholdOption,
});
export type SpansConfig = z.infer<typeof SpansConfig>;

export interface Span {
  type: string;
  text: string;
  start?: number;
  end?: number;
}

/** Spans read from one side at most (a runaway output is not a span list). */
const MAX_SPANS = 10_000;

function spanOf(item: unknown): Span | undefined {
  if (typeof item === "string") return { type: "", text: item };
  if (item === null || typeof item !== "object" || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  const type = o.type ?? o.label ?? o.entity ?? o.entity_type ?? "";
  const text = o.text ?? o.value ?? o.span ?? "";
  if (typeof type !== "string" || typeof text !== "string") return undefined;
  const span: Span = { type, text };
  if (typeof o.start === "number" && typeof o.end === "number") {
    span.start = o.start;
    span.end = o.end;
  }
  return span.text === "" && span.start === undefined ? undefined : span;
}

/** The spans in a parsed JSON value, or a sentence saying why it holds none. */
export function readSpans(value: unknown): Span[] | string {
  let list: unknown = value;
  if (list !== null && typeof list === "object" && !Array.isArray(list)) {
    const o = list as Record<string, unknown>;
    if (Array.isArray(o.entities)) list = o.entities;
    else if (Array.isArray(o.spans)) list = o.spans;
    else {
      // {TYPE: [texts]} (or {TYPE: text}).
      const spans: Span[] = [];
      for (const [type, texts] of Object.entries(o)) {
        for (const text of Array.isArray(texts) ? texts : [texts]) {
          if (typeof text !== "string") return `${quote(type, 20)} maps to a non-text value`;
          spans.push({ type, text });
        }
      }
      return spans.slice(0, MAX_SPANS);
    }
  }
  if (!Array.isArray(list)) return "not a list of spans";
  const spans: Span[] = [];
  for (const item of list.slice(0, MAX_SPANS)) {
    const span = spanOf(item);
    if (span === undefined)
      return `${quote(JSON.stringify(item) ?? String(item), 30)} is not a span ({type, text, start?, end?})`;
    spans.push(span);
  }
  return spans;
}

type Keyed = Span & { key: string };

interface Tally {
  tp: number;
  predicted: number;
  gold: number;
}

export const spansFactory: ScorerFactory<SpansConfig> = (config) => {
  const overlap = config.match === "overlap";
  const fold = config.ignore_case === true ? (t: string) => t.trim().toLowerCase() : (t: string) => t.trim();
  const typeOf = (span: Span) => (config.ignore_type === true ? "" : span.type);
  const parse = outputJsonParser(config.extract_json);
  /** A span as compared: its type (or "" when ignored) and folded text, computed once. */
  const keyed = (span: Span) => ({ ...span, type: typeOf(span), key: fold(span.text) });
  const same = (p: Keyed, g: Keyed): boolean => {
    if (p.type !== g.type) return false;
    const offsets = p.start !== undefined && g.start !== undefined;
    if (offsets && !overlap) return p.start === g.start && p.end === g.end;
    if (offsets) return p.start! < g.end! && g.start! < p.end!;
    if (!overlap) return p.key === g.key;
    return p.key !== "" && g.key !== "" && (p.key.includes(g.key) || g.key.includes(p.key));
  };
  return {
    name: scorerName(config),
    score({ output, expected }) {
      if (expected === undefined) return { score: null, reason: NO_EXPECTED };
      let goldValue: unknown;
      try {
        goldValue = JSON.parse(expected);
      } catch {
        return { score: null, reason: `the expected answer is not JSON: ${quote(expected, 40)}` };
      }
      const goldSpans = readSpans(goldValue);
      if (typeof goldSpans === "string") return { score: null, reason: `expected answer: ${goldSpans}` };
      const gold = goldSpans.map(keyed);
      const parsed = parse(output);
      if (!parsed.ok) return { score: 0, reason: notJsonReason(parsed) };
      const predictedSpans = readSpans(parsed.value);
      if (typeof predictedSpans === "string") return { score: 0, reason: `output: ${predictedSpans}` };
      const predicted = predictedSpans.map(keyed);
      const tallies = new Map<string, Tally>();
      const tally = (type: string) => {
        let t = tallies.get(type);
        if (!t) {
          t = { tp: 0, predicted: 0, gold: 0 };
          tallies.set(type, t);
        }
        return t;
      };
      for (const g of gold) tally(g.type).gold++;
      const used = new Uint8Array(gold.length);
      for (const p of predicted) {
        const t = tally(p.type);
        t.predicted++;
        const index = gold.findIndex((g, i) => used[i] === 0 && same(p, g));
        if (index >= 0) {
          used[index] = 1;
          t.tp++;
        }
      }
      if (predicted.length === 0 && gold.length === 0) {
        return graded(1, config.threshold, "span F1", "no spans expected, none found");
      }
      const tp = [...tallies.values()].reduce((sum, t) => sum + t.tp, 0);
      const precision = predicted.length === 0 ? 0 : tp / predicted.length;
      const recall = gold.length === 0 ? 0 : tp / gold.length;
      const perType = [...tallies.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .slice(0, 8)
        .map(([type, t]) => {
          const p = t.predicted === 0 ? 0 : t.tp / t.predicted;
          const r = t.gold === 0 ? 0 : t.tp / t.gold;
          return `${type === "" ? "(any)" : type} F1 ${fixed(f1(p, r))} (${t.tp}/${t.gold} found, ${t.predicted - t.tp} wrong)`;
        });
      const detail = `precision ${fixed(precision)}, recall ${fixed(recall)}; ${perType.join("; ")}${tallies.size > 8 ? "; …" : ""}`;
      return graded(f1(precision, recall), config.threshold, "span F1", detail);
    },
  };
};

export const spansScorer: ScorerDefinition<SpansConfig> = {
  schema: SpansConfig,
  create: spansFactory,
  shorthand: true,
};
