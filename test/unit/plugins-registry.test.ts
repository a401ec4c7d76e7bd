/**
 * The runner and scorer registries are open: a throw-away runner and scorer, registered through
 * the public API only, are accepted by the suite format (validation, JSON Schema), resolved
 * (paths, `--model`) and run by the engine like the built-ins; unregistered, they are gone.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { registerRunner, unregisterRunner } from "../../runners/index.ts";
import { modelPreparer } from "../../src/cli/model-services.ts";
import { modelFromFlag } from "../../src/cli/overrides.ts";
import { modelFields } from "../../src/core/model-config.ts";
import type { CallRecord, LogEvent } from "../../src/core/records.ts";
import type { GenerationRequest, RunnerDefinition, RunnerEvent } from "../../src/core/runner.ts";
import { type ScorerDefinition, scorerSchema } from "../../src/core/scorer.ts";
import { runSuite } from "../../src/engine/run.ts";
import { registerScorer, unregisterScorer } from "../../src/scoring/index.ts";
import { suiteJsonSchema } from "../../src/suite/json-schema.ts";
import { loadSuite } from "../../src/suite/load.ts";

/** Echoes the prompt in capitals, then its `suffix`; `notes` is a path, made absolute. */
const EchoModel = z.strictObject({
  ...modelFields,
  runner: z.literal("echo-test"),
  suffix: z.string().optional(),
  notes: z.string().optional(),
});
type EchoModel = z.infer<typeof EchoModel>;

const echoRunner: RunnerDefinition<EchoModel> = {
  schema: EchoModel,
  locality: "local",
  create: (config) => ({
    async *generate(request: GenerationRequest): AsyncIterable<RunnerEvent> {
      yield { type: "sent", t: performance.now() };
      const text = `${request.prompt.toUpperCase()}${config.suffix ?? ""}`;
      yield { type: "delta", channel: "content", text, t: performance.now() };
      yield { type: "usage", usage: { inputTokens: 1, outputTokens: 1 } };
      yield { type: "end", t: performance.now() };
    },
  }),
  absolutePaths: (config, baseDir) => ({
    ...config,
    ...(config.notes !== undefined && { notes: join(baseDir, config.notes) }),
  }),
  fromModelFlag: (value) =>
    value.startsWith("echo://")
      ? { name: value.slice("echo://".length), label: value, config: { runner: "echo-test", suffix: "?" } }
      : undefined,
};

/** Scores 1 when the output ends with `suffix`. */
const SuffixConfig = scorerSchema("suffix-test", { suffix: z.string().min(1) });
const suffixScorer: ScorerDefinition<z.infer<typeof SuffixConfig>> = {
  schema: SuffixConfig,
  create: (config) => ({
    name: config.name ?? config.type,
    score: ({ output }) =>
      output.endsWith(config.suffix)
        ? { score: 1, reason: `ends with ${config.suffix}` }
        : { score: 0, reason: `does not end with ${config.suffix}` },
  }),
};

const SUITE = `
name: plugins
models:
  - id: echo
    runner: echo-test
    suffix: "!"
    notes: notes.txt
    energy: { method: none }
tasks:
  - id: shout
    prompt: "{{q}}"
    dataset: [{ q: "hi" }, { q: "yo" }]
    scorers:
      - { type: suffix-test, suffix: "!" }
      - { type: suffix-test, name: question, suffix: "?" }
`;

function writeSuite(): string {
  const dir = mkdtempSync(join(tmpdir(), "opbench-plugins-"));
  writeFileSync(join(dir, "suite.yaml"), SUITE);
  return dir;
}

afterEach(() => {
  unregisterRunner("echo-test");
  unregisterScorer("suffix-test");
});

describe("plug-in registries", () => {
  it("runs a suite whose runner and scorer were registered at run time", async () => {
    const dir = writeSuite();
    registerRunner("echo-test", echoRunner);
    registerScorer("suffix-test", suffixScorer);

    const suite = await loadSuite(join(dir, "suite.yaml"));
    expect(suite.models[0]).toMatchObject({ runner: "echo-test", config: { notes: join(dir, "notes.txt") } });
    const runDir = join(dir, "run");
    const result = await runSuite({
      suite,
      runDir,
      prepareModel: await modelPreparer(suite.models),
      signal: new AbortController().signal,
    });

    expect(result.status).toBe("completed");
    const records = readFileSync(join(runDir, "events.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as LogEvent)
      .filter((event): event is CallRecord => event.type === "call");
    expect(records.map((r) => [r.case_id, r.output, r.scores])).toEqual([
      [
        "1",
        "HI!",
        [
          { scorer: "suffix-test", score: 1, reason: "ends with !" },
          { scorer: "question", score: 0, reason: "does not end with ?" },
        ],
      ],
      [
        "2",
        "YO!",
        [
          { scorer: "suffix-test", score: 1, reason: "ends with !" },
          { scorer: "question", score: 0, reason: "does not end with ?" },
        ],
      ],
    ]);
  });

  it("validates the plug-ins' own options, and forgets them once unregistered", async () => {
    const dir = writeSuite();
    const unknownRunner = /models\[0\]\.runner: expected one of "llamacpp" .*, got "echo-test"/;
    await expect(loadSuite(join(dir, "suite.yaml"))).rejects.toThrow(unknownRunner);

    registerRunner("echo-test", echoRunner);
    registerScorer("suffix-test", suffixScorer);
    const json = JSON.stringify(suiteJsonSchema());
    expect(json).toContain('"echo-test"');
    expect(json).toContain('"suffix-test"');
    writeFileSync(join(dir, "bad.yaml"), SUITE.replace('suffix: "?"', 'suffix: ""'));
    await expect(loadSuite(join(dir, "bad.yaml"))).rejects.toThrow(/tasks\[0\]\.scorers\[1\]\.suffix: /);
    expect(modelFromFlag("echo://loud", 3)).toMatchObject({
      id: "loud",
      runner: "echo-test",
      label: "echo://loud",
      config: { id: "loud", runner: "echo-test", suffix: "?" },
      concurrency: 3,
    });

    unregisterRunner("echo-test");
    unregisterScorer("suffix-test");
    await expect(loadSuite(join(dir, "suite.yaml"))).rejects.toThrow(unknownRunner);
    expect(JSON.stringify(suiteJsonSchema())).not.toContain("echo-test");
    expect(() => modelFromFlag("echo://loud", 1)).toThrow("no runner takes this value");
  });

  it("refuses a taken name, a schema of another kind, and unregistering a built-in", () => {
    expect(() => registerRunner("llamacpp", echoRunner)).toThrow('runner "llamacpp" is already registered');
    expect(() => registerRunner("echo-other", echoRunner)).toThrow('z.literal("echo-other")');
    expect(() => registerScorer("exact", suffixScorer)).toThrow('scorer "exact" is already registered');
    expect(() => registerScorer("suffix-other", suffixScorer)).toThrow('scorerSchema("suffix-other"');
    expect(() => unregisterRunner("embedded")).toThrow("built in");
    expect(() => unregisterScorer("exact")).toThrow("built in");
  });
});
