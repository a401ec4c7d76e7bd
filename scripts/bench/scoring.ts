/**
 * Issue 14, speed of grading: tinybench over the text and JSON scorers on typical outputs (target
 * ≥ 100,000 scores/s each), and `opbench rescore` of a synthetic run of 100,000 call records with
 * text scorers, the whole process timed from outside with its peak RSS (target ≤ 10 s).
 */
import { rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Bench } from "tinybench";
import { createScorer, loadAllScorers } from "../../src/scoring/index.ts";
import type { ScorerConfig } from "../../src/suite/schema.ts";
import { assertExitedOk, runNodeMeasured } from "./lib/child.ts";
import type { BenchContext } from "./lib/context.ts";
import { type Spread, spreadOf } from "./lib/stats.ts";
import { writeSyntheticLog } from "./lib/synthetic-log.ts";
import { OPBENCH_NODE_FLAGS, REPO_ROOT } from "./lib/tools.ts";

export interface ScorerSpeed {
  scorer: string;
  /** Median scores per second. */
  opsPerSec: number;
  medianUs: number;
  p99Us: number;
}

export interface ScoringResult {
  scorers: ScorerSpeed[];
  rescore: {
    records: number;
    logMb: number;
    /** The scorers the suite re-grades with. */
    scorers: string[];
    /** Spawn → exit of `opbench rescore`, ms, over repetitions. */
    wallMs: Spread | null;
    peakRssMb: Spread | null;
  };
}

const ANSWER = "The Eiffel Tower was completed in 1889 for the World's Fair in Paris, France.";
const REFERENCE = "The Eiffel Tower was finished in 1889 for the Paris World's Fair.";
const ORDER = '{"name": "Ada Lovelace", "age": 36, "city": "London", "tags": ["math", "poetry"]}';
const ENTITIES =
  '[{"type": "PERSON", "text": "Ada Lovelace"}, {"type": "EMAIL", "text": "ada@example.org"}, {"type": "CITY", "text": "London"}]';

/** [config, output, expected]: typical outputs of the tasks each scorer is for. */
const SCORERS: [ScorerConfig, string, string][] = [
  [{ type: "starts_with" }, "Yes, because the card was declined.", "Yes"],
  [{ type: "contains", values: ["refund", "money back", "chargeback"], mode: "any" }, ANSWER, ""],
  [
    { type: "one_of", labels: ["positive", "negative", "neutral"], synonyms: { positive: ["pos", "good"] } },
    "good",
    "positive",
  ],
  [{ type: "edit_similarity", threshold: 0.8 }, "Eiffel Tower, Paris", "Eiffel Tower in Paris"],
  [{ type: "token_f1" }, ANSWER, REFERENCE],
  [{ type: "rouge_l" }, ANSWER, REFERENCE],
  [{ type: "numeric", rel_tol: 0.01 }, "Adding them up, the total comes to $1,234.50.", "1234.5"],
  [{ type: "length", max_words: 50 }, ANSWER, ""],
  [{ type: "label_set" }, "joy, surprise", '["joy", "anger"]'],
  [{ type: "json_fields", fields: { name: "normalized", age: "numeric", tags: "set" } }, ORDER, ORDER],
  [{ type: "json_fields", extract_json: true }, `Here is the record:\n\`\`\`json\n${ORDER}\n\`\`\``, ORDER],
  [{ type: "spans" }, ENTITIES, ENTITIES],
];

const RESCORE_SUITE = `
name: rescore-bench
models: [{ id: scripted, runner: llamacpp, url: "http://127.0.0.1:1" }]
tasks:
  - id: classify
    prompt: "{{text}}"
    dataset: [{ text: "x", expected: card_arrival }]
    scorers:
      - normalized_exact
      - contains
      - { type: edit_similarity, threshold: 0.8 }
      - token_f1
      - { type: one_of, labels: [card_arrival, card_linking], synonyms: { card_arrival: [arrival] } }
`;

