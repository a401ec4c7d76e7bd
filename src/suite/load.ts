/**
 * The one way in: suite YAML → parsed with positions → validated against `SuiteConfig` → datasets
 * loaded → `resolveSuite()`. Each stage collects every problem and throws them as one `SuiteError`.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { loadAllRunners, loadRunners } from "../../runners/index.ts";
import { loadAllScorers, loadScorers } from "../scoring/index.ts";
import { type LoadedDataset, loadDataset } from "./dataset.ts";
import {
  type IssueDraft,
  isSuiteError,
  positionIssues,
  SuiteError,
  type SuiteIssue,
  sortIssues,
} from "./errors.ts";
import { pluginsNamed } from "./plugins-named.ts";
import { resolveSuite } from "./resolve.ts";
import type { ResolvedSuite } from "./resolved.ts";
import { type SuiteConfig, suiteConfigSchema, suiteSchemaFor } from "./schema.ts";
import { decodeUtf8Text } from "./utf8-text.ts";
import { createLocator } from "./yaml-positions.ts";
import { yamlSyntaxIssues } from "./yaml-syntax.ts";
import { zodIssueDrafts } from "./zod-issues.ts";

/** `sourcePath` of a suite given as text with no file behind it; relative paths use the cwd. */
export const INLINE_SOURCE = "<inline>";

/** Reads, validates and resolves the suite file at `path`. Throws `SuiteError` (exit code 2). */
export async function loadSuite(path: string): Promise<ResolvedSuite> {
  const sourcePath = resolve(path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(sourcePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === "ENOENT"
        ? `suite file not found: ${sourcePath}`
        : `cannot read suite file: ${(error as Error).message}`;
    throw new SuiteError([{ file: sourcePath, line: 1, column: 1, key: "", message }]);
  }
  const decoded = decodeUtf8Text(bytes);
  if (!decoded.ok) {
    const { reason, byte, line, column } = decoded.problem;
    const message = `not a UTF-8 text file (${reason} at byte offset ${byte}); a suite is a UTF-8 YAML file`;
    throw new SuiteError([{ file: sourcePath, line, column, key: "", message }]);
  }
  return loadSuiteText(decoded.text, sourcePath);
}

/**
 * Validates and resolves suite `text` as if read from `path` (datasets and model paths are
 * relative to its directory; `INLINE_SOURCE` means the cwd). Throws `SuiteError`.
 */
export async function loadSuiteText(text: string, path: string): Promise<ResolvedSuite> {
  const sourcePath = path === INLINE_SOURCE ? INLINE_SOURCE : resolve(path);
  const baseDir = path === INLINE_SOURCE ? process.cwd() : dirname(sourcePath);
  const config = await parseSuiteText(text, sourcePath);

  const results = await Promise.all(
    config.tasks.map((task, index) => loadDataset(task.dataset, baseDir, ["tasks", index, "dataset"])),
  );
  const datasetDrafts: IssueDraft[] = [];
  const datasets = results.map((result): LoadedDataset => {
    if (result.ok) return result.dataset;
    datasetDrafts.push(...result.issues);
    return { rows: [], rowCount: 0, unavailable: true };
  });
  const datasetIssues =
    datasetDrafts.length > 0 ? positionIssues(datasetDrafts, sourcePath, locatorFor(text).locate) : [];

  // The price data (~20 MB in memory) is loaded only for a projected savings baseline.
  const lookupPrice = config.savings?.some((entry) => typeof entry.baseline !== "string")
    ? (await import("../cost/list-price.ts")).lookupListPrice
    : undefined;
  let resolveIssues: readonly SuiteIssue[] = [];
  try {
    const resolved = resolveSuite(config, { sourcePath, baseDir, text, datasets, lookupPrice });
    if (datasetIssues.length === 0) return resolved;
  } catch (error) {
    if (!isSuiteError(error)) throw error;
    resolveIssues = error.issues;
  }
  throw new SuiteError(sortIssues([...datasetIssues, ...resolveIssues], sourcePath));
}

/**
 * Parses suite YAML and validates it against `SuiteConfig`, without reading datasets; the runners
 * and scorers it names are loaded (only those, when every name is a registered one).
 * Throws `SuiteError` with every syntax or schema problem, positioned in the text.
 */
export async function parseSuiteText(text: string, sourcePath: string): Promise<SuiteConfig> {
  const { doc, locate, lineCounter } = locatorFor(text);
  if (doc.errors.length > 0) {
    throw new SuiteError(sortIssues(yamlSyntaxIssues(text, doc.errors, lineCounter, sourcePath), sourcePath));
  }
  if (doc.contents === null) {
    const message = "the suite is empty: expected a mapping with `name`, `models` and `tasks`";
    throw new SuiteError([{ file: sourcePath, line: 1, column: 1, key: "", message }]);
  }
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (error) {
    throw new SuiteError([
      { file: sourcePath, line: 1, column: 1, key: "", message: (error as Error).message },
    ]);
  }
  const named = pluginsNamed(data);
  if (named) {
    await Promise.all([loadRunners(named.kinds), loadScorers(named.types)]);
    const parsed = suiteSchemaFor(named.kinds, named.types).safeParse(data);
    if (parsed.success) return parsed.data;
  }
  // Checked again against every plug-in, so a message lists all a field could have been.
  await Promise.all([loadAllRunners(), loadAllScorers()]);
  const schema = suiteConfigSchema();
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  throw new SuiteError(positionIssues(zodIssueDrafts(parsed.error.issues, schema, data), sourcePath, locate));
}

function locatorFor(text: string) {
  const lineCounter = new LineCounter();
  // `merge`: `<<: *anchor` lets models share settings.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false });
  return { doc, lineCounter, locate: createLocator(doc, lineCounter) };
}
