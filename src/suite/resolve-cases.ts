/** A task's dataset rows rendered into cases, after checking every template variable exists. */
import { basename } from "node:path";
import type { LoadedDataset } from "./dataset.ts";
import type { IssueDraft } from "./errors.ts";
import type { Case } from "./resolved.ts";
import type { TaskConfig } from "./schema.ts";
import { type CompiledTemplate, compileTemplate, formatTemplateValue, lookupVariable } from "./template.ts";

const TEMPLATE_FIELDS = ["system", "prompt", "expected", "case_id", "cluster"] as const;
type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** Duplicate case ids reported per task before the rest are left out. */
const MAX_DUPLICATE_ISSUES = 10;

/**
 * Renders every row of `dataset` into a case of `task` (the task at `taskIndex` in the suite).
 * Issues: an empty dataset, template variables some row lacks, duplicate case ids.
 */
export function renderCases(
  task: TaskConfig,
  taskIndex: number,
  dataset: LoadedDataset,
): { cases: Case[]; issues: IssueDraft[] } {
  const taskPath = ["tasks", taskIndex] as const;
  const rows = dataset.rows;
  if (dataset.unavailable) return { cases: [], issues: [] };
  if (rows.length === 0) {
    const where = dataset.file ? `: ${dataset.file}` : "";
    const issue: IssueDraft = {
      path: [...taskPath, "dataset"],
      at: "value",
      message: `the dataset has no rows${where}`,
    };
    return { cases: [], issues: [issue] };
  }
  const templates: Partial<Record<TemplateField, CompiledTemplate>> = {};
  const issues: IssueDraft[] = [];
  for (const field of TEMPLATE_FIELDS) {
    const source = task[field];
    if (source === undefined) continue;
    const template = compileTemplate(source);
    templates[field] = template;
    for (const variable of template.variables) {
      const message = missingVariableMessage(variable, dataset);
      if (message)
        issues.push({ path: [...taskPath, field], at: "value", message, expected: "a dataset column" });
    }
  }
  if (issues.length > 0) return { cases: [], issues };

  const cases = rows.map((row, index) => {
    const rendered: Case = {
      id: templates.case_id ? templates.case_id.render(row) : String(index + 1),
      prompt: templates.prompt!.render(row),
    };
    if (templates.system) rendered.system = templates.system.render(row);
    const expected = templates.expected ? templates.expected.render(row) : defaultExpected(row);
    if (expected !== undefined) rendered.expected = expected;
    if (templates.cluster) rendered.cluster = templates.cluster.render(row);
    return rendered;
  });
  return { cases, issues: duplicateIdIssues(cases, [...taskPath, "case_id"]) };
}

/** Without an `expected` template the row's own `expected` column is the gold answer, if any. */
function defaultExpected(row: Record<string, unknown>): string | undefined {
  const value = Object.hasOwn(row, "expected") ? row.expected : undefined;
  return value === undefined || value === null ? undefined : formatTemplateValue(value);
}

/** Why `variable` cannot be filled from every row, or undefined when it can. */
function missingVariableMessage(variable: string, dataset: LoadedDataset): string | undefined {
  const rows = dataset.rows;
  const missing = rows.findIndex((row) => lookupVariable(row, variable) === undefined);
  if (missing < 0) return undefined;
  const head = `undefined template variable \`${variable}\``;
  if (rows.every((row) => lookupVariable(row, variable) === undefined)) {
    return `${head}: not a column of the dataset (first row lacking it: ${missing + 1}); columns: ${columnList(rows)}`;
  }
  const line = dataset.file && dataset.rowLines?.[missing];
  const where = line ? ` (${basename(dataset.file!)}:${line})` : "";
  return `${head}: row ${missing + 1}${where} lacks it; its columns: ${columnList([rows[missing]!])}`;
}

function columnList(rows: readonly Record<string, unknown>[]): string {
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  const names = [...columns];
  if (names.length === 0) return "(none)";
  return names.length > 20 ? `${names.slice(0, 20).join(", ")}, …` : names.join(", ");
}

function duplicateIdIssues(cases: readonly Case[], path: (string | number)[]): IssueDraft[] {
  const firstRow = new Map<string, number>();
  const reported = new Set<string>();
  const issues: IssueDraft[] = [];
  for (const [index, { id }] of cases.entries()) {
    const first = firstRow.get(id);
    if (first === undefined) firstRow.set(id, index);
    else if (!reported.has(id) && issues.length < MAX_DUPLICATE_ISSUES) {
      reported.add(id);
      const message = `duplicate case id "${id}" (rows ${first + 1} and ${index + 1})`;
      issues.push({ path, at: "value", message, expected: "a case id unique within the task" });
    }
  }
  return issues;
}
