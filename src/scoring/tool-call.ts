/**
 * `tool_call`: the tool calls the model made against the expected call(s), the case's expected
 * answer as JSON: one call `{"name": …, "arguments": {…}}`, a list of calls (matched in any order
 * unless `ordered: true`), or `[]` for "no call expected". Names must match exactly; arguments are
 * checked one by one as tool-call-args.ts does (typed by the function's JSON Schema from the
 * task's or case's tools). Strict by default (1 only when every check passes); `partial_credit:
 * true` scores the fraction of checks passed. The reason names each mismatch's path.
 */
import { z } from "zod";
import { isObject } from "../core/json-object.ts";
import type { ToolCall, ToolDefinition } from "../core/runner.ts";
import { type ScoreResult, type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, quote, scorerName } from "./common.ts";
import { graded, ThresholdOption } from "./graded.ts";
import { type ArgumentRules, type Mismatch, matchArguments, shown } from "./tool-call-args.ts";

export const ToolCallConfig = scorerSchema("tool_call", {
  ordered: z
    .boolean()
    .optional()
    .describe("Several expected calls must come in that order (default: any order)"),
  partial_credit: z
    .boolean()
    .optional()
    .describe("Score the fraction of checks passed (name, each argument) instead of 1 or 0"),
  threshold: ThresholdOption,
  strings: z
    .enum(["normalized", "exact"])
    .optional()
    .describe("String arguments: normalized (default: trimmed, case and whitespace runs ignored) or exact"),
  abs_tol: z.number().min(0).optional().describe("Absolute tolerance of number arguments (default 1e-9)"),
  rel_tol: z.number().min(0).optional().describe("Relative tolerance of number arguments (default 0)"),
});
export type ToolCallConfig = z.infer<typeof ToolCallConfig>;

interface ExpectedCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** Mismatches a reason lists before "+N more". */
const SHOWN = 5;

/** The expected calls from the case's expected answer, or why it cannot be read. */
export function parseExpectedCalls(expected: string): ExpectedCall[] | string {
  let value: unknown;
  try {
    value = JSON.parse(expected);
  } catch {
    return `the expected answer is not JSON: ${quote(expected, 40)}`;
  }
  const list = Array.isArray(value) ? value : [value];
  const calls: ExpectedCall[] = [];
  for (const entry of list) {
    if (!isObject(entry) || typeof entry.name !== "string") {
      return `an expected call is not {"name": …, "arguments": {…}}: ${shown(entry)}`;
    }
    const args = typeof entry.arguments === "string" ? parseObject(entry.arguments) : (entry.arguments ?? {});
    if (!isObject(args)) return `the expected call ${entry.name}'s arguments are not a JSON object`;
    calls.push({ name: entry.name, arguments: args });
  }
  return calls;
}

