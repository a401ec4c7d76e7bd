/**
 * The `--format` / `-o` option of `run`, `load`, `summary` and `report`. Its help names the built-in
 * outputs without importing the registry (reports/index.ts): that would load every output's
 * dependencies at each start of the CLI, `--help` and `validate` included (~200 ms).
 * test/unit/reports-registry.test.ts keeps these names in step with the registry.
 */

/** The registry's output names, for the help text. */
export const OUTPUT_NAMES_HELP =
  "table, json, summary-json, load-json, html, markdown, github-summary, csv, junit";

/** What each command produces without `--format`, for the help text. */
export const DEFAULT_OUTPUTS_HELP = {
  run: "summary-json,markdown,html,github-summary,table",
  load: "load-json,html,table",
  summary: "those of the run or load that wrote the directory",
  report: "the registered report formats (markdown, html)",
  merge: "summary-json,markdown,html,github-summary,table",
  gate: "summary-json,markdown,github-summary",
} as const;

/** The option (yargs) for `command`; its value is one string per `--format` given. */
export function formatOption(command: keyof typeof DEFAULT_OUTPUTS_HELP) {
  return {
    alias: "o",
    type: "string",
    describe:
      `Outputs to produce, by name (repeat the flag or list them a,b): ${OUTPUT_NAMES_HELP} ` +
      `(default: ${DEFAULT_OUTPUTS_HELP[command]})`,
    // Repeated, yargs gives an array; once, a string.
    coerce: (value: string | string[]): string[] => [value].flat(),
  } as const;
}
