/** `opbench run`: suite → engine → run directory → its outputs (summary.json and the table by default). */
import { existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { startLogFolds } from "../../reports/output.ts";
import { loadAllRunners, secretEnvOf } from "../../runners/index.ts";
import type { LogEvent } from "../core/records.ts";
import { EVENTS_FILE } from "../core/run-log.ts";
import { configSecrets } from "../core/secrets.ts";
import { CostBudget } from "../engine/budget.ts";
import { type ResumeState, readResumeState } from "../engine/resume.ts";
import { runSuite } from "../engine/run.ts";
import type { ModelServices } from "../engine/services.ts";
import { type Shard, shardLabel } from "../engine/shard.ts";
import { CaseScoreCollector } from "../gates/case-scores.ts";
import { startRunFacts } from "../host/host-info.ts";
import { PACKAGE_ROOT } from "../host/package-root.ts";
import { SummaryBuilder } from "../metrics/summary.ts";
import { summarizeRun } from "../metrics/summary-file.ts";
import { loadSuite } from "../suite/load.ts";
import { describeSuite } from "../suite/resolve.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";
import { TerminalProgress } from "../terminal/progress.ts";
import { loadEnvFiles } from "./env-file.ts";
import {
  type GateArgs,
  gateErrorCode,
  gateExitCode,
  type PreparedGates,
  prepareGates,
} from "./gate-support.ts";
import { handleInterrupts, INTERRUPTED_EXIT_CODE } from "./interrupt.ts";
import { announceSkips, judgesToSkip, modelsToSkip, skippingPreparer } from "./missing-keys.ts";
import { checkWorkers, modelPreparer } from "./model-services.ts";
import { chooseOutputs, type FormatArgs, produceAndList } from "./outputs.ts";
import { applyOverrides, givenOverrides, resumedOverrides, type SuiteOverrides } from "./overrides.ts";
import { evaluateRunGates, suiteGateContext } from "./run-gates.ts";
import { parseShard } from "./shard-option.ts";
import { reportSuiteError } from "./suite-errors.ts";

/** The suite `opbench run` runs when given none. */
export const QUICKSTART_SUITE = join(PACKAGE_ROOT, "suites", "quickstart.yaml");

export interface RunArgs extends SuiteOverrides, FormatArgs, GateArgs {
  suite?: string | undefined;
  out?: string | undefined;
  /** Skip the models whose API key is unset (announced, recorded) instead of refusing the run. */
  skipMissingKeys?: boolean | undefined;
  resume?: string | undefined;
  progress?: boolean | undefined;
  dryRun?: boolean | undefined;
  maxCost?: number | undefined;
  /** `--shard i/n` or `auto/n`, as given. */
  shard?: string | undefined;
}

/**
 * Secrets of the suite's models: values to mask in the log (API keys, URL credentials, secret
 * headers), and the API key variables that are unset.
 */
export function checkSecrets(suite: ResolvedSuite, env: NodeJS.ProcessEnv = process.env) {
  const values: string[] = [];
  const missing: string[] = [];
  for (const model of suite.models) {
    values.push(...configSecrets(model.config));
    for (const name of secretEnvOf(model.config)) {
      const value = env[name];
      if (value) values.push(value);
      else missing.push(`${name} (model ${model.id})`);
    }
  }
  const models = new Set(suite.models.map((m) => m.id));
  for (const judge of suite.judges ?? []) {
    // A judge that is a model under test is checked above, with the same key.
    if (models.has(judge.id)) continue;
    values.push(...configSecrets(judge.config));
    for (const name of secretEnvOf(judge.config)) {
      const value = env[name];
      if (value) values.push(value);
      else missing.push(`${name} (judge ${judge.id})`);
    }
  }
  return { values, missing };
}

/**
 * What a resumed run's `--max-cost` is and where it comes from (USD), or undefined when the
 * run has no limit and none is given.
 * @param given `--max-cost` on this command line, USD
 */
export function maxCostLine(given: number | undefined, resume: Pick<ResumeState, "maxCostUsd" | "spentUsd">) {
  const was = resume.maxCostUsd;
  const spent = `$${resume.spentUsd.toFixed(4)} spent so far`;
  if (given === undefined)
    return was === null ? undefined : `--max-cost: $${was} (kept from this run; ${spent})`;
  if (was === given) return `--max-cost: $${given} (as before; ${spent})`;
  const before = was === null ? "no limit before" : `was $${was} before this --resume`;
  return `--max-cost: $${given} (${before}; ${spent})`;
}

/**
 * The shard a run makes: `--shard` as given, or, on `--resume`, the one the run started with.
 * Throws an Error (exit code 2) for a bad value, or a resume that would change the shard.
 */
export function chooseShard(
  given: string | undefined,
  resume: Pick<ResumeState, "firstStart"> | undefined,
  resumed?: string,
): Shard | undefined {
  const shard = given === undefined ? undefined : parseShard(given);
  if (!resume) return shard;
  const recorded = resume.firstStart.shard;
  if (shard && !recorded) {
    throw new Error(`--resume ${resumed}: this run was not started with --shard; resume it without --shard`);
  }
  if (shard && recorded && (shard.index !== recorded.index || shard.count !== recorded.count)) {
    throw new Error(
      `--resume ${resumed} is shard ${shardLabel(recorded)}; --shard ${shardLabel(shard)} would mix two ` +
        `shards' calls in one run directory (a plain --resume keeps ${shardLabel(recorded)})`,
    );
  }
  return recorded ?? shard;
}

/**
 * Services for the suite's models (in caller threads when `workers` says so) and for its judges
 * (on the main thread: a judge's calls are few, and scoring waits on them).
 */
async function runPreparer(suite: ResolvedSuite): Promise<(model: ResolvedModel) => ModelServices> {
  const forModels = await modelPreparer(suite.models, suite.workers);
  const judges = (suite.judges ?? []).filter((judge) => !suite.models.includes(judge));
  const forJudges = await modelPreparer(judges);
  return (model) => (suite.models.includes(model) ? forModels(model) : forJudges(model));
}

/** Default run directory: `runs/<UTC yyyymmdd-hhmmss>-<suite name>` under the working directory. */
export function defaultRunDir(suiteName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
  return resolve("runs", `${stamp}-${suiteName}`);
}

export async function runCommand(args: RunArgs): Promise<number> {
  let outputs: SelectedOutput[];
  try {
    outputs = chooseOutputs("run", args);
  } catch (error) {
    process.stderr.write(`opbench: ${(error as Error).message}\n`);
    return 2;
  }
  let resume: ResumeState | undefined;
  let suitePath = args.suite;
  if (args.resume) {
    const runDir = resolve(args.resume);
    if (!existsSync(resolve(runDir, EVENTS_FILE))) {
      process.stderr.write(
        `opbench: --resume ${args.resume}: no ${EVENTS_FILE} there; is it a run directory?\n`,
      );
      return 2;
    }
    resume = await readResumeState(runDir);
    suitePath ??= resume.firstStart.suite.path;
  }
  let shard: Shard | undefined;
  try {
    shard = chooseShard(args.shard, resume, args.resume);
  } catch (error) {
    process.stderr.write(`opbench: ${(error as Error).message}\n`);
    return 2;
  }
  suitePath = resolve(suitePath ?? QUICKSTART_SUITE);
  // API keys may sit in a .env beside the suite or in the working directory.
  loadEnvFiles([dirname(suitePath), process.cwd()]);
  // run_start's facts spawn `git` (and `nvidia-smi` where there is one): they run while the suite loads.
  const factsDir = dirname(suitePath);
  const facts = args.dryRun ? undefined : startRunFacts(factsDir);

  const loaded = await reportSuiteError(() => loadSuite(suitePath));
  if (!loaded.ok) return 2;
  // A `--model` path or URL (given, or recorded by the run resumed) goes to the first runner that takes it.
  const recordedOverrides = resume?.firstStart.suite.overrides as SuiteOverrides | undefined;
  if (args.model !== undefined || recordedOverrides?.model !== undefined) await loadAllRunners();
  // A resumed run keeps the overrides it started with unless new ones are given.
  const overrides = givenOverrides(args);
  let effective: SuiteOverrides;
  let suite: ResolvedSuite;
  try {
    effective = resume ? resumedOverrides(recordedOverrides!, overrides) : overrides;
    suite = applyOverrides(loaded.value, effective);
    checkWorkers(suite.models, suite.workers ?? 1);
  } catch (error) {
    process.stderr.write(`opbench: ${(error as Error).message}\n`);
    return 2;
  }
  const secrets = checkSecrets(suite);
  // Gates and the baseline are checked before any call: a typo must not cost a run.
  let gates: PreparedGates;
  try {
    const context = suiteGateContext(suite);
    gates = await prepareGates(
      args.dryRun ? { ...args, baseline: undefined } : args,
      context.settings,
      context,
    );
  } catch (error) {
    const code = gateErrorCode(error, "run");
    if (code !== null) return code;
    throw error;
  }
  if (args.dryRun) {
    const { formatPlan, planJudges, planSuite } = await import("./dry-run.ts");
    const judges = (suite.judges ?? []).filter((judge) => !suite.models.includes(judge));
    const servicesOf = await modelPreparer([...suite.models, ...judges]);
    const plan = formatPlan(planSuite(suite, servicesOf, shard), planJudges(suite, servicesOf, shard));
    process.stdout.write(`${plan}\n`);
    if (secrets.missing.length > 0) process.stdout.write(`Missing API keys: ${secrets.missing.join(", ")}\n`);
    return 0;
  }
  // A resumed run keeps skipping what it skipped, unless --no-skip-missing-keys says otherwise.
  const skipMissingKeys =
    args.skipMissingKeys ?? resume?.firstStart.argv.some((arg) => arg === "--skip-missing-keys") === true;
  const skips = skipMissingKeys ? modelsToSkip(suite) : new Map<string, string>();
  if (secrets.missing.length > 0 && !skipMissingKeys) {
    process.stderr.write(
      `opbench: no call was made: set these environment variables first: ${secrets.missing.join(", ")}\n`,
    );
    return 2;
  }
  const skipped = announceSkips(suite, skips);
  if ("error" in skipped) {
    process.stderr.write(`opbench: ${skipped.error}\n`);
    return 2;
  }
  for (const line of skipped.lines) process.stderr.write(`${line}\n`);
  const judgeSkips = skipMissingKeys ? judgesToSkip(suite) : new Map<string, string>();
  for (const [id, reason] of judgeSkips) {
    process.stderr.write(`opbench: judge ${id} ${reason}\n`);
  }
  if (args.maxCost !== undefined && !(args.maxCost >= 0)) {
    process.stderr.write(`opbench: --max-cost must be a number of USD ≥ 0, got ${args.maxCost}\n`);
    return 2;
  }
  if (resume && resume.firstStart.suite.hash !== suite.hash) {
    process.stderr.write(
      `opbench: ${basename(suitePath)} changed since the run started (suite hash ${suite.hash.slice(0, 12)} ≠ ` +
        `${resume.firstStart.suite.hash.slice(0, 12)}); resuming would mix two suites. Start a new run instead.\n`,
    );
    return 2;
  }
  if (resume?.completed && resume.attemptsMade.size === 0) {
    process.stderr.write(`opbench: ${args.resume} is already complete; nothing to resume.\n`);
  }

  const runDir = args.resume ? resolve(args.resume) : resolve(args.out ?? defaultRunDir(suite.name));
  const progress = await TerminalProgress.create(args.progress === undefined ? {} : { live: args.progress });
  const interrupt = handleInterrupts((line) => progress.log(line), "stopping");
  progress.log(`opbench: suite ${suite.name}${shard ? `, shard ${shardLabel(shard)}` : ""} → ${runDir}`);
  // The run's limit holds across --resume; a new --max-cost replaces it, and says so.
  const maxCost = args.maxCost ?? resume?.maxCostUsd ?? undefined;
  const costLine = resume ? maxCostLine(args.maxCost, resume) : undefined;
  if (costLine) progress.log(costLine);
  // A fresh run's summary is folded as events are logged; a resumed one reads earlier segments
  // too, as does a run into a directory whose log it appends to.
  const appending = !resume && existsSync(resolve(runDir, EVENTS_FILE));
  const folded = resume || appending ? undefined : new SummaryBuilder();
  // Per-case scores are kept only for a paired comparison with a baseline.
  const cases = folded && gates.baseline ? new CaseScoreCollector() : null;
  // What the outputs read from the log beyond the summary (the report's cases) is folded alike.
  const junit = args.junit ? chooseOutputs("run", { format: ["junit"] }) : [];
  const logFolds = folded ? startLogFolds([...outputs, ...junit]) : undefined;
  try {
    const result = await runSuite({
      suite,
      runDir,
      prepareModel: skippingPreparer(await runPreparer(suite), new Map([...judgeSkips, ...skips])),
      signal: interrupt.signal,
      observer: progress,
      argv: process.argv.slice(2),
      describedSuite: describeSuite(suite),
      overrides: { ...effective },
      secrets: secrets.values,
      ...(maxCost !== undefined && { budget: new CostBudget(maxCost, resume?.spentUsd ?? 0) }),
      ...(resume && { resume }),
      ...(shard && { shard }),
      ...(facts && suite.baseDir === factsDir && { facts }),
      ...(folded && {
        onEvent: (event: LogEvent) => {
          folded.add(event);
          cases?.add(event);
          logFolds?.add(event);
        },
      }),
    });
    progress.stop();
    const summary = folded ? folded.result() : await summarizeRun(runDir);
    const report = await evaluateRunGates(gates, summary, runDir, cases);
    await produceAndList([...outputs, ...junit], "run", {
      runDir,
      summary,
      ...(logFolds && { logFolds: logFolds.folds }),
      ...(args.junit && { junitFile: resolve(args.junit) }),
    });
    const gateCode = report ? gateExitCode(report) : 0;
    if (result.status === "budget_reached") {
      process.stderr.write(
        `Stopped at --max-cost $${maxCost}. Continue with: npx opbench run --resume ${runDir} --max-cost <higher>\n`,
      );
      return gateCode;
    }
    if (result.status === "interrupted") {
      process.stderr.write(`Interrupted. Continue with: npx opbench run --resume ${runDir}\n`);
      return INTERRUPTED_EXIT_CODE;
    }
    return gateCode;
  } finally {
    progress.stop();
    interrupt.dispose();
  }
}
