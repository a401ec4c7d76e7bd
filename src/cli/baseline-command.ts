/**
 * `opbench baseline save <run-dir> [--name main]`: stores the run's summary and per-case scores
 * as `.opbench/baselines/<suite>/<name>.json` beside the suite file (or under `--dir`), a small
 * file meant to be committed, which `--baseline <name>` then finds.
 */
import { relative, resolve } from "node:path";
import { BASELINE_NAME, BaselineError, recordedSuiteDir, saveBaseline } from "../gates/baseline.ts";
import type { BaselineSaveArgs } from "./gate-cli.ts";
import { GATE_EXIT, gateErrorCode, readRunDirWithCases } from "./gate-support.ts";

export async function baselineSaveCommand(args: BaselineSaveArgs): Promise<number> {
  if (!BASELINE_NAME.test(args.name)) {
    process.stderr.write(
      `opbench baseline save: --name ${JSON.stringify(args.name)}: expected letters, digits, . _ - (starting with a letter or digit)\n`,
    );
    return GATE_EXIT.usage;
  }
  try {
    const { summary, caseScores } = await readRunDirWithCases(resolve(args.runDir));
    if (summary.results.length === 0) {
      throw new BaselineError(`${args.runDir} recorded no calls: nothing to save as a baseline`);
    }
    const dir = args.dir ? resolve(args.dir) : recordedSuiteDir(summary);
    if (!dir) {
      throw new BaselineError(
        `the suite file the run recorded (${summary.run.suite.path}) is not there any more: say where to save with --dir`,
      );
    }
    if (summary.run.status !== "completed") {
      process.stderr.write(
        `opbench baseline save: warning: the run's status is ${summary.run.status}, not completed\n`,
      );
    }
    const path = saveBaseline(dir, args.name, args.runDir, summary, caseScores);
    const shown = relative(process.cwd(), path) || path;
    process.stdout.write(
      `Saved baseline "${args.name}" of suite ${summary.run.suite.name}: ${shown}\n` +
        `Commit it, then gate against it with: opbench gate <run-dir> --baseline ${args.name}\n`,
    );
    return GATE_EXIT.pass;
  } catch (error) {
    const code = gateErrorCode(error, "baseline save");
    if (code !== null) return code;
    throw error;
  }
}
