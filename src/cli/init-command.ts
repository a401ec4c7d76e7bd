/**
 * `opbench init [data.csv|data.jsonl]`: scaffolds a suite from a user's own data file (columns
 * found, the answer and input columns guessed and, on a terminal, confirmed; scorers, grammar,
 * models and savings pair fitted to the task), or a commented example suite with no file. The
 * suite is checked as `run` would check it before it is reported written; nothing is overwritten
 * without `--force`.
 */
import { existsSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import { PACKAGE_ROOT } from "../host/package-root.ts";
import type { LogFormat } from "../replay/detect.ts";
import { loadSuite } from "../suite/load.ts";
import { type Analysis, analyse, ScaffoldError, sampleData, type TaskKind } from "../suite/scaffold.ts";
import { exampleSuite, renderScaffold, templateName } from "../suite/scaffold-yaml.ts";
import { reportSuiteError } from "./suite-errors.ts";

export interface InitArgs {
  data?: string | undefined;
  task?: TaskKind | undefined;
  answer?: string | undefined;
  input?: string | undefined;
  out?: string | undefined;
  yes: boolean;
  force: boolean;
  from?: string[] | undefined;
  format?: "auto" | LogFormat | undefined;
  sample?: number | undefined;
  seed?: number | undefined;
  redact?: boolean | undefined;
  redactPattern?: string[] | undefined;
  judge?: string | undefined;
}

/** A suite name from a file name: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
function suiteName(file: string): string {
  const stem = basename(file, extname(file))
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+/, "");
  return stem || "my-suite";
}

/** A path as a suite names it: relative to the suite's folder, with forward slashes. */
const fromSuite = (suite: string, target: string) => {
  const rel = relative(dirname(suite), target).split("\\").join("/");
  return rel.startsWith(".") ? rel : `./${rel}`;
};

/** Asks the user to confirm or change the guesses (only on a terminal, without --yes). */
async function confirm(analysis: Analysis, columns: readonly string[]): Promise<Analysis> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const ask = async (question: string, guess: string, allowed: readonly string[]) => {
      for (;;) {
        const answer = (await rl.question(`${question} [${guess}]: `)).trim();
        if (answer === "") return guess;
        if (allowed.includes(answer)) return answer;
        process.stderr.write(`  one of: ${allowed.join(", ")}\n`);
      }
    };
    process.stderr.write(`Columns: ${columns.join(", ")}\n`);
    const answer = await ask("Column with the expected answer", analysis.answer, columns);
    const input = await ask(
      "Column with the input text",
      answer === analysis.input ? (columns.find((c) => c !== answer) as string) : analysis.input,
      columns.filter((c) => c !== answer),
    );
    const kind = (await ask("Task (classify, extract, generate)", analysis.kind, [
      "classify",
      "extract",
      "generate",
    ])) as TaskKind;
    return { ...analysis, answer, input, kind };
  } finally {
    rl.close();
  }
}

export async function initCommand(args: InitArgs): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  if (args.judge !== undefined && !(args.from && args.from.length > 0)) {
    say("opbench: --judge goes with --from (a judge for replayed free-text answers)");
    return 2;
  }
  if (args.from && args.from.length > 0) {
    if (args.data !== undefined) {
      say("opbench: give a data file or --from <log>, not both");
      return 2;
    }
    const { initFromCommand } = await import("./init-from.ts");
    return initFromCommand({
      from: args.from,
      format: args.format ?? "auto",
      sample: args.sample ?? 500,
      seed: args.seed ?? 1,
      out: args.out,
      redact: args.redact ?? false,
      redactPattern: args.redactPattern,
      force: args.force,
      judge: args.judge,
      schemaFile: join(PACKAGE_ROOT, "schema", "suite.schema.json"),
    });
  }
  const out = resolve(args.out ?? (args.data ? `${suiteName(args.data)}.suite.yaml` : "suite.yaml"));
  if (existsSync(out) && !args.force) {
    say(`opbench: ${out} exists: choose another --out, or --force to overwrite it`);
    return 2;
  }
  const schema = fromSuite(out, join(PACKAGE_ROOT, "schema", "suite.schema.json"));
  let text: string;
  if (args.data === undefined) {
    text = exampleSuite(schema);
  } else {
    const data = resolve(args.data);
    if (!existsSync(data)) {
      say(`opbench: ${args.data} does not exist`);
      return 2;
    }
    try {
      const sample = sampleData(data);
      let analysis = analyse(sample, { answer: args.answer, input: args.input, kind: args.task });
      if (!args.yes && process.stdin.isTTY && process.stderr.isTTY) {
        analysis = await confirm(analysis, sample.columns);
        analysis = analyse(sample, { answer: analysis.answer, input: analysis.input, kind: analysis.kind });
      }
      for (const column of [analysis.answer, analysis.input]) {
        if (templateName(column) === null) {
          throw new ScaffoldError(
            `column "${column}" cannot be named in a prompt template ({{…}} takes letters, digits, _, $ and -): rename it in the file`,
          );
        }
      }
      text = renderScaffold({
        name: suiteName(args.data),
        dataset: fromSuite(out, data),
        schema,
        source: basename(args.data),
        analysis,
      });
      say(
        `${basename(args.data)}: ${sample.rows.length}${sample.sampled ? "+" : ""} row(s); answer column "${analysis.answer}", input column "${analysis.input}", task: ${analysis.kind}${analysis.kind === "classify" ? ` (${analysis.labels.length} labels)` : ""}`,
      );
      for (const note of analysis.notes) say(`Note: ${note}`);
    } catch (error) {
      if (!(error instanceof ScaffoldError)) throw error;
      say(`opbench: ${error.message}`);
      return 2;
    }
  }
  writeFileSync(out, text);
  // The suite must load as `run` loads it: a scaffold that does not is a bug to report, not a file to hand over.
  const checked = await reportSuiteError(() => loadSuite(out));
  if (!checked.ok) {
    say(`opbench: the suite written to ${out} does not validate (above); please report this`);
    return 1;
  }
  say(`Suite: ${out}`);
  say(`Next: start a llama-server on :8080 (or edit models:), set OPENAI_API_KEY, then`);
  say(`  npx opbench run ${relative(process.cwd(), out) || out} --limit 20`);
  return 0;
}
