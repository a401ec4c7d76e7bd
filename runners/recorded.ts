/**
 * The `recorded` runner: replays logged traffic. The logged response *is* the answer: for each
 * request it finds the recorded answer by the request's key (a hash of its conversation and tools,
 * see recorded-key.ts) in the answers file `opbench init --from` wrote, and emits its output, tool
 * calls, usage, finish reason and model snapshot. Latency is the logged one when the log has it
 * and the call is not streamed; otherwise no `sent` event is emitted, so latency reads "not
 * recorded" (null), never a figure this process made up. No key, no network: cost and energy come
 * from the logged usage, priced like any API model's.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { CallError } from "../src/core/errors.ts";
import { modelFields } from "../src/core/model-config.ts";
import type {
  ChatMessage,
  GenerationRequest,
  Runner,
  RunnerDefinition,
  RunnerEvent,
  TokenUsage,
  ToolCall,
} from "../src/core/runner.ts";
import { recordedRequestKey } from "./recorded-key.ts";

export const RecordedModel = z.strictObject({
  ...modelFields,
  runner: z.literal("recorded"),
  answers: z
    .string()
    .min(1)
    .describe("JSONL of recorded answers written by `opbench init --from`, relative to the suite"),
  model: z
    .string()
    .min(1)
    .describe("The logged model's name, for pricing and energy estimates (e.g. gpt-4.1)"),
  provider: z.string().optional().describe("genai-prices provider id (default: guessed from the model name)"),
});
export type RecordedModel = z.infer<typeof RecordedModel>;

/** One line of the answers file. */
export interface RecordedAnswerLine {
  key: string;
  output: string;
  tool_calls: ToolCall[];
  finish_reason: string | null;
  model: string | null;
  response_id: string | null;
  usage: TokenUsage;
  /** Null: the log has no latency for this call. */
  latency_ms: number | null;
}

function readAnswers(path: string): Map<string, RecordedAnswerLine> {
  const answers = new Map<string, RecordedAnswerLine>();
  let number = 0;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    number++;
    if (line.trim() === "") continue;
    let answer: RecordedAnswerLine;
    try {
      answer = JSON.parse(line) as RecordedAnswerLine;
    } catch {
      throw new Error(`${path}:${number}: not a JSON line`);
    }
    if (typeof answer.key !== "string") throw new Error(`${path}:${number}: no "key"`);
    if (!answers.has(answer.key)) answers.set(answer.key, answer);
  }
  return answers;
}

/** A request as the conversation its key is computed from (system + prompt when it has no messages). */
function conversationOf(request: GenerationRequest): ChatMessage[] {
  if (request.messages) return request.messages;
  return [
    ...(request.system !== undefined ? [{ role: "system" as const, content: request.system }] : []),
    { role: "user", content: request.prompt },
  ];
}

export function createRecordedRunner(config: RecordedModel): Runner {
  let answers: Map<string, RecordedAnswerLine> | undefined;
  return {
    async startup() {
      answers = readAnswers(config.answers);
      return { device: "remote", replayed: config.answers, recorded_answers: answers.size };
    },
    async *generate(request: GenerationRequest): AsyncIterable<RunnerEvent> {
      answers ??= readAnswers(config.answers);
      const answer = answers.get(recordedRequestKey(conversationOf(request), request.tools));
      if (!answer) {
        throw new CallError(
          "http_4xx",
          "no recorded answer for this request: its conversation or tools differ from every logged call in the answers file",
          { status: 404 },
        );
      }
      const t0 = performance.now();
      const latency = !request.stream && typeof answer.latency_ms === "number" ? answer.latency_ms : null;
      const t = latency === null ? t0 : t0 + latency;
      if (latency !== null) yield { type: "sent", t: t0 };
      if (answer.output !== "") yield { type: "delta", channel: "content", text: answer.output, t };
      for (const call of answer.tool_calls ?? []) yield { type: "tool_call", call, t };
      yield { type: "usage", usage: answer.usage ?? {} };
      yield {
        type: "response",
        ...(answer.response_id && { id: answer.response_id }),
        ...(answer.model && { model: answer.model }),
        ...(answer.finish_reason && { finishReason: answer.finish_reason }),
      };
      yield { type: "end", t };
    },
  };
}

export const recordedRunner: RunnerDefinition<RecordedModel> = {
  schema: RecordedModel,
  create: createRecordedRunner,
  locality: "api",
  pricingProvider: (config) => config.provider,
  pricingModel: (config) => config.model,
  absolutePaths: (config, baseDir) => ({
    ...config,
    answers: isAbsolute(config.answers) ? config.answers : resolve(baseDir, config.answers),
  }),
};
