/** `opbench validate <suite>`: everything `run` checks before its first call, and nothing else. */
import { resolve } from "node:path";
import { measuredCallCount } from "../engine/plan.ts";
import { loadSuite } from "../suite/load.ts";
import { reportSuiteError } from "./suite-errors.ts";

export async function validateCommand(suitePath: string): Promise<number> {
  const loaded = await reportSuiteError(() => loadSuite(resolve(suitePath)));
  if (!loaded.ok) return 2;
  const suite = loaded.value;
  const cases = suite.tasks.reduce((n, t) => n + t.cases.length, 0);
  process.stdout.write(
    `${suitePath}: valid. ${suite.models.length} model(s), ${suite.tasks.length} task(s), ${cases} case(s), ` +
      `${measuredCallCount(suite)} measured call(s) planned.\n`,
  );
  return 0;
}
