/**
 * `opbench init --from <log>`: a suite from logged API calls (src/replay/), its baseline the
 * traffic itself. Prints what was read, skipped, sampled and redacted; checks the suite loads.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, extname, join, relative, resolve } from "node:path";
import { loadAllRunners, runnerDefinitions, runnerLocality } from "../../runners/index.ts";
import { buildReplay } from "../replay/build-replay.ts";
import { type LogFormat, LogFormatError } from "../replay/detect.ts";
import type { ReplayJudge } from "../replay/replay-yaml.ts";
import { loadSuite } from "../suite/load.ts";
import { reportSuiteError } from "./suite-errors.ts";

export interface InitFromArgs {
  from: string[];
  format: LogFormat | "auto";
  sample: number;
  seed: number;
  out?: string | undefined;
  redact: boolean;
  redactPattern?: string[] | undefined;
  force: boolean;
  /** The LLM judge of free-text tasks: an OpenAI model name, or `<runner>:<model>`. */
  judge?: string | undefined;
  /** The schema file's absolute path. */
  schemaFile: string;
}

const stem = (file: string) =>
  basename(file, extname(file))
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "") || "traffic";

/**
 * `--judge` as a judge entry: `gpt-4.1` (OpenAI), or `anthropic:claude-sonnet-4-5` — any API
 * runner kind before the colon. Throws a message for a kind that is not an API runner.
 */
export function parseJudge(value: string): ReplayJudge {
  const colon = value.indexOf(":");
  const kind = colon > 0 ? value.slice(0, colon) : undefined;
  if (kind !== undefined && runnerLocality(kind) === "api" && colon < value.length - 1) {
    return { runner: kind, model: value.slice(colon + 1) };
  }
  if (kind !== undefined && runnerDefinitions().has(kind)) {
    throw new Error(`--judge ${value}: runner ${kind} is not an API runner; a judge here is an API model`);
  }
  if (value.trim() === "")
    throw new Error("--judge needs a model name, e.g. gpt-4.1 or anthropic:claude-sonnet-4-5");
  return { runner: "openai", model: value };
}

export async function initFromCommand(args: InitFromArgs): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  for (const file of args.from) {
    if (!existsSync(file)) {
      say(`opbench: ${file} does not exist`);
      return 2;
    }
  }
  if (!(Number.isInteger(args.sample) && args.sample > 0)) {
    say(`opbench: --sample takes a whole number above 0, not ${args.sample}`);
    return 2;
  }
  const patterns = args.redactPattern ?? [];
  for (const pattern of patterns) {
    try {
      new RegExp(pattern, "g");
    } catch (error) {
      say(
        `opbench: --redact-pattern ${JSON.stringify(pattern)} is not a regular expression: ${(error as Error).message}`,
      );
      return 2;
    }
  }
  if (patterns.length > 0 && !args.redact) {
    say("opbench: --redact-pattern needs --redact");
    return 2;
  }
  let judge: ReplayJudge | undefined;
  // `--judge kind:model` may name any runner kind.
  if (args.judge !== undefined) await loadAllRunners();
  try {
    judge = args.judge === undefined ? undefined : parseJudge(args.judge);
  } catch (error) {
    say(`opbench: ${(error as Error).message}`);
    return 2;
  }
  const name = `${stem(args.from[0]!)}-replay`;
  const outDir = resolve(args.out ?? name);
  if (existsSync(join(outDir, "suite.yaml")) && !args.force) {
    say(`opbench: ${join(outDir, "suite.yaml")} exists: choose another --out, or --force to overwrite it`);
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  const schema = relative(outDir, args.schemaFile).split("\\").join("/");
  let result: Awaited<ReturnType<typeof buildReplay>>;
  try {
    result = await buildReplay({
      files: args.from.map((f) => resolve(f)),
      format: args.format === "auto" ? undefined : args.format,
      sample: args.sample,
      seed: args.seed,
      outDir,
      name: name.replace(/^[^A-Za-z0-9]+/, "") || "replay",
      schema: schema.startsWith(".") ? schema : `./${schema}`,
      redact: args.redact,
      redactPatterns: patterns,
      ...(judge && { judge }),
    });
  } catch (error) {
    if (!(error instanceof LogFormatError)) throw error;
    say(`opbench: ${error.message}`);
    return 2;
  }
  const { stats } = result;
  const skipped = [...stats.skipped].map(([reason, n]) => `${n} ${reason}`).join(", ");
  say(
    `${args.from.map((f) => basename(f)).join(" + ")}: ${stats.format}, ${stats.lines} line(s), ${stats.calls} call(s)${skipped ? `; skipped: ${skipped}` : ""}`,
  );
  if (result.sampled.length === 0) {
    say("opbench: no call in the log can be replayed (see the skip counts above)");
    return 2;
  }
  const weights = result.sampled.reduce((sum, s) => sum + s.weight, 0);
  say(
    `Sampled ${result.sampled.length} distinct request(s) (seed ${args.seed}) standing for ${weights} call(s), from ${result.strata.size} stratum/strata:`,
  );
  for (const [stratum, n] of [...result.strata].sort((a, b) => b[1] - a[1]).slice(0, 12))
    say(`  ${stratum}: ${n} call(s)`);
  say(`Tasks: ${result.tasks.map((t) => `${t.shape} (${t.cases})`).join(", ")}`);
  if (result.redactions) {
    const replaced = Object.entries(result.redactions.replaced);
    say(
      `Redacted: ${replaced.length > 0 ? replaced.map(([kind, n]) => `${n} ${kind}`).join(", ") : "nothing found"} (${join(outDir, "redactions.json")})`,
    );
  }
  for (const note of result.notes) say(`Note: ${note}`);
  const checked = await reportSuiteError(() => loadSuite(result.suitePath));
  if (!checked.ok) {
    say(`opbench: the suite written to ${result.suitePath} does not validate (above); please report this`);
    return 1;
  }
  writeFileSync(join(outDir, ".gitignore"), "# replayed traffic may hold customer data\n*\n");
  const shown = relative(process.cwd(), result.suitePath) || result.suitePath;
  say(`Suite: ${result.suitePath}`);
  say("Agreement with the logged model is measured, not correctness: its answers are the reference.");
  if (judge && result.tasks.some((task) => task.shape === "text")) {
    say(
      `The judge (${judge.runner} ${judge.model}) needs its API key; without it, --skip-missing-keys runs the rest and says the judge was skipped.`,
    );
  }
  say(`Next: start a llama-server on :8080 (or edit models:), then`);
  say(`  npx opbench run ${shown} --limit 50`);
  return 0;
}
