/**
 * `opbench load <suite>`: a concurrency or request-rate sweep against one model of the suite,
 * its prompts cycled from the suite's cases. Settings: the suite's `load:` section, overridden
 * by flags. Writes events.jsonl to a run directory, then its outputs (default: load.json and
 * the table).
 */
import { dirname, resolve } from "node:path";
import type { SelectedOutput } from "../../reports/index.ts";
import { loadAllRunners, secretEnvOf } from "../../runners/index.ts";
import { configSecrets } from "../core/secrets.ts";
import type { ModelServices } from "../engine/services.ts";
import { LoadConfigError, type LoadFlags, type ResolvedLoad, resolveLoad } from "../load/config.ts";
import { type LoadObserver, runLoad } from "../load/sweep.ts";
import { levelLabel } from "../load/table.ts";
import { loadSuite } from "../suite/load.ts";
import { describeSuite } from "../suite/resolve.ts";
import type { ResolvedModel, ResolvedSuite } from "../suite/resolved.ts";
import { loadEnvFiles } from "./env-file.ts";
import {
  evaluatePrepared,
  type GateArgs,
  gateErrorCode,
  gateExitCode,
  hasGates,
  type PreparedGates,
  prepareGates,
  printGateReport,
} from "./gate-support.ts";
import { handleInterrupts, INTERRUPTED_EXIT_CODE } from "./interrupt.ts";
import { modelPreparer } from "./model-services.ts";
import { chooseOutputs, type FormatArgs, produceAndList } from "./outputs.ts";
import { modelFromFlag } from "./overrides.ts";
import { defaultRunDir } from "./run-command.ts";
import { reportSuiteError } from "./suite-errors.ts";

export interface LoadArgs extends LoadFlags, FormatArgs, GateArgs {
  suite?: string | undefined;
  out?: string | undefined;
  /** Caller threads (`--workers`); the suite's `workers:` when absent. */
  workers?: number | undefined;
}

