/** A task's dataset rows rendered into cases, after checking every template variable exists. */
import { basename } from "node:path";
import { CaseTable } from "./case-table.ts";
import type { DatasetRow, LoadedDataset } from "./dataset.ts";
import type { IssueDraft } from "./errors.ts";
import type { Case } from "./resolved.ts";
import type { TaskConfig } from "./schema.ts";
import { type CompiledTemplate, compileTemplate, formatTemplateValue, lookupVariable } from "./template.ts";

const TEMPLATE_FIELDS = ["system", "prompt", "expected", "case_id", "cluster"] as const;
type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** Duplicate case ids reported per task before the rest are left out. */
const MAX_DUPLICATE_ISSUES = 10;

/**
 * Renders every row of `dataset` into a case of `task` (the task at `taskIndex` in the suite), in
 * one pass that packs them into a {@link CaseTable} as they come, so the rows never exist all at
 * once. Issues: an empty dataset, template variables some row lacks, duplicate case ids.
 */
export function renderCases(
  task: TaskConfig,
  taskIndex: number,
  dataset: LoadedDataset,
): { cases: CaseTable; issues: IssueDraft[] } {
  const taskPath = ["tasks", taskIndex] as const;
  const none = CaseTable.from([]);
  if (dataset.unavailable) return { cases: none, issues: [] };
  if (dataset.rowCount === 0) {
    const where = dataset.file ? `: ${dataset.file}` : "";
    const issue: IssueDraft = {
      path: [...taskPath, "dataset"],
      at: "value",
      message: `the dataset has no rows${where}`,
    };
    return { cases: none, issues: [issue] };
  }
  const templates: Partial<Record<TemplateField, CompiledTemplate>> = {};
  const checks: { field: TemplateField; variable: string; firstMissing: number; missing: number }[] = [];
  for (const field of TEMPLATE_FIELDS) {
    const source = task[field];
    if (source === undefined) continue;
    const template = compileTemplate(source);
    templates[field] = template;
    for (const variable of template.variables) checks.push({ field, variable, firstMissing: -1, missing: 0 });
  }
  const ids = new Map<string, number>();
  const duplicates: IssueDraft[] = [];
  let rowsLacking = 0;
  function* rendered(): Generator<Case> {
    let index = 0;
    for (const row of dataset.rows) {
      let complete = true;
      for (const check of checks) {
        if (lookupVariable(row, check.variable) !== undefined) continue;
        if (check.firstMissing < 0) check.firstMissing = index;
        check.missing++;
        complete = false;
      }
      if (!complete) rowsLacking++;
      if (complete && rowsLacking === 0) {
        const c = renderCase(templates, row, index);
        noteId(c.id, index);
        yield c;
      }
      index++;
    }
  }
  const noteId = (id: string, index: number) => {
    const first = ids.get(id);
    if (first === undefined) ids.set(id, index);
    else if (duplicates.length < MAX_DUPLICATE_ISSUES && first >= 0) {
      ids.set(id, -1 - first); // reported once
      const message = `duplicate case id "${id}" (rows ${first + 1} and ${index + 1})`;
      duplicates.push({
        path: [...taskPath, "case_id"],
        at: "value",
        message,
        expected: "a case id unique within the task",
      });
    }
  };
  const cases = CaseTable.from(rendered());
  if (rowsLacking > 0) {
    const issues = checks
      .filter((check) => check.missing > 0)
      .map(
        (check): IssueDraft => ({
          path: [...taskPath, check.field],
          at: "value",
          message: missingVariableMessage(check, dataset),
          expected: "a dataset column",
        }),
      );
    return { cases: none, issues };
  }
  return { cases, issues: duplicates };
}

function renderCase(
  templates: Partial<Record<TemplateField, CompiledTemplate>>,
  row: DatasetRow,
  index: number,
): Case {
  const c: Case = {
    id: templates.case_id ? templates.case_id.render(row) : String(index + 1),
    prompt: templates.prompt!.render(row),
  };
  if (templates.system) c.system = templates.system.render(row);
  const expected = templates.expected ? templates.expected.render(row) : defaultExpected(row);
  if (expected !== undefined) c.expected = expected;
  if (templates.cluster) c.cluster = templates.cluster.render(row);
  return c;
}

/** Without an `expected` template the row's own `expected` column is the gold answer, if any. */
function defaultExpected(row: Record<string, unknown>): string | undefined {
  const value = Object.hasOwn(row, "expected") ? row.expected : undefined;
  return value === undefined || value === null ? undefined : formatTemplateValue(value);
}

/** Why a variable cannot be filled from every row (the error path: reads the rows again for their columns). */
function missingVariableMessage(
  check: { variable: string; firstMissing: number; missing: number },
  dataset: LoadedDataset,
): string {
  const head = `undefined template variable \`${check.variable}\``;
  const columns = new Set<string>();
  let missingRow: DatasetRow | undefined;
  let index = 0;
  for (const row of dataset.rows) {
    for (const key of Object.keys(row)) columns.add(key);
    if (index++ === check.firstMissing) missingRow = row;
  }
  if (check.missing === dataset.rowCount) {
    return `${head}: not a column of the dataset (first row lacking it: ${check.firstMissing + 1}); columns: ${columnList(columns)}`;
  }
  const line = dataset.file && dataset.rowLines?.[check.firstMissing];
  const where = line ? ` (${basename(dataset.file!)}:${line})` : "";
  return `${head}: row ${check.firstMissing + 1}${where} lacks it; its columns: ${columnList(new Set(Object.keys(missingRow ?? {})))}`;
}

function columnList(columns: ReadonlySet<string>): string {
  const names = [...columns];
  if (names.length === 0) return "(none)";
  return names.length > 20 ? `${names.slice(0, 20).join(", ")}, …` : names.join(", ");
}
