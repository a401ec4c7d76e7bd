/**
 * The suite text `opbench init` writes: commented YAML a user can read and edit, with the schema
 * comment for editor completion, a local llama.cpp model and a frontier baseline stubbed in, and
 * the task's prompt, scorers and (for a label set) grammar fitted to what the data holds.
 */
import type { Analysis } from "./scaffold.ts";

/** A YAML double-quoted scalar (JSON's string syntax is YAML's). */
const q = (text: string) => JSON.stringify(text);

/** A GBNF string literal. */
const gbnf = (text: string) => `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, "\\n")}"`;

/** Template variables take letters, digits, `_`, `$` and `-` (src/core/template.ts). */
export function templateName(column: string): string | null {
  return /^[\w$-]+$/.test(column) ? column : null;
}

export interface SuiteText {
  name: string;
  /** The data file as the suite names it (relative to the suite's folder). */
  dataset: string;
  /** The schema file as the suite's comment names it (relative to the suite's folder). */
  schema: string;
  source: string;
  analysis: Analysis;
}

const SYSTEM: Record<Analysis["kind"], (a: Analysis) => string> = {
  classify: (a) =>
    `You classify each ${a.input} for a production system. Answer with exactly one label from this list and nothing else: ${a.labels.join(", ")}`,
  extract: (a) =>
    `You extract structured data from each ${a.input} for a production system. Answer with one JSON object and nothing else: the fields the text states, exactly as written; leave out a field the text does not give.`,
  generate: (a) =>
    `You write the ${a.answer} of each ${a.input} for a production system. Answer with the ${a.answer} alone: no preamble, no quotes, no explanation.`,
};

const MAX_TOKENS: Record<Analysis["kind"], number> = { classify: 16, extract: 256, generate: 128 };

function scorers(a: Analysis): string[] {
  switch (a.kind) {
    case "classify":
      return [
        "      - exact                           # the answer equals the label",
        "      - type: one_of                    # the answer is one of the labels at all",
        "        name: valid_label",
        `        labels: [${a.labels.map(q).join(", ")}]`,
      ];
    case "extract":
      return [
        "      - type: json_fields               # field by field; the score is the fraction of fields right",
        "        extract_json: true              # also finds the JSON in chatty output or a ```json block",
        "      - json_valid",
      ];
    case "generate":
      return ["      - rouge_l                         # overlap with the reference (LCS F-measure)"];
  }
}

/** The suite's YAML text. */
export function renderScaffold(s: SuiteText): string {
  const a = s.analysis;
  const lines = [
    `# yaml-language-server: $schema=${s.schema}`,
    `# Written by \`opbench init\` from ${s.source}; edit freely. Check it: npx opbench validate <this file>`,
    "# A quick subset first:  npx opbench run <this file> --limit 20   (the full set is the default)",
    ...a.notes.map((n) => `# Note: ${n}.`),
    "version: 1",
    `name: ${s.name}`,
    `description: ${q(`${a.kind === "classify" ? `Label "${a.input}" with one of ${a.labels.length} labels` : a.kind === "extract" ? `Extract a JSON object from "${a.input}"` : `Write the "${a.answer}" of "${a.input}"`} (answer column "${a.answer}"), from ${s.source}.`)}`,
    "defaults:",
    "  temperature: 0",
    "  seed: 42",
    `  max_tokens: ${MAX_TOKENS[a.kind]}`,
    "concurrency: 4",
    "models:",
    "  # A local model on llama.cpp. Start it with `llama-server -m your-model.gguf --port 8080`,",
    "  # or let opbench start it: replace `url:` with `spawn: {model: ./your-model.gguf}`.",
    "  # In-process instead: `runner: embedded` with `model: ./your-model.gguf`.",
    "  - id: local",
    "    runner: llamacpp",
    "    url: http://localhost:8080",
    "  # The frontier model the savings are stated against (needs OPENAI_API_KEY).",
    "  - id: gpt-4.1",
    "    runner: openai",
    "    model: gpt-4.1",
    ...(a.kind === "classify"
      ? ["    ignore_grammar: true              # the GBNF grammar below is llama.cpp-only"]
      : []),
    "  # A cheaper API model, for a second comparison (uncomment with its key set):",
    "  # - {id: gpt-4.1-mini, runner: openai, model: gpt-4.1-mini" +
      (a.kind === "classify" ? ", ignore_grammar: true}" : "}"),
    "savings:",
    "  - candidate: local",
    "    baseline: gpt-4.1",
    "tasks:",
    `  - id: ${a.kind}`,
    `    system: ${q(SYSTEM[a.kind](a))}`,
    `    prompt: ${q(`${a.input}: {{${a.input}}}\n${a.kind === "classify" ? "Label:" : a.kind === "extract" ? "JSON:" : `${a.answer}:`}`)}`,
    `    dataset: ${q(s.dataset)}`,
    `    expected: ${q(`{{${a.answer}}}`)}`,
    "    scorers:",
    ...scorers(a),
    ...(a.kind === "classify"
      ? [
          "    # Constrains a llama.cpp model's output to the labels (what lets a small model shine).",
          "    grammar: |",
          `      root ::= ${a.labels.map(gbnf).join(" | ")}`,
        ]
      : []),
  ];
  return `${lines.join("\n")}\n`;
}

/** The commented example suite `opbench init` writes when given no data file. */
export function exampleSuite(schema: string): string {
  return `# yaml-language-server: $schema=${schema}
# An example suite written by \`opbench init\`: route support tickets to a team, a local model on
# llama.cpp against a frontier API. Edit it, or run \`opbench init your-data.csv\` to start from
# your own data. Check it: npx opbench validate <this file>
version: 1
name: ticket-routing
description: Route support tickets to the team that handles them.
defaults:
  temperature: 0
  max_tokens: 8
concurrency: 4
models:
  # A local model on llama.cpp: \`llama-server -m your-model.gguf --port 8080\`, or
  # \`spawn: {model: ./your-model.gguf}\` in place of \`url:\` to let opbench start it.
  - id: local
    runner: llamacpp
    url: http://localhost:8080
  # The frontier baseline (needs OPENAI_API_KEY).
  - id: gpt-4.1
    runner: openai
    model: gpt-4.1
    ignore_grammar: true          # the grammar below is llama.cpp-only
savings:
  - candidate: local
    baseline: gpt-4.1
tasks:
  - id: route
    system: >-
      You route customer support tickets. Answer with exactly one team from this list and
      nothing else: billing, tech, sales
    prompt: "Ticket: {{ticket}}\\nTeam:"
    dataset:                      # or a file: dataset: tickets.csv (a header row; one row per case)
      - {ticket: "I was charged twice this month", team: billing}
      - {ticket: "The app crashes when I upload a photo", team: tech}
      - {ticket: "Do you offer discounts for teams of 50?", team: sales}
      - {ticket: "My invoice shows the wrong VAT number", team: billing}
    expected: "{{team}}"
    scorers:
      - exact
      - {type: one_of, name: valid_team, labels: [billing, tech, sales]}
    grammar: 'root ::= "billing" | "tech" | "sales"'
`;
}
