/**
 * The `code_tests` scorer's job, run inside the sandbox (src/sandbox/child.ts): loads the
 * solution the scorer wrote to `solution.js` and runs each test, posting one message per test.
 * Node built-ins only: the sandbox may read this file and nothing else of opbench's.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { inspect, isDeepStrictEqual } from "node:util";

/** A test: JavaScript (an expression that must not be `false`, or statements that must not throw), or a call. */
export type CodeTest = string | { input?: unknown; args?: unknown; expected?: unknown };

export interface CodeTestsJob {
  entry: string;
  tests: CodeTest[];
}

/** Posted once per test, in order. */
export interface CodeTestOutcome {
  test: number;
  pass: boolean;
  detail?: string;
}

/** Where the scorer's appended line leaves the entry function of a script without exports. */
export const ENTRY_GLOBAL = "__opbenchEntry";

// References taken before the solution loads, so a solution that patches globals cannot sway them.
const clone = structuredClone;
const apply = Reflect.apply;
const isArray = Array.isArray;
const equal = isDeepStrictEqual;
const show = (value: unknown) =>
  inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY }).slice(0, 200);
const AsyncFunction = (async () => {}).constructor as new (
  ...args: string[]
) => (...values: unknown[]) => Promise<unknown>;

function message(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`.slice(0, 300);
  return `threw ${show(thrown)}`;
}

function entryOf(namespace: Record<string, unknown>, entry: string): unknown {
  const fallback = namespace.default as Record<string, unknown> | undefined;
  return namespace[entry] ?? fallback?.[entry] ?? (globalThis as Record<string, unknown>)[ENTRY_GLOBAL];
}

/** JavaScript text as a function of (assert, <entry>, solution): an expression's value, else statements. */
function compile(source: string, entry: string): (...values: unknown[]) => Promise<unknown> {
  try {
    return new AsyncFunction("assert", entry, "solution", `return (${source}\n);`);
  } catch {
    return new AsyncFunction("assert", entry, "solution", source);
  }
}

async function runTest(
  test: CodeTest,
  entry: string,
  fn: unknown,
  namespace: unknown,
): Promise<string | undefined> {
  if (typeof test === "string") {
    const value = await compile(test, entry)(assert, fn, namespace);
    return value === false ? "evaluated to false" : undefined;
  }
  if (typeof fn !== "function") return `no function named ${entry}`;
  const given = test.args ?? test.input;
  const args = isArray(given) ? given : given === undefined ? [] : [given];
  const actual = await apply(fn, undefined, args);
  let copy: unknown;
  try {
    copy = clone(actual);
  } catch {
    return `returned ${show(actual)}, which is not plain data`;
  }
  return equal(copy, test.expected) ? undefined : `expected ${show(test.expected)}, got ${show(copy)}`;
}

export async function runJob(
  job: CodeTestsJob,
  send: (outcome: CodeTestOutcome) => void,
  { dir }: { dir: string },
): Promise<{ loadError?: string }> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(join(dir, "solution.js")).href)) as Record<string, unknown>;
  } catch (thrown) {
    return { loadError: message(thrown) };
  }
  const fn = entryOf(namespace, job.entry);
  // An index loop: the solution may have replaced the array iterator.
  for (let test = 0; test < job.tests.length; test++) {
    const spec = job.tests[test]!;
    let detail: string | undefined;
    try {
      detail = await runTest(spec, job.entry, fn, namespace);
    } catch (thrown) {
      detail = message(thrown);
    }
    if (detail !== undefined && typeof fn !== "function" && typeof spec === "string") {
      detail += ` (the code defines no function ${job.entry})`;
    }
    send(detail === undefined ? { test, pass: true } : { test, pass: false, detail });
  }
  return {};
}
