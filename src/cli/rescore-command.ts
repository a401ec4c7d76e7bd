/**
 * `opbench rescore <run-dir> [--suite changed.yaml] [--out DIR]`: grades a run's recorded
 * outputs again with a suite's current scorers — by default the suite file the run was made
 * from, as it reads now — and writes a new run directory (events.jsonl, summary.json and the
 * usual outputs) whose run_start and summary say which run it was re-scored from. No model is
 * called, nothing is paid. The source directory is only read.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { startLogFolds } from "../../reports/output.ts";
import { secretEnvOf } from "../../runners/index.ts";
import { EVENTS_FILE, readRunLog } from "../core/run-log.ts";
import { JudgePanel, judgeTimeoutMs } from "../engine/judges.ts";
import { RescoreError, rescoreRun } from "../engine/rescore.ts";
import { loadSummaryPlugins, SummaryBuilder } from "../metrics/summary.ts";
import { INLINE_SOURCE, loadSuite } from "../suite/load.ts";
import { loadEnvFiles } from "./env-file.ts";
import { modelPreparer } from "./model-services.ts";
import { chooseOutputs, type FormatArgs, produceAndList } from "./outputs.ts";
import { reportSuiteError } from "./suite-errors.ts";

export interface RescoreArgs extends FormatArgs {
  runDir: string;
  suite?: string | undefined;
  out?: string | undefined;
}

/** Default new directory: `<run-dir>-rescored-<UTC yyyymmdd-hhmmss>` beside the source. */
export function defaultRescoreDir(runDir: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return join(dirname(runDir), `${basename(runDir)}-rescored-${stamp}`);
}

/** The suite path of the run's first run_start, or undefined when the log has none. */
async function recordedSuitePath(runDir: string): Promise<string | undefined> {
  for await (const event of readRunLog(runDir)) {
    if (event.type === "run_start") return event.suite.path;
  }
  return undefined;
}

/**
 * Records judged at once by a re-score with judges (each judge still holds to its own
 * `concurrency`): enough to keep the judges busy, few enough that memory stays flat.
 */
export const RESCORE_JUDGED_CONCURRENCY = 32;

function fail(message: string): number {
  process.stderr.write(`opbench: ${message}\n`);
  return 2;
}

export async function rescoreCommand(args: RescoreArgs): Promise<number> {
  let outputs: SelectedOutput[];
  try {
    outputs = chooseOutputs("run", args);
  } catch (error) {
    return fail((error as Error).message);
  }
  const sourceDir = resolve(args.runDir);
  if (!existsSync(join(sourceDir, EVENTS_FILE))) {
    return fail(`${args.runDir} has no ${EVENTS_FILE}; is it a run directory?`);
  }
  const recorded = args.suite === undefined ? await recordedSuitePath(sourceDir) : undefined;
  const suitePath = args.suite ?? recorded;
  if (suitePath === undefined || suitePath === INLINE_SOURCE) {
    return fail(`${args.runDir}: the log names no suite file to re-score with; give one with --suite`);
  }
  if (args.suite === undefined && !existsSync(suitePath)) {
    return fail(
      `the run's suite file ${suitePath} no longer exists; give the suite to re-score with --suite`,
    );
  }
  // A judge's API key may sit in a .env beside the suite or in the working directory.
  loadEnvFiles([dirname(resolve(suitePath)), process.cwd()]);
  const loaded = await reportSuiteError(() => loadSuite(resolve(suitePath)));
  if (!loaded.ok) return 2;
  const suite = loaded.value;
  const judges = suite.judges ?? [];
  const unset = judges.flatMap((j) =>
    secretEnvOf(j.config)
      .filter((name) => !process.env[name])
      .map((name) => `${name} (judge ${j.id})`),
  );
  if (unset.length > 0) {
    return fail(`no judge was called: set these environment variables first: ${unset.join(", ")}`);
  }

  const outDir = resolve(args.out ?? defaultRescoreDir(sourceDir));
  if (outDir === sourceDir)
    return fail("--out is the run directory itself: re-scoring never overwrites a run");
  if (existsSync(outDir) && readdirSync(outDir).length > 0) {
    return fail(`${args.out ?? outDir} exists and is not empty: choose a new directory with --out`);
  }
  const created = !existsSync(outDir);
  mkdirSync(outDir, { recursive: true });

  // The old log's models may not be the suite's.
  await loadSummaryPlugins();
  const summary = new SummaryBuilder();
  const logFolds = startLogFolds(outputs);
  let stats: Awaited<ReturnType<typeof rescoreRun>>;
  try {
    stats = await rescoreRun({
      sourceDir,
      outDir,
      suite,
      argv: process.argv.slice(2),
      onEvent: (event) => {
        summary.add(event);
        logFolds?.add(event);
      },
      ...(judges.length > 0 && {
        concurrency: RESCORE_JUDGED_CONCURRENCY,
        startJudges: async (append) =>
          JudgePanel.start({
            judges,
            prepare: await modelPreparer(judges),
            runDir: outDir,
            baseDir: suite.baseDir,
            signal: new AbortController().signal,
            append,
            log: (message) => process.stderr.write(`opbench: ${message}\n`),
            retry: suite.retry,
            timeoutMs: judgeTimeoutMs(suite),
          }),
      }),
    });
  } catch (error) {
    // Nothing half-written is left behind: the new directory goes (the source was only read).
    rmSync(created ? outDir : join(outDir, EVENTS_FILE), { recursive: true, force: true });
    if (error instanceof RescoreError) return fail(`cannot re-score ${args.runDir}: ${error.message}`);
    throw error;
  }
  for (const line of stats.skippedLines) {
    process.stderr.write(
      `opbench: ${args.runDir}/${EVENTS_FILE}: line ${line} is not JSON (cut off mid-write?); it was skipped\n`,
    );
  }
  for (const task of stats.missingTasks) {
    process.stderr.write(
      `opbench: task ${task} is not in ${suitePath}: its calls keep their recorded scores\n`,
    );
  }
  const truncated =
    stats.truncated === 0
      ? ""
      : `; ${stats.truncated} of them from outputs cut at max_output_bytes (scored on the stored part, said in each reason)`;
  process.stderr.write(
    `Re-scored ${stats.rescored} call(s) of run ${stats.runId} with the scorers of ${suitePath}: ` +
      `${stats.changed} changed${truncated}. No model was called.\n`,
  );
  await produceAndList(outputs, "run", {
    runDir: outDir,
    summary: summary.result(),
    ...(logFolds && { logFolds: logFolds.folds }),
  });
  return 0;
}
