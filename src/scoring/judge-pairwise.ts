/**
 * `judge_pairwise`: an LLM judge says which of two answers to the case's prompt is better: the
 * output, or a reference answer (the case's expected answer, or the dataset column `reference`
 * names: recorded answers of another model). Asked in both orders (output as A, then as B) to
 * cancel position bias. Score: 1 when the output wins in both orders, or wins in one and ties in
 * the other; 0 when it loses in both, or loses in one and ties in the other; 0.5 when both are
 * ties or the two orders contradict each other (a position-biased judge). The reason gives both
 * verdicts with the judge's reasoning.
 */
import { z } from "zod";
import { type ScoreInput, type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { NO_EXPECTED, scorerName } from "./common.ts";
import {
  askerOf,
  fenced,
  judgeOptions,
  judgeRequest,
  proseField,
  reasoningOf,
  unparsable,
  verdictObject,
} from "./judge-verdict.ts";
import { referenceList } from "./references.ts";

export const JudgePairwiseConfig = scorerSchema("judge_pairwise", {
  ...judgeOptions,
  criteria: z
    .string()
    .min(1)
    .optional()
    .describe(
      "What makes one answer better (default: correct, complete and following the task's instructions)",
    ),
  reference: z
    .string()
    .min(1)
    .optional()
    .describe("Dataset column holding the answer to compare with (default: the case's expected answer)"),
});
export type JudgePairwiseConfig = z.infer<typeof JudgePairwiseConfig>;

const DEFAULT_CRITERIA =
  "Which answer does the task better: correct, complete, and following the task's instructions " +
  "(format and length included)? Length alone is no merit.";

const WINNER_SCHEMA = {
  type: "object",
  properties: { reasoning: { type: "string" }, winner: { type: "string", enum: ["A", "B", "tie"] } },
  required: ["reasoning", "winner"],
  additionalProperties: false,
};

/** The output's result in one order. */
export type Outcome = "win" | "tie" | "loss";

/** The pairwise prompt with answer A and answer B. */
export function pairwisePrompt(criteria: string, task: string | undefined, a: string, b: string): string {
  const parts = ["Compare two answers, A and B, to the same TASK."];
  if (task !== undefined) parts.push(`The task:\n${fenced("TASK", task)}`);
  parts.push(`Answer A:\n${fenced("A", a)}`, `Answer B:\n${fenced("B", b)}`);
  parts.push(`How to judge:\n${fenced("CRITERIA", criteria)}`);
  parts.push(
    'Answer with a JSON object: {"reasoning": "<one or two sentences>", "winner": "A", "B" or "tie"}. ' +
      "The order the answers are shown in says nothing about their quality.",
  );
  return parts.join("\n\n");
}

/** The winner the judge named ("A", "B", "tie"), or undefined when unreadable. */
export function readWinner(text: string): { winner: "A" | "B" | "tie"; reasoning: string } | undefined {
  const verdict = verdictObject(text);
  const raw = verdict?.winner ?? proseField(text, "winner");
  const word = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  const winner = word === "a" ? "A" : word === "b" ? "B" : word === "tie" ? "tie" : undefined;
  return winner && { winner, reasoning: reasoningOf(verdict) };
}

/** The two orders' outcomes for the output combined into one score (see the file's comment). */
export function combinedScore(first: Outcome, second: Outcome): { score: number; verdict: string } {
  if (first === second) {
    const score = first === "win" ? 1 : first === "loss" ? 0 : 0.5;
    return { score, verdict: first === "tie" ? "tie in both orders" : `${first} in both orders` };
  }
  const both = new Set([first, second]);
  if (both.has("win") && both.has("loss")) {
    return { score: 0.5, verdict: "inconsistent: the verdict follows the position (position bias)" };
  }
  return both.has("win") ? { score: 1, verdict: "win and tie" } : { score: 0, verdict: "loss and tie" };
}

const outcomeOf = (winner: "A" | "B" | "tie", outputIs: "A" | "B"): Outcome =>
  winner === "tie" ? "tie" : winner === outputIs ? "win" : "loss";

function referenceOf(
  config: JudgePairwiseConfig,
  row: Readonly<Record<string, unknown>> | undefined,
  expected: string | undefined,
) {
  // Several references (a JSON list): the first is the one compared with.
  if (config.reference === undefined) return expected === undefined ? undefined : referenceList(expected)[0];
  const value = row?.[config.reference];
  if (value === undefined || value === null) return undefined;
  return typeof value === "string" ? value : JSON.stringify(value);
}

export const judgePairwiseFactory: ScorerFactory<JudgePairwiseConfig> = (config) => {
  const criteria = config.criteria ?? DEFAULT_CRITERIA;
  const question = (task: string | undefined, a: string, b: string, label: string) =>
    judgeRequest(config, pairwisePrompt(criteria, task, a, b), WINNER_SCHEMA, label);
  // The output as A, then as B.
  const questions = ({ output, prompt }: ScoreInput, reference: string) => [
    question(prompt, output, reference, "AB"),
    question(prompt, reference, output, "BA"),
  ];
  return {
    name: scorerName(config),
    judge: config.judge,
    ...(config.reference !== undefined && { readsRow: true }),
    judgeRequests(input) {
      const reference = referenceOf(config, input.row, input.expected);
      return reference === undefined ? [] : questions(input, reference);
    },
    async score(input) {
      const reference = referenceOf(config, input.row, input.expected);
      if (reference === undefined) {
        return {
          score: null,
          reason:
            config.reference === undefined
              ? NO_EXPECTED
              : `the case has no "${config.reference}" column value`,
        };
      }
      const ask = askerOf(input.askJudge);
      // Both questions settle before the score does: no judge call outlives the scored call's record.
      const settled = await Promise.allSettled(
        questions(input, reference).map((request) => ask(config.judge, request)),
      );
      const failed = settled.find((s) => s.status === "rejected");
      if (failed) throw failed.reason;
      const [ab, ba] = settled.map((s) => (s as PromiseFulfilledResult<string>).value) as [string, string];
      const first = readWinner(ab);
      const second = readWinner(ba);
      if (!first) return unparsable(ab, '{"winner": "A" | "B" | "tie"} (output as A)');
      if (!second) return unparsable(ba, '{"winner": "A" | "B" | "tie"} (output as B)');
      const a = outcomeOf(first.winner, "A");
      const b = outcomeOf(second.winner, "B");
      const { score, verdict } = combinedScore(a, b);
      const said = (outcome: Outcome, reasoning: string) =>
        `${outcome}${reasoning === "" ? "" : ` (${reasoning})`}`;
      return {
        score,
        reason: `judge ${config.judge}: ${verdict}; output as A: ${said(a, first.reasoning)}; output as B: ${said(b, second.reasoning)}`,
      };
    },
  };
};

export const judgePairwiseScorer: ScorerDefinition<JudgePairwiseConfig> = {
  schema: JudgePairwiseConfig,
  create: judgePairwiseFactory,
};
