/**
 * The suite text `opbench init --from` writes: the recorded traffic as the `savings:` baseline
 * (runner `recorded`), a local llama.cpp model as the candidate, one task per shape of call, each
 * with the scorers that fit it, and `reference: recorded` so reports say that accuracy is
 * agreement with the logged model, not correctness.
 */
import type { TaskShape } from "./task-shape.ts";

const q = (text: string) => JSON.stringify(text);

export interface ReplayTask {
  shape: TaskShape;
  /** The task's dataset file as the suite names it. */
  dataset: string;
  cases: number;
  /** Largest output the log shows for the task, in tokens (sets max_tokens). */
  maxTokens: number;
  /** A JSON Schema every call of a json task asked for, when they all asked for the same one. */
  jsonSchema?: Record<string, unknown>;
}

export interface ReplaySuiteText {
  name: string;
  schema: string;
  source: string;
  /** The logged model most calls went to (the baseline's pricing name). */
  model: string;
  provider?: string;
  answers: string;
  tasks: ReplayTask[];
  /** The LLM judge of free-text tasks (`--judge`); without one they are scored by ROUGE-L alone. */
  judge?: ReplayJudge;
  notes: string[];
}

/** A judge model entry: an API runner kind and its model name. */
export interface ReplayJudge {
  runner: string;
  model: string;
}

export const modelId = (model: string) => `recorded-${model.replace(/[^A-Za-z0-9._:@/-]+/g, "-")}`;

function scorerLines(task: ReplayTask, judge: ReplayJudge | undefined): string[] {
  switch (task.shape) {
    case "labels":
      return [
        "      - normalized_exact                # agrees with the recorded label (case, spaces, punctuation aside)",
        "      - exact",
      ];
    case "json":
      return [
        "      - type: json_fields               # field by field against the recorded JSON",
        "        extract_json: true",
        "      - json_valid",
      ];
    case "tool-use":
      return [
        "      - tool_call                       # same function and arguments as the recorded call ([] = no call)",
      ];
    case "text":
      return judge
        ? [
            "      - type: judge_pairwise            # the judge prefers this answer or the recorded one (asked both ways)",
            "        judge: judge",
            "      - rouge_l                         # overlap with the recorded answer",
          ]
        : [
            "      - rouge_l                         # overlap with the recorded answer",
            "      # An LLM judge comparing each answer with the recorded one: uncomment with `judges:` above",
            "      # (or write the suite again with --judge gpt-4.1).",
            "      # - {type: judge_pairwise, judge: judge}",
          ];
  }
}

const TASK_DESCRIPTION: Record<TaskShape, string> = {
  "tool-use": "Requests that offered tools: the expected answer is the recorded tool call",
  json: "Structured output: the expected answer is the recorded JSON",
  labels: "Short answers from a small set: the expected answer is the recorded label",
  text: "Free text: the expected answer is the recorded text",
};

export function renderReplaySuite(s: ReplaySuiteText): string {
  const baseline = modelId(s.model);
  const lines = [
    `# yaml-language-server: $schema=${s.schema}`,
    `# Written by \`opbench init --from\` from ${s.source}; edit freely. Check it: npx opbench validate <this file>`,
    `# The expected answers are ${s.model}'s logged answers: accuracy here is AGREEMENT with that model, not correctness.`,
    ...s.notes.map((n) => `# Note: ${n}.`),
    "version: 1",
    `name: ${s.name}`,
    `description: ${q(`Replayed traffic from ${s.source}: could a local model take it over?`)}`,
    "reference: recorded",
    "defaults:",
    "  temperature: 0",
    "  seed: 42",
    "concurrency: 4",
    "models:",
    "  # The candidate: a local model on llama.cpp. Start it with `llama-server -m your-model.gguf --port 8080`,",
    "  # or let opbench start it: replace `url:` with `spawn: {model: ./your-model.gguf}`.",
    "  - id: local",
    "    runner: llamacpp",
    "    url: http://localhost:8080",
    "  # The baseline: your logged traffic, replayed (no key, no call paid twice). Cost is priced from",
    "  # the logged usage, energy from published estimates, latency from the log where it has one.",
    `  - id: ${baseline}`,
    "    runner: recorded",
    `    answers: ${q(s.answers)}`,
    `    model: ${q(s.model)}`,
    ...(s.provider ? [`    provider: ${q(s.provider)}`] : []),
    "    params: {stream: false}            # a logged latency is end to end; there is no TTFT to replay",
    ...(s.judge
      ? [
          "# The LLM judge of the free-text task: its calls are evaluation overhead, never the models' cost.",
          "judges:",
          `  - {id: judge, runner: ${s.judge.runner}, model: ${q(s.judge.model)}}`,
        ]
      : [
          "# An LLM judge for free-text tasks (any model entry; needs its key):",
          "# judges:",
          "#   - {id: judge, runner: openai, model: gpt-4.1}",
        ]),
    "savings:",
    "  - candidate: local",
    `    baseline: ${baseline}`,
    "tasks:",
  ];
  for (const task of s.tasks) {
    lines.push(
      `  - id: ${task.shape}`,
      `    description: ${q(`${TASK_DESCRIPTION[task.shape]} (${task.cases} case(s)).`)}`,
      `    dataset: ${q(task.dataset)}`,
      "    messages_field: messages            # each case's conversation, sent verbatim",
      ...(task.shape === "tool-use" ? ["    tools_field: tools"] : []),
      "    params_field: params                # each request's own max_tokens, temperature, stop, tool_choice",
      "    weight_field: weight                # calls each case stands for (exact duplicates): accuracy counts them all",
      '    case_id: "{{id}}"',
      `    max_tokens: ${task.maxTokens}`,
      ...(task.jsonSchema ? [`    json_schema: ${JSON.stringify(task.jsonSchema)}`] : []),
      "    scorers:",
      ...scorerLines(task, s.judge),
    );
  }
  return `${lines.join("\n")}\n`;
}