export async function benchScoring(ctx: BenchContext): Promise<ScoringResult> {
  await loadAllScorers();
  const bench = new Bench({ time: ctx.smoke ? 20 : 500, warmupTime: ctx.smoke ? 10 : 100 });
  for (const [config, output, expected] of SCORERS) {
    const scorer = createScorer(config, { baseDir: REPO_ROOT });
    const label =
      config.type === "json_fields" && "extract_json" in config
        ? "json_fields (chatty, extract_json)"
        : config.type;
    bench.add(label, () => scorer.score({ output, expected }));
  }
  ctx.log("scoring: scorers (tinybench)");
  await bench.run();
  const scorers = bench.tasks.map((task): ScorerSpeed => {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`scorer ${task.name}: ${result.state}`);
    return {
      scorer: task.name,
      opsPerSec: result.throughput.p50,
      medianUs: result.latency.p50 * 1000,
      p99Us: result.latency.p99 * 1000,
    };
  });

  const records = ctx.smoke ? 1_000 : 100_000;
  const dir = join(ctx.workDir, "rescore", String(records));
  rmSync(dir, { recursive: true, force: true });
  ctx.log(`scoring: writing a synthetic run of ${records} calls`);
  writeSyntheticLog(dir, { records, cases: records });
  const logMb = statSync(join(dir, "events.jsonl")).size / 1e6;
  const suite = join(ctx.workDir, "rescore", "suite.yaml");
  writeFileSync(suite, RESCORE_SUITE);
  const runs = [];
  try {
    for (let rep = 0; rep < ctx.reps; rep++) {
      ctx.log(`scoring: opbench rescore, repetition ${rep + 1} of ${ctx.reps}`);
      const out = join(ctx.workDir, "rescore", "out");
      rmSync(out, { recursive: true, force: true });
      const run = await runNodeMeasured(
        join(REPO_ROOT, "bin", "opbench.js"),
        ["rescore", dir, "--suite", suite, "--out", out, "-o", "summary-json"],
        { maxStdout: 10_000 },
        OPBENCH_NODE_FLAGS,
      );
      assertExitedOk(run, "opbench rescore");
      runs.push(run);
    }
  } finally {
    rmSync(join(ctx.workDir, "rescore"), { recursive: true, force: true });
  }
  return {
    scorers,
    rescore: {
      records,
      logMb,
      scorers: ["normalized_exact", "contains", "edit_similarity", "token_f1", "one_of"],
      wallMs: spreadOf(runs, (r) => r.wallMs),
      peakRssMb: spreadOf(runs, (r) => r.peakRssMb),
    },
  };
}

const TARGET_SCORES_PER_S = 100_000;
const TARGET_RESCORE_S = 10;

/** The targets' rows: the slowest scorer, and the re-score's wall time. */
export function scoringTargetRows(
  result: ScoringResult,
  fmtSeconds: (spread: Spread | null) => string,
): string[][] {
  const slowest = result.scorers.reduce((a, b) => (b.opsPerSec < a.opsPerSec ? b : a));
  const wall = result.rescore.wallMs;
  const verdict = (ok: boolean | null) => (ok === null ? "not measured" : ok ? "**met**" : "**not met**");
  return [
    [
      "14. text and JSON scorers, each",
      `≥ ${TARGET_SCORES_PER_S.toLocaleString("en")} scores/s`,
      `slowest: ${slowest.scorer}, ${Math.round(slowest.opsPerSec).toLocaleString("en")}/s`,
      verdict(slowest.opsPerSec >= TARGET_SCORES_PER_S),
    ],
    [
      `14. opbench rescore, ${result.rescore.records.toLocaleString("en")} records, text scorers`,
      `≤ ${TARGET_RESCORE_S} s (whole process)`,
      `${fmtSeconds(wall)} s`,
      verdict(wall ? wall.median / 1000 <= TARGET_RESCORE_S : null),
    ],
  ];
}

/** The section's lines: one row per scorer, then the re-score. */
export function scoringSection(
  result: ScoringResult,
  table: (header: string[], rows: string[][]) => string[],
  fmtSeconds: (spread: Spread | null) => string,
  fmtMb: (spread: Spread | null) => string,
): string[] {
  return [
    "### Scorers (tinybench, in process) and `opbench rescore`",
    "",
    ...table(
      ["scorer", "scores/s (median)", "median µs", "p99 µs"],
      result.scorers.map((s) => [
        s.scorer,
        Math.round(s.opsPerSec).toLocaleString("en"),
        s.medianUs.toFixed(2),
        s.p99Us.toFixed(2),
      ]),
    ),
    "",
    ...table(
      ["records", "log MB", "scorers", "wall s", "peak RSS MB"],
      [
        [
          result.rescore.records.toLocaleString("en"),
          result.rescore.logMb.toFixed(0),
          result.rescore.scorers.join(", "),
          fmtSeconds(result.rescore.wallMs),
          fmtMb(result.rescore.peakRssMb),
        ],
      ],
    ),
    "",
  ];
}