/** The model to load: a suite model by id, else a .gguf path or llama-server URL, else the first. */
export function chooseModel(suite: ResolvedSuite, id: string | undefined): ResolvedModel {
  if (id === undefined) return suite.models[0]!;
  const found = suite.models.find((m) => m.id === id);
  if (found) return found;
  if (/^https?:\/\//.test(id) || id.endsWith(".gguf")) return modelFromFlag(id, 1);
  const ids = suite.models.map((m) => m.id).join(", ");
  throw new LoadConfigError(
    `--model ${id}: no such model in the suite (${ids}); or give a .gguf path or a llama-server URL`,
  );
}

/** Settings that cannot produce the numbers asked for: say so before any call. */
function checkMeasurable(load: ResolvedLoad, suite: ResolvedSuite, model: ResolvedModel): void {
  if (load.slo.ttft_ms === undefined && load.slo.tpot_ms === undefined) return;
  const whole = suite.tasks.filter((task) => !{ ...task.params, ...suite.modelParams[model.id] }.stream);
  if (whole.length > 0) {
    throw new LoadConfigError(
      `TTFT and TPOT objectives need streamed calls, but task ${whole[0]!.id} has stream: false`,
    );
  }
}

function progress(write: (line: string) => void): LoadObserver {
  return {
    log: (message) => write(message),
    stepStarted: (step, level) =>
      write(
        `step ${step}: ${"concurrency" in level ? `concurrency ${level.concurrency}` : `${level.rate} req/s`}…`,
      ),
    stepDone: (s) =>
      write(
        `step ${s.step} (${levelLabel(s)}): ${s.requests.succeeded}/${s.requests.offered} ok in ${s.duration_s?.toFixed(1) ?? "–"} s, ` +
          `${s.requests_per_s?.toFixed(2) ?? "–"} req/s, ${s.output_tokens_per_s?.toFixed(1) ?? "–"} out tok/s, ` +
          `goodput ${s.goodput.fraction === null ? "–" : `${(s.goodput.fraction * 100).toFixed(1)}%`}`,
      ),
  };
}

/**
 * Runs `opbench load`; returns the exit code (0 done, 1 the model did not start, 2 bad input,
 * 130 interrupted). `prepare` replaces the runner registry, pricing and energy (tests).
 */
export async function loadCommand(
  args: LoadArgs,
  prepare?: (model: ResolvedModel) => ModelServices,
): Promise<number> {
  if (!args.suite) {
    process.stderr.write("opbench load: name a suite file\n");
    return 2;
  }
  let outputs: SelectedOutput[];
  try {
    outputs = chooseOutputs("load", args);
  } catch (error) {
    process.stderr.write(`opbench load: ${(error as Error).message}\n`);
    return 2;
  }
  const suitePath = resolve(args.suite);
  // API keys may sit in a .env beside the suite or in the working directory.
  loadEnvFiles([dirname(suitePath), process.cwd()]);
  const loaded = await reportSuiteError(() => loadSuite(suitePath));
  if (!loaded.ok) return 2;
  const suite = loaded.value;
  // A `--model` path or URL goes to the first runner that takes it.
  if (args.model !== undefined) await loadAllRunners();
  let load: ResolvedLoad;
  let model: ResolvedModel;
  try {
    load = resolveLoad(suite.load, args);
    model = chooseModel(suite, load.model);
    checkMeasurable(load, suite, model);
  } catch (error) {
    if (!(error instanceof LoadConfigError)) throw error;
    process.stderr.write(`opbench load: ${error.message}\n`);
    return 2;
  }
  const missing = secretEnvOf(model.config).filter((name) => !process.env[name]);
  if (missing.length > 0) {
    process.stderr.write(`opbench load: ${model.id} needs the environment variable ${missing.join(", ")}\n`);
    return 2;
  }
  // The suite's gates are a run's; a sweep is gated on the command line (goodput per step).
  let gates: PreparedGates;
  try {
    gates = await prepareGates(
      args,
      { gates: [], alpha: undefined, maxErrorRate: null },
      {
        universe: { mode: "load", models: [model.id], tasks: [], savings: [] },
        identity: { name: suite.name, hash: suite.hash, tasks: [] },
        searchDirs: [],
      },
    );
  } catch (error) {
    const code = gateErrorCode(error, "load");
    if (code !== null) return code;
    throw error;
  }
  const secrets = [
    ...secretEnvOf(model.config).map((name) => process.env[name]!),
    ...configSecrets(model.config),
    ...configSecrets(load.serverMetrics),
  ];
  const workers = args.workers ?? suite.workers ?? 1;
  let prepareModel: Awaited<ReturnType<typeof modelPreparer>>;
  try {
    if (!Number.isInteger(workers) || workers < 1)
      throw new RangeError(`--workers must be a positive integer, got ${workers}`);
    prepareModel = prepare ?? (await modelPreparer([model], workers));
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    process.stderr.write(`opbench load: ${error.message}\n`);
    return 2;
  }
  const runDir = resolve(args.out ?? defaultRunDir(`${suite.name}-load`));
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const interrupt = handleInterrupts(write, "stopping the sweep");
  write(`opbench load: ${model.id} (${load.mode} sweep), suite ${suite.name} → ${runDir}`);
  try {
    const result = await runLoad({
      suite,
      model,
      load,
      runDir,
      prepareModel,
      signal: interrupt.signal,
      observer: progress(write),
      argv: process.argv.slice(2),
      describedSuite: describeSuite(suite),
      secrets,
    });
    if (result.error !== undefined) {
      write(`opbench load: ${model.id} did not start: ${result.error}`);
      return 1;
    }
    let gateCode = 0;
    if (result.summary && hasGates(gates)) {
      const report = await evaluatePrepared(gates, { summary: null, load: result.summary, caseScores: null });
      result.summary.gates = report;
      printGateReport(report, write);
      gateCode = gateExitCode(report);
    }
    const junit = args.junit ? chooseOutputs("load", { format: ["junit"] }) : [];
    if (result.summary) {
      await produceAndList([...outputs, ...junit], "load", {
        runDir,
        load: result.summary,
        ...(args.junit && { junitFile: resolve(args.junit) }),
      });
    }
    return result.status === "interrupted" ? INTERRUPTED_EXIT_CODE : gateCode;
  } finally {
    interrupt.dispose();
  }
}
