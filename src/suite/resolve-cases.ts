/** A task's dataset rows as cases, after checking every row renders and every case id is unique. */

import { basename } from "node:path";
import type { ChatMessage, ToolDefinition } from "../core/runner.ts";
import {
  type CompiledTemplate,
  compileTemplate,
  formatTemplateValue,
  lookupVariable,
} from "../core/template.ts";
import { RenderedCases } from "./case-list.ts";
import { caseParamsOf, toolChoiceOf } from "./case-params.ts";
import type { DatasetRow, LoadedDataset } from "./dataset.ts";
import type { IssueDraft } from "./errors.ts";
import type { Case } from "./resolved.ts";
import type { TaskConfig } from "./schema.ts";

const TEMPLATE_FIELDS = ["system", "prompt", "expected", "case_id", "cluster"] as const;
type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/** Duplicate case ids reported per task before the rest are left out. */
const MAX_DUPLICATE_ISSUES = 10;

/**
 * Checks that every row of `dataset` renders into a case of `task` (the task at `taskIndex` in the
 * suite) and returns the cases as a {@link RenderedCases}: rendered again from the rows each time
 * they are used, so the cases never exist all at once. Issues: an empty dataset, template
 * variables some row lacks, duplicate case ids.
 */
export function renderCases(
  task: TaskConfig,
  taskIndex: number,
  dataset: LoadedDataset,
): { cases: RenderedCases; issues: IssueDraft[] } {
  const taskPath = ["tasks", taskIndex] as const;
  const none = new RenderedCases({ rows: [], render: () => ({ id: "", prompt: "" }) }, 0);
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
  const checks: {
    field: TemplateField | "messages_field" | "weight_field";
    variable: string;
    firstMissing: number;
    missing: number;
  }[] = [];
  for (const field of TEMPLATE_FIELDS) {
    const source = task[field];
    if (source === undefined) continue;
    const template = compileTemplate(source);
    templates[field] = template;
    for (const variable of template.variables) checks.push({ field, variable, firstMissing: -1, missing: 0 });
  }
  // A messages/tools column is checked like a template variable: every row must have it.
  const columns = {
    messages: task.messages_field,
    tools: task.tools_field,
    params: task.params_field,
    weight: task.weight_field,
  };
  if (columns.messages !== undefined) {
    checks.push({ field: "messages_field", variable: columns.messages, firstMissing: -1, missing: 0 });
  }
  if (columns.weight !== undefined) {
    checks.push({ field: "weight_field", variable: columns.weight, firstMissing: -1, missing: 0 });
  }
  let badWeight: IssueDraft | undefined;
  const render = (row: DatasetRow, rowIndex: number) => renderCase(templates, columns, row, rowIndex);
  const ids = new IdHashes(dataset.rowCount);
  let rowsLacking = 0;
  let anyExpected = false;
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
    if (complete && columns.weight !== undefined && !badWeight) {
      const weight = row[columns.weight];
      if (!(typeof weight === "number" && Number.isSafeInteger(weight) && weight >= 1)) {
        badWeight = {
          path: [...taskPath, "weight_field"],
          at: "value",
          message: `row ${index + 1}: ${columns.weight} is ${JSON.stringify(weight)}`,
          expected: "a whole number ≥ 1 in every row (how many calls the case stands for)",
        };
      }
    }
    if (complete && rowsLacking === 0) {
      const c = render(row, index);
      ids.add(c.id);
      if (c.expected !== undefined) anyExpected = true;
    }
    index++;
  }
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
  if (badWeight) return { cases: none, issues: [badWeight] };
  const cases = new RenderedCases({ rows: dataset.rows, render }, dataset.rowCount, { anyExpected });
  const repeated = ids.repeated();
  return { cases, issues: repeated.size > 0 ? duplicateIdIssues(cases, repeated, taskPath) : [] };
}

/**
 * 53-bit hashes of the case ids, in a typed array: checking a million ids for duplicates costs
 * 8 MB instead of a Map of a million strings. Equal hashes are only suspects; the ids behind them
 * are compared in a second pass.
 */
class IdHashes {
  private hashes: Float64Array;
  private count = 0;

  /** `capacity`: the number of ids to come (the dataset's row count), allocated once. */
  constructor(capacity: number) {
    this.hashes = new Float64Array(Math.max(1, capacity));
  }

