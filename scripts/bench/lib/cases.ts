/**
 * The benchmark workload: N cases whose prompts carry a `case=<id>` marker (so the scripted
 * server can name the case of every request), written as an opbench suite, and the same
 * request body for the bare loop.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { outputText, type StreamScript } from "../../../fixtures/scripted-server/script.ts";

/** Prompt template of every benchmark suite; `{{id}}` is the case id. */
export const PROMPT_TEMPLATE = "case={{id}} Classify this short customer message: {{text}}";
/** Output tokens asked for (the server's script decides what it sends). */
export const MAX_TOKENS = 16;

export interface BenchCase {
  id: string;
  text: string;
  expected: string;
}

/** `count` cases; every expected answer is what the server sends, so every call scores 1. */
export function benchCases(count: number, script: StreamScript): BenchCase[] {
  const expected = outputText(script);
  return Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    text: `my card payment number ${i} was declined twice`,
    expected,
  }));
}

/** The prompt a case renders to (the same text opbench renders from PROMPT_TEMPLATE). */
export function casePrompt(c: BenchCase): string {
  return PROMPT_TEMPLATE.replace("{{id}}", c.id).replace("{{text}}", c.text);
}

export interface SuiteSpec {
  url: string;
  /** The opbench runner that calls the server (default llamacpp, attached by URL). */
  runner?: "llamacpp" | "openai-compatible";
  cases: BenchCase[];
  concurrency: number;
  /** Unmeasured warm-up calls opbench makes first (records carry warmup: true). */
  warmup: number;
  stream: boolean;
  /** opbench's `workers:` (caller threads); absent: the main thread. */
  workers?: number;
}

/**
 * Writes `<dir>/suite.yaml` and its dataset `<dir>/cases.jsonl`: one model on the scripted
 * server (llama.cpp runner attached by URL, chat endpoint; or the openai-compatible runner),
 * one task scored by exact and contains, no retries.
 */
export function writeBenchSuite(dir: string, spec: SuiteSpec): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "cases.jsonl"), `${spec.cases.map((c) => JSON.stringify(c)).join("\n")}\n`);
  const suite = [
    "version: 1",
    "name: opbench-bench",
    "defaults:",
    `  max_tokens: ${MAX_TOKENS}`,
    "  temperature: 0",
    `  stream: ${spec.stream}`,
    `concurrency: ${spec.concurrency}`,
    `warmup: ${spec.warmup}`,
    ...(spec.workers !== undefined ? [`workers: ${spec.workers}`] : []),
    "retry:",
    "  attempts: 1",
    "models:",
    "  - id: scripted",
    ...(spec.runner === "openai-compatible"
      ? ["    runner: openai-compatible", `    base_url: ${spec.url}/v1`, "    model: scripted"]
      : ["    runner: llamacpp", `    url: ${spec.url}`]),
    "tasks:",
    "  - id: classify",
    `    prompt: ${JSON.stringify(PROMPT_TEMPLATE)}`,
    "    dataset: cases.jsonl",
    '    expected: "{{expected}}"',
    "    scorers: [exact, contains]",
    "",
  ].join("\n");
  const path = join(dir, "suite.yaml");
  writeFileSync(path, suite);
  return path;
}

/**
 * The CPU benchmark's workload as a suite in a fresh `dir` (emptied first): `cases` through the
 * llama.cpp runner attached to `url`, streamed, at concurrency 32, no warm-up.
 */
export function writeCpuWorkloadSuite(dir: string, url: string, cases: BenchCase[]): string {
  rmSync(dir, { recursive: true, force: true });
  return writeBenchSuite(dir, { url, runner: "llamacpp", cases, concurrency: 32, warmup: 0, stream: true });
}
