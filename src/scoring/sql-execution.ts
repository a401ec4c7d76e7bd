/**
 * `sql_execution`: the generated query is right when it returns the gold query's result (the
 * case's expected answer) on SQLite (node:sqlite, no native dependency). The databases are a
 * `.sqlite` file (`database`, opened read-only) or CREATE TABLE text (`schema`, `schema_file`)
 * filled with `fillings` seeded random contents, and the query must match on every filling
 * (test-suite accuracy, Zhong et al. 2020). Paths and schema text are templates over the
 * case's dataset row (`databases/{{db_id}}.sqlite`, `{{schema}}`).
 *
 * The query is read from the output by `extractQuery` (a ``` block, else from the first line
 * starting with SELECT/WITH/VALUES after an optional `SQL:` label; its first statement only); a
 * statement that does not start with SELECT, WITH or VALUES is refused unrun. Results compare as
 * multisets of rows, in order only when the gold query has a top-level ORDER BY; column order is
 * ignored unless `column_order: strict` (see sql-compare.ts). Each query runs with a time limit
 * (`timeout_ms`) in a child process that is killed past it, or past its memory limit
 * (`memory_mb`); a value over 16 MiB or a result over 32 MiB is an error. Score 1 or 0; null
 * when the gold query fails or there is no database.
 */

import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import {
  type ScorerConfigProblem,
  type ScorerDefinition,
  type ScorerFactory,
  scorerSchema,
} from "../core/scorer.ts";
import { compileTemplate, TemplateError } from "../core/template.ts";
import { NO_EXPECTED, scorerName } from "./common.ts";
import { sqlPool } from "./sql-pool.ts";
import {
  extractQuery,
  firstStatement,
  leadingKeyword,
  MAX_QUERY_CHARS,
  orderByColumns,
  ordersAtTopLevel,
  QUERY_KEYWORDS,
  queryLiterals,
} from "./sql-text.ts";
import type { DatabaseSource } from "./sql-worker.ts";

export const SqlExecutionConfig = scorerSchema("sql_execution", {
  database: z
    .string()
    .min(1)
    .optional()
    .describe("SQLite file, relative to the suite, a template over the row (databases/{{db_id}}.sqlite)"),
  schema: z
    .string()
    .min(1)
    .optional()
    .describe("CREATE TABLE statements to fill with synthetic rows, or a template over the row ({{schema}})"),
  schema_file: z
    .string()
    .min(1)
    .optional()
    .describe("File of CREATE TABLE statements, relative to the suite, a template over the row"),
  fillings: z
    .number()
    .int()
    .min(1)
    .max(20)
    .optional()
    .describe("Random fillings of a schema the query must match on (default 3)"),
  rows: z.number().int().min(1).max(1000).optional().describe("Rows per table in a filling (default 10)"),
  seed: z.number().int().optional().describe("Seed of the fillings (default 0)"),
  timeout_ms: z
    .number()
    .int()
    .min(10)
    .max(600_000)
    .optional()
    .describe("Time limit per query (default 2000)"),
  memory_mb: z
    .number()
    .int()
    .min(32)
    .max(65_536)
    .optional()
    .describe(
      "Resident memory of the process running a case, its cached databases included (default 512 MiB)",
    ),
  column_order: z
    .enum(["ignore", "strict"])
    .optional()
    .describe("ignore (default): columns may come in another order; strict: compared by position"),
});
export type SqlExecutionConfig = z.infer<typeof SqlExecutionConfig>;

export const sqlExecution: ScorerFactory<SqlExecutionConfig> = (config, context) => {
  const strictColumns = config.column_order === "strict";
  const timeoutMs = config.timeout_ms ?? 2000;
  const schemaFiles = new Map<string, string>();
  // The first of database, schema_file and schema given: the one the config's check requires.
  const template = compileTemplate(config.database ?? config.schema_file ?? config.schema!);
  const usesRow = template.variables.length > 0;

  /** The case's databases, or why there are none. */
  function source(row: Readonly<Record<string, unknown>> | undefined, gold: string): DatabaseSource | string {
    let filled: string;
    try {
      filled = template.render(row ?? {});
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      return `the case's row has no \`${error.variable}\` for ${template.source}`;
    }
    if (config.database !== undefined) {
      const path = resolve(context.baseDir, filled);
      return existsSync(path) ? { kind: "file", path } : `database file not found: ${path}`;
    }
    let text = filled;
    if (config.schema_file !== undefined) {
      const path = resolve(context.baseDir, filled);
      let cached = schemaFiles.get(path);
      if (cached === undefined) {
        try {
          cached = readFileSync(path, "utf8");
        } catch {
          return `schema file not found: ${path}`;
        }
        schemaFiles.set(path, cached);
      }
      text = cached;
    }
    return {
      kind: "schema",
      text,
      seed: config.seed ?? 0,
      fillings: config.fillings ?? 3,
      rows: config.rows ?? 10,
      planted: { ...queryLiterals(gold), distinct: orderByColumns(gold) },
    };
  }

  return {
    name: scorerName(config),
    readsRow: usesRow,
    async score({ output, expected, row }) {
      if (expected === undefined) return { score: null, reason: NO_EXPECTED };
      const gold = firstStatement(expected);
      const databases = source(row, gold);
      if (typeof databases === "string") return { score: null, reason: databases };
      const generated = extractQuery(output);
      if (generated === "") return { score: 0, reason: "no query in the output" };
      if (generated.length > MAX_QUERY_CHARS)
        return { score: 0, reason: `the query is longer than ${MAX_QUERY_CHARS} characters` };
      const keyword = leadingKeyword(generated);
      if (!QUERY_KEYWORDS.has(keyword))
        return { score: 0, reason: `refused, not a query: it starts with ${keyword.slice(0, 20)}` };
      const job = { source: databases, gold, generated, ordered: ordersAtTopLevel(gold), strictColumns };
      return sqlPool().run(job, timeoutMs, config.memory_mb);
    },
  };
};

/** Exactly one of `database`, `schema`, `schema_file`. */
function checkSqlExecution(config: SqlExecutionConfig): ScorerConfigProblem[] {
  const given = (["database", "schema", "schema_file"] as const).filter((key) => config[key] !== undefined);
  const expected = "one of `database` (a .sqlite file), `schema` or `schema_file` (CREATE TABLE text)";
  if (given.length === 0) return [{ message: "the scorer has no database", expected }];
  if (given.length > 1)
    return [{ field: given[1]!, message: `both \`${given[0]}\` and \`${given[1]}\` are set`, expected }];
  if (config.database !== undefined && (config.fillings !== undefined || config.rows !== undefined)) {
    const field = config.fillings !== undefined ? "fillings" : "rows";
    return [
      {
        field,
        message: `\`${field}\` applies to a schema, not a database file`,
        expected: "no `fillings`/`rows` with `database`",
      },
    ];
  }
  return [];
}

export const sqlExecutionScorer: ScorerDefinition<SqlExecutionConfig> = {
  schema: SqlExecutionConfig,
  create: sqlExecution,
  check: checkSqlExecution,
};