function parseObject(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function callText(call: ToolCall): string {
  return `${call.name}(${call.arguments.length > 40 ? `${call.arguments.slice(0, 40)}…` : call.arguments})`;
}

export const toolCall: ScorerFactory<ToolCallConfig> = (config, context) => {
  const rules: ArgumentRules = {
    strings: config.strings ?? "normalized",
    absTol: config.abs_tol ?? 1e-9,
    relTol: config.rel_tol ?? 0,
  };
  return {
    name: scorerName(config),
    score({ expected, toolCalls, tools }): ScoreResult {
      if (expected === undefined) return { score: null, reason: NO_EXPECTED };
      const wanted = parseExpectedCalls(expected);
      if (typeof wanted === "string") return { score: null, reason: wanted };
      const made = toolCalls ?? [];
      if (wanted.length === 0) {
        return made.length === 0
          ? { score: 1, reason: "no call expected, none made" }
          : { score: 0, reason: `no call expected, got ${made.map(callText).join(", ")}` };
      }
      const offered = tools ?? context.taskTools ?? [];
      const result = compareCalls(made, wanted, offered, config.ordered === true, rules);
      const total = result.checks;
      const right = total - result.failed;
      const more = result.mismatches.length > SHOWN ? `; +${result.mismatches.length - SHOWN} more` : "";
      const list = result.mismatches
        .slice(0, SHOWN)
        .map((m) => `${m.path}: ${m.problem}`)
        .join("; ");
      const counted = `${right}/${total} checks passed`;
      if (config.partial_credit === true) {
        return graded(
          right / total,
          config.threshold,
          "tool-call checks",
          list === "" ? counted : `${counted}: ${list}`,
        );
      }
      if (result.failed === 0) {
        return {
          score: 1,
          reason: `${wanted.length === 1 ? "the call matches" : `all ${wanted.length} calls match`} (${counted})`,
        };
      }
      return { score: 0, reason: `${counted}: ${list}${more}` };
    },
  };
};

interface Comparison {
  checks: number;
  failed: number;
  mismatches: Mismatch[];
}

/**
 * Pairs the calls made with the expected ones (by position when `ordered`, else each expected call
 * with the unused call of its name that fails the fewest checks) and counts checks: per expected
 * call its name and each argument; per call left over, one failed check.
 */
function compareCalls(
  made: readonly ToolCall[],
  wanted: readonly ExpectedCall[],
  tools: readonly ToolDefinition[],
  ordered: boolean,
  rules: ArgumentRules,
): Comparison {
  const total: Comparison = { checks: 0, failed: 0, mismatches: [] };
  const used = new Set<number>();
  const label = (index: number, name: string) => (wanted.length > 1 ? `[${index}] ${name}` : name);
  for (const [index, want] of wanted.entries()) {
    const schema = tools.find((t) => t.name === want.name)?.parameters;
    const argChecks = Math.max(1, Object.keys(want.arguments).length);
    let best: { at: number; result: Comparison } | undefined;
    const candidates = ordered ? [index] : made.map((_, i) => i);
    for (const at of candidates) {
      const call = made[at];
      if (call === undefined || used.has(at) || (!ordered && call.name !== want.name)) continue;
      const result = compareCall(call, want, schema, label(index, want.name), rules);
      if (best === undefined || result.failed < best.result.failed) best = { at, result };
      if (result.failed === 0) break;
    }
    if (best === undefined) {
      total.checks += 1 + argChecks;
      total.failed += 1 + argChecks;
      total.mismatches.push({ path: label(index, want.name), problem: "not called" });
      continue;
    }
    used.add(best.at);
    total.checks += best.result.checks;
    total.failed += best.result.failed;
    total.mismatches.push(...best.result.mismatches);
  }
  for (const [at, call] of made.entries()) {
    if (used.has(at)) continue;
    total.checks++;
    total.failed++;
    total.mismatches.push({ path: `${call.name}`, problem: `unexpected call ${callText(call)}` });
  }
  return total;
}

function compareCall(
  call: ToolCall,
  want: ExpectedCall,
  schema: Record<string, unknown> | undefined,
  path: string,
  rules: ArgumentRules,
): Comparison {
  const argChecks = Math.max(1, Object.keys(want.arguments).length);
  if (call.name !== want.name) {
    return {
      checks: 1 + argChecks,
      failed: 1 + argChecks,
      mismatches: [{ path, problem: `called ${callText(call)} instead` }],
    };
  }
  const args = parseObject(call.arguments);
  if (!isObject(args)) {
    return {
      checks: 1 + argChecks,
      failed: argChecks,
      mismatches: [{ path: `${path}.arguments`, problem: `not a JSON object: ${quote(call.arguments, 40)}` }],
    };
  }
  const matched = matchArguments(args, want.arguments, schema, `${path}.arguments`, rules);
  return { checks: 1 + matched.checks, failed: matched.mismatches.length, mismatches: matched.mismatches };
}

export const toolCallScorer: ScorerDefinition<ToolCallConfig> = {
  schema: ToolCallConfig,
  create: toolCall,
  shorthand: true,
};
