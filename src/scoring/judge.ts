/**
 * `judge`: an LLM judge grades the output against a rubric (pointwise). The judge sees the
 * case's prompt, the output, the reference answer(s) when the case has any, and the rubric, and
 * answers `{"reasoning": …, "score": 1-5}` (scale `1-5`, normalised as (score − 1) / 4) or
 * `{"reasoning": …, "verdict": "pass" | "fail"}` (scale `pass_fail`). The judge's reasoning is the
 * reason; a verdict that cannot be read scores null with the judge's text, cut short.
 */
import { z } from "zod";
import { type ScoreInput, type ScorerDefinition, type ScorerFactory, scorerSchema } from "../core/scorer.ts";
import { scorerName } from "./common.ts";
import { graded, ThresholdOption } from "./graded.ts";
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

export const JudgeConfig = scorerSchema("judge", {
  ...judgeOptions,
  rubric: z.string().min(1).describe("What a good answer is: the criteria the judge grades by"),
  scale: z
    .enum(["1-5", "pass_fail"])
    .optional()
    .describe("1-5 (default): a score of 1 to 5, normalised to [0, 1]; pass_fail: 1 or 0"),
  threshold: ThresholdOption,
});
export type JudgeConfig = z.infer<typeof JudgeConfig>;

const SCALE_SCHEMA = {
  type: "object",
  properties: { reasoning: { type: "string" }, score: { type: "integer", minimum: 1, maximum: 5 } },
  required: ["reasoning", "score"],
  additionalProperties: false,
};
const PASS_FAIL_SCHEMA = {
  type: "object",
  properties: { reasoning: { type: "string" }, verdict: { type: "string", enum: ["pass", "fail"] } },
  required: ["reasoning", "verdict"],
  additionalProperties: false,
};

/** The pointwise prompt: task, output, reference(s) when present, rubric, and the verdict asked for. */
export function pointwisePrompt(
  config: Pick<JudgeConfig, "rubric" | "scale">,
  input: { prompt?: string | undefined; output: string; expected?: string | undefined },
): string {
  const parts = ["Grade the RESPONSE to the TASK below by the RUBRIC."];
  if (input.prompt !== undefined)
    parts.push(`The task the response answers:\n${fenced("TASK", input.prompt)}`);
  parts.push(`The response to grade:\n${fenced("RESPONSE", input.output)}`);
  if (input.expected !== undefined) {
    const references = referenceList(input.expected);
    const text =
      references.length === 1 ? references[0]! : references.map((r, i) => `${i + 1}. ${r}`).join("\n");
    const what = references.length === 1 ? "A reference answer" : "Reference answers";
    parts.push(`${what} (correct, though other wordings may be as good):\n${fenced("REFERENCE", text)}`);
  }
  parts.push(`The rubric:\n${fenced("RUBRIC", config.rubric)}`);
  parts.push(
    config.scale === "pass_fail"
      ? 'Answer with a JSON object: {"reasoning": "<one or two sentences>", "verdict": "pass" or "fail"}.'
      : 'Answer with a JSON object: {"reasoning": "<one or two sentences>", "score": <an integer from 1 (worst) to 5 (best)>}.',
  );
  return parts.join("\n\n");
}

/** The judge's answer read as a value in [0, 1] with its reasoning, or undefined when unreadable. */
export function readPointwise(
  text: string,
  scale: JudgeConfig["scale"],
): { value: number; shown: string; reasoning: string } | undefined {
  const verdict = verdictObject(text);
  const reasoning = reasoningOf(verdict);
  if (scale === "pass_fail") {
    const raw = verdict?.verdict ?? proseField(text, "verdict");
    const word =
      typeof raw === "string" ? raw.trim().toLowerCase() : typeof raw === "boolean" ? String(raw) : "";
    if (word === "pass" || word === "true") return { value: 1, shown: "pass", reasoning };
    if (word === "fail" || word === "false") return { value: 0, shown: "fail", reasoning };
    return undefined;
  }
  const raw = verdict?.score ?? proseField(text, "score");
  const score = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : Number.NaN;
  if (!Number.isInteger(score) || score < 1 || score > 5) return undefined;
  return { value: (score - 1) / 4, shown: `${score}/5`, reasoning };
}

export const judgeFactory: ScorerFactory<JudgeConfig> = (config) => {
  const schema = config.scale === "pass_fail" ? PASS_FAIL_SCHEMA : SCALE_SCHEMA;
  const question = (input: ScoreInput) => judgeRequest(config, pointwisePrompt(config, input), schema);
  return {
    name: scorerName(config),
    judge: config.judge,
    judgeRequests: (input) => [question(input)],
    async score(input) {
      const ask = askerOf(input.askJudge);
      const text = await ask(config.judge, question(input));
      const verdict = readPointwise(text, config.scale);
      if (!verdict) {
        return unparsable(
          text,
          config.scale === "pass_fail" ? '{"verdict": "pass" | "fail"}' : '{"score": 1-5}',
        );
      }
      const because = verdict.reasoning === "" ? "no reasoning given" : verdict.reasoning;
      return graded(
        verdict.value,
        config.threshold,
        `judge ${config.judge}: ${verdict.shown}, score`,
        because,
      );
    },
  };
};

export const judgeScorer: ScorerDefinition<JudgeConfig> = {
  schema: JudgeConfig,
  create: judgeFactory,
};
