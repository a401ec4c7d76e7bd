/** Prints suite problems (file:line:column, key, expectation) and turns them into exit code 2. */
import { SuiteError } from "../suite/errors.ts";

export type Loaded<T> = { ok: true; value: T } | { ok: false };

/** Runs `load`; a SuiteError is printed to stderr and becomes `{ok: false}`; other errors propagate. */
export async function reportSuiteError<T>(load: () => Promise<T>): Promise<Loaded<T>> {
  try {
    return { ok: true, value: await load() };
  } catch (error) {
    if (!(error instanceof SuiteError)) throw error;
    process.stderr.write(`opbench: the suite is not valid; no call was made.\n${error.message}\n`);
    return { ok: false };
  }
}