  add(id: string): void {
    if (this.count === this.hashes.length) {
      // More ids than announced: never drop one (a missed duplicate would be a wrong run).
      const grown = new Float64Array(this.hashes.length * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[this.count++] = idHash(id);
  }

  /** Hashes seen more than once (sorts the hashes in place: call it once, after the last `add`). */
  repeated(): Set<number> {
    const sorted = this.hashes.subarray(0, this.count).sort();
    const repeated = new Set<number>();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]!);
    return repeated;
  }
}

/** Two 32-bit FNV-style hashes of the UTF-16 code units, folded into one exact double. */
export function idHash(id: string): number {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ id.length;
  for (let i = 0; i < id.length; i++) {
    const unit = id.charCodeAt(i);
    a = Math.imul(a ^ unit, 0x01000193);
    b = Math.imul(b ^ unit, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0) + (b & 0x1fffff) * 2 ** 32;
}

/** The duplicate ids among cases whose id hash is in `suspects` (a second pass over the cases). */
function duplicateIdIssues(
  cases: RenderedCases,
  suspects: ReadonlySet<number>,
  taskPath: readonly ["tasks", number],
): IssueDraft[] {
  const firstRow = new Map<string, number>();
  const issues: IssueDraft[] = [];
  let index = 0;
  for (const c of cases) {
    if (suspects.has(idHash(c.id))) {
      const first = firstRow.get(c.id);
      if (first === undefined) firstRow.set(c.id, index);
      else if (issues.length < MAX_DUPLICATE_ISSUES && first >= 0) {
        firstRow.set(c.id, -1 - first); // reported once
        issues.push({
          path: [...taskPath, "case_id"],
          at: "value",
          message: `duplicate case id "${c.id}" (rows ${first + 1} and ${index + 1})`,
          expected: "a case id unique within the task",
        });
      }
    }
    index++;
  }
  return issues;
}

function renderCase(
  templates: Partial<Record<TemplateField, CompiledTemplate>>,
  columns: {
    messages: string | undefined;
    tools: string | undefined;
    params: string | undefined;
    weight: string | undefined;
  },
  row: DatasetRow,
  index: number,
): Case {
  const messages = columns.messages !== undefined ? conversationOf(row[columns.messages]) : undefined;
  const c: Case = {
    id: templates.case_id ? templates.case_id.render(row) : String(index + 1),
    // Without a prompt template the last user turn stands for the prompt (display, cost estimates).
    prompt: templates.prompt
      ? templates.prompt.render(row)
      : (messages?.findLast((m) => m.role === "user")?.content ?? ""),
    row,
  };
  if (messages) c.messages = messages;
  const tools = columns.tools !== undefined ? row[columns.tools] : undefined;
  if (Array.isArray(tools) && tools.length > 0) c.tools = tools as ToolDefinition[];
  if (columns.params !== undefined) {
    const logged = row[columns.params];
    const params = caseParamsOf(logged);
    if (Object.keys(params).length > 0) c.params = params;
    const toolChoice = c.tools
      ? toolChoiceOf((logged as { tool_choice?: unknown } | null)?.tool_choice)
      : undefined;
    if (toolChoice !== undefined) c.toolChoice = toolChoice;
  }
  if (templates.system) c.system = templates.system.render(row);
  const expected = templates.expected ? templates.expected.render(row) : defaultExpected(row);
  if (expected !== undefined) c.expected = expected;
  if (templates.cluster) c.cluster = templates.cluster.render(row);
  if (columns.weight !== undefined) {
    const weight = row[columns.weight];
    if (typeof weight === "number" && weight !== 1) c.weight = weight;
  }
  return c;
}

/** A row's conversation column as chat messages; a JSON string of one is read too. */
function conversationOf(value: unknown): ChatMessage[] {
  const list = typeof value === "string" ? safeJson(value) : value;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (m): m is ChatMessage =>
      typeof m === "object" && m !== null && typeof m.role === "string" && typeof m.content === "string",
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
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
  const line = dataset.file && dataset.lineOfRow?.(check.firstMissing);
  const where = line ? ` (${basename(dataset.file!)}:${line})` : "";
  return `${head}: row ${check.firstMissing + 1}${where} lacks it; its columns: ${columnList(new Set(Object.keys(missingRow ?? {})))}`;
}

function columnList(columns: ReadonlySet<string>): string {
  const names = [...columns];
  if (names.length === 0) return "(none)";
  return names.length > 20 ? `${names.slice(0, 20).join(", ")}, …` : names.join(", ");
}
