/**
 * `code_tests`: runs the JavaScript in the output (its first ```js / ```javascript / untagged
 * fenced block, else the whole output) against the case's tests in the sandbox (src/sandbox/),
 * and scores the fraction of tests passed. The tests come from the row's `tests_field` column:
 * a JSON array (or a string holding one, or one test per non-empty line) of tests, each either
 * JavaScript (an expression that must not be `false`, or statements such as
 * `assert.equal(add(1, 2), 3)` that must not throw; `assert` is node:assert/strict, the entry
 * function is in scope by its name) or a call `{input: [args…], expected}` compared with deep
 * strict equality. A limit hit (time, CPU, memory), an exit, a crash or a denied permission
 * fails the test running then and every later one; the reason names the first failing test.
 */
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { runInSandbox, type SandboxLimits } from "../sandbox/sandbox.ts";
import { type CodeTest, type CodeTestOutcome, ENTRY_GLOBAL } from "./code-tests-job.ts";
import { quote, scorerName } from "./common.ts";
import { graded, ThresholdOption } from "./graded.ts";
import { SandboxLimitOptions, sandboxLimits } from "./sandbox-options.ts";

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export const CodeTestsConfig = scorerSchema("code_tests", {
  entry: z
    .string()
    .describe("Name of the function the tests call (the solution's export or top-level function)"),
  tests_field: z.string().optional().describe("Dataset column holding the case's tests (default: tests)"),
  threshold: ThresholdOption,
  ...SandboxLimitOptions,
});
export type CodeTestsConfig = z.infer<typeof CodeTestsConfig>;

const FENCE = /```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)```/g;
const JS_TAGS = new Set(["", "js", "javascript", "mjs", "cjs", "node", "jsx"]);

/** The code in an output: its first JavaScript (or untagged) fenced block, else the first block, else all of it. */
export function extractCode(output: string): string {
  const blocks = [...output.matchAll(FENCE)];
  const js = blocks.find((block) => JS_TAGS.has(block[1]!.toLowerCase()));
  return (js ?? blocks[0])?.[2] ?? output;
}

/** The case's tests from its row column: a JSON array, a string holding one, or one test per line. */
export function readTests(value: unknown): CodeTest[] | string {
  if (Array.isArray(value)) return value as CodeTest[];
  if (typeof value !== "string") return `expected an array of tests or a string, got ${typeof value}`;
  const text = value.trim();
  if (text.startsWith("[")) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (Array.isArray(parsed)) return parsed as CodeTest[];
    } catch {
      // Not JSON: JavaScript lines that happen to start with "[".
    }
  }
  return text.split("\n").filter((line) => line.trim() !== "");
}

function shown(test: CodeTest): string {
  return quote(typeof test === "string" ? test : JSON.stringify(test), 50);
}

const jobPath = fileURLToPath(
  new URL(`./code-tests-job.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url),
);

export const codeTests: ScorerFactory<CodeTestsConfig> = (config) => {
  const field = config.tests_field ?? "tests";
  const limits: SandboxLimits = sandboxLimits(config);
  return {
    name: scorerName(config),
    readsRow: true,
    async score({ output, row }) {
      const tests = readTests(row?.[field]);
      if (typeof tests === "string") return { score: null, reason: `tests column "${field}": ${tests}` };
      if (tests.length === 0) return { score: null, reason: `no tests in column "${field}"` };
      const code = `${extractCode(output)}\n;globalThis.${ENTRY_GLOBAL} = typeof ${config.entry} === "undefined" ? undefined : ${config.entry};\n`;
      const run = await runInSandbox({
        job: jobPath,
        input: { entry: config.entry, tests },
        files: { "solution.js": code },
        limits,
      });
      const outcomes = run.progress as CodeTestOutcome[];
      const passed = outcomes.filter((outcome) => outcome.pass).length;
      const counts = `${passed}/${tests.length} passed`;
      const value = run.ok && (run.value as { loadError?: string }).loadError;
      if (value) return { score: 0, reason: `the code failed to load: ${value}` };
      const failed = outcomes.find((outcome) => !outcome.pass);
      let detail = counts;
      if (failed)
        detail += `; test ${failed.test + 1} ${shown(tests[failed.test]!)} failed: ${failed.detail}`;
      else if (!run.ok) {
        const index = outcomes.length;
        const where = index < tests.length ? `test ${index + 1} ${shown(tests[index]!)}` : "after the tests";
        detail += `; stopped at ${where}: ${run.reason} (${run.kind})`;
      }
      return graded(passed / tests.length, config.threshold, "fraction of tests passed", detail);
    },
  };
};

function checkCodeTests(config: CodeTestsConfig): ScorerConfigProblem[] {
  if (IDENTIFIER.test(config.entry)) return [];
  return [
    {
      field: "entry",
      message: `"${config.entry}" is not a function name`,
      expected: "a JavaScript identifier",
    },
  ];
}

export const codeTestsScorer: ScorerDefinition<CodeTestsConfig> = {
  schema: CodeTestsConfig,
  create: codeTests,
  check: checkCodeTests,
};
