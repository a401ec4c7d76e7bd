/**
 * `custom`: a scorer written by the suite's author, a function exported by a local TypeScript or
 * JavaScript module (`module: file:./my-scorer.ts#name`, typed `CustomScorerFunction` in
 * src/core/scorer.ts), loaded with Node's own type stripping. By default it runs in the sandbox
 * (src/sandbox/), one process per score, able to read the module, the files its relative imports
 * reach and the paths in `read`, nothing else; `trusted: true` imports it into opbench's process
 * instead (faster, and it may use the network and the disk). A module that returns no
 * `{score, reason}` or fails is a recorded scoring error for that output.
 */
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { z } from "zod";
import {
  type CustomScorerFunction,
  type ScoreInput,
  type ScoreResult,
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { runInSandbox } from "../sandbox/sandbox.ts";
import { scorerName } from "./common.ts";
import { moduleFiles, moduleProblem, parseModuleReference } from "./module-reference.ts";
import { SandboxLimitOptions, sandboxLimits } from "./sandbox-options.ts";

export const CustomConfig = scorerSchema("custom", {
  module: z
    .string()
    .describe("The scorer function: file:<path relative to the suite>#<export> (export default: default)"),
  trusted: z
    .boolean()
    .optional()
    .describe("Run the module inside opbench's process, without the sandbox (default false)"),
  options: z
    .record(z.string(), z.unknown())
    .optional()
    .describe("Passed to the function as its second argument"),
  read: z
    .array(z.string())
    .optional()
    .describe(
      "More files or folders the sandboxed module may read (relative to the suite), e.g. a package it imports",
    ),
  ...SandboxLimitOptions,
});
export type CustomConfig = z.infer<typeof CustomConfig>;

const jobPath = fileURLToPath(
  new URL(`./custom-job.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url),
);

/** The function's result as a ScoreResult; throws when it is not one. */
function scoreResult(value: unknown): ScoreResult {
  const result = value as Partial<ScoreResult> | null;
  const scoreOk =
    result !== null &&
    typeof result === "object" &&
    (result.score === null || typeof result.score === "number");
  if (!scoreOk || typeof result!.reason !== "string") {
    throw new TypeError(
      `expected {score: number | null, reason: string}, got ${JSON.stringify(value)?.slice(0, 200)}`,
    );
  }
  return { score: result!.score as number | null, reason: result!.reason as string };
}

/** Plain data for the sandbox: what the function sees there and in-process is the same. */
function plainInput(input: ScoreInput): ScoreInput {
  return JSON.parse(JSON.stringify(input)) as ScoreInput;
}

export const custom: ScorerFactory<CustomConfig> = (config, context) => {
  const reference = parseModuleReference(config.module, context.baseDir);
  if (typeof reference === "string") throw new Error(reference);
  const options = config.options ?? {};
  const name = scorerName(config);
  if (config.trusted) {
    let loaded: Promise<CustomScorerFunction> | undefined;
    const load = async () => {
      const namespace = (await import(pathToFileURL(reference.path).href)) as Record<string, unknown>;
      const fn = namespace[reference.exportName];
      if (typeof fn !== "function") throw new TypeError(`${config.module} is not a function`);
      return fn as CustomScorerFunction;
    };
    return {
      name,
      readsRow: true,
      async score(input) {
        loaded ??= load();
        return scoreResult(await (await loaded)(plainInput(input), options));
      },
    };
  }
  const readPaths = [
    ...moduleFiles(reference.path),
    ...(config.read ?? []).map((path) => resolve(context.baseDir, path)),
  ];
  const limits = sandboxLimits(config);
  return {
    name,
    readsRow: true,
    async score(input) {
      const job = {
        module: reference.path,
        exportName: reference.exportName,
        input: plainInput(input),
        options,
      };
      const run = await runInSandbox({ job: jobPath, input: job, readPaths, limits });
      if (!run.ok) throw new Error(`${run.reason} (${run.kind})`);
      return scoreResult(run.value);
    },
  };
};

function checkCustom(config: CustomConfig, context: { baseDir: string }): ScorerConfigProblem[] {
  const reference = parseModuleReference(config.module, context.baseDir);
  const expected = "file:<path to a .ts/.js module>#<exported function>";
  if (typeof reference === "string") return [{ field: "module", message: reference, expected }];
  const problem = moduleProblem(reference);
  return problem === undefined ? [] : [{ field: "module", message: problem, expected }];
}

export const customScorer: ScorerDefinition<CustomConfig> = {
  schema: CustomConfig,
  create: custom,
  check: checkCustom,
};
